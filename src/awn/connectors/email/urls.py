from django.urls import path

from awn.connectors.email import views

app_name = "email"
urlpatterns = [
    path("email/inbound/<int:mailbox_id>/", views.inbound_webhook, name="inbound"),
    # Mailgun posts the raw message (as body-mime) to route URLs that end in "mime".
    path("email/inbound/<int:mailbox_id>/mime", views.inbound_webhook, name="inbound_mime"),
    path("desk/email/mailboxes/", views.mailboxes, name="mailboxes"),
    path("desk/email/mailboxes/new/", views.mailbox_form, name="mailbox_new"),
    path("desk/email/mailboxes/<int:pk>/", views.mailbox_form, name="mailbox"),
    path("desk/email/mailboxes/<int:pk>/secret/", views.mailbox_rotate_secret, name="mailbox_secret"),
    path("desk/email/quarantine/", views.quarantine, name="quarantine"),
    path("desk/email/raw/<int:pk>/", views.raw_email_detail, name="raw_email"),
    path("desk/email/raw/<int:pk>/download/", views.raw_email_download, name="raw_email_download"),
    path("desk/email/raw/<int:pk>/retry/", views.raw_email_retry, name="raw_email_retry"),
    path("desk/email/raw/<int:pk>/delete/", views.raw_email_delete, name="raw_email_delete"),
    path("desk/email/messages/<int:message_pk>/original/", views.message_original, name="message_original"),
]
