from django.urls import include, path

urlpatterns = [
    path("api/", include("awn.api.urls")),
    path("accounts/", include("awn.accounts.urls")),
    path("desk/", include("awn.desk.urls")),
    path("files/", include("awn.tickets.urls")),
    path("desk/sla/", include("awn.sla.urls")),
    path("desk/automation/", include("awn.automation.urls")),
    path("desk/routing/", include("awn.routing.urls")),
    path("desk/calendars/", include("awn.calendars.urls")),
    path("desk/reports/", include("awn.reports.urls")),
    path("", include("awn.surveys.urls")),  # survey answers from customers (links in emails) and desk screens
    path("", include("awn.connectors.chat.urls")),  # chat/api/… (the widget) and desk/chats/…
    path("", include("awn.connectors.email.urls")),  # desk/email/… screens and email/inbound/<id>/
    path("", include("awn.knowledge.urls")),
    path("", include("awn.portal.urls")),
]
