from django.urls import path

from awn.surveys.views import customer, desk, portal

app_name = "surveys"
urlpatterns = [
    # Links in emails: signed tokens, no sign-in. A GET shows the choice; only a POST records it.
    path("survey/rate/<str:token>/", customer.rate_submit, name="rate_submit"),
    path("survey/rate/<str:token>/thanks/", customer.rate_thanks, name="rate_thanks"),
    path("survey/rate/<str:token>/<slug:choice>/", customer.rate_confirm, name="rate"),
    path("survey/nps/<str:token>/", customer.nps_submit, name="nps_submit"),
    path("survey/nps/<str:token>/thanks/", customer.nps_thanks, name="nps_thanks"),
    path("survey/nps/<str:token>/<int:score>/", customer.nps_confirm, name="nps"),
    # The portal: a signed-in customer rates with one click.
    path("survey/requests/<int:number>/rate/", portal.rate, name="portal_rate"),
    # The desk.
    path("desk/surveys/", desk.feedback, name="feedback"),
    path("desk/surveys/settings/", desk.settings_page, name="settings"),
    path("desk/surveys/settings/team/<int:team_id>/reset/", desk.reset_team, name="reset_team"),
    path("desk/surveys/tickets/<int:number>/ratings/", desk.ticket_ratings, name="desk_ticket_ratings"),
    path(
        "desk/surveys/customers/<int:customer_id>/ratings/",
        desk.customer_ratings,
        name="desk_customer_ratings",
    ),
]
