from django.urls import path

from awn.automation.views import dry_run, notifications, panel, rules, saved_replies, webhooks

app_name = "automation"
urlpatterns = [
    path("rules/", rules.rules_list, name="rules"),
    path("rules/new/", rules.rule_edit, name="rule_new"),
    path("rules/<int:pk>/", rules.rule_edit, name="rule"),
    path("rules/<int:pk>/delete/", rules.rule_delete, name="rule_delete"),
    path("rules/<int:pk>/move/", rules.rule_move, name="rule_move"),
    path("rules/<int:pk>/toggle/", rules.rule_toggle, name="rule_toggle"),
    path("sets/new/", rules.rule_set_edit, name="rule_set_new"),
    path("sets/<int:pk>/", rules.rule_set_edit, name="rule_set"),
    path("sets/<int:pk>/move/", rules.rule_set_move, name="rule_set_move"),
    path("sets/<int:pk>/delete/", rules.rule_set_delete, name="rule_set_delete"),
    path("dry-run/", dry_run.dry_run, name="dry_run"),
    path("saved-replies/", saved_replies.saved_replies_list, name="saved_replies"),
    path("saved-replies/new/", saved_replies.saved_reply_edit, name="saved_reply_new"),
    path("saved-replies/<int:pk>/", saved_replies.saved_reply_edit, name="saved_reply"),
    path("saved-replies/<int:pk>/delete/", saved_replies.saved_reply_delete, name="saved_reply_delete"),
    path("tickets/<int:number>/saved-replies/", saved_replies.saved_reply_picker, name="saved_reply_picker"),
    path(
        "tickets/<int:number>/saved-replies/<int:pk>/insert/",
        saved_replies.saved_reply_insert,
        name="saved_reply_insert",
    ),
    path("tickets/<int:number>/panel/", panel.ticket_panel, name="ticket_panel"),
    path("notifications/", notifications.notifications_list, name="notifications"),
    path("notifications/read/", notifications.notifications_read, name="notifications_read"),
    path("status/", notifications.desk_status, name="desk_status"),
    path("webhooks/", webhooks.webhooks_list, name="webhooks"),
    path("webhooks/new/", webhooks.webhook_edit, name="webhook_new"),
    path("webhooks/<int:pk>/", webhooks.webhook_edit, name="webhook"),
]
