from django.urls import path

from awn.routing import views

app_name = "routing"
urlpatterns = [
    path("next/", views.next_ticket, name="next_ticket"),
    path("availability/", views.set_availability, name="availability"),
    path("tiers/<int:tier>/", views.tier_queue, name="tier"),
    path("tickets/<int:number>/escalate/", views.escalate, name="escalate"),
    path("tickets/<int:number>/deescalate/", views.deescalate, name="deescalate"),
    path("settings/", views.settings_overview, name="settings"),
    path("settings/teams/<int:pk>/", views.team_settings, name="team"),
    path("settings/agents/<int:pk>/", views.agent_settings, name="agent"),
]
