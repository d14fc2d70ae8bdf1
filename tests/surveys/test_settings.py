"""Survey settings: one global row, optional per-team rows, edited by admins in the desk."""

import pytest
from django.urls import reverse

from awn.surveys.models import SurveySettings
from awn.surveys.selectors import settings_for_team
from tests.factories import TeamFactory


@pytest.mark.django_db
def test_without_saved_settings_csat_is_on_and_nps_off():
    current = settings_for_team(None)

    assert (current.csat_on_replies, current.csat_on_solve, current.nps_enabled) == (True, True, False)
    assert (current.nps_delay_days, current.nps_period_days) == (7, 90)


@pytest.mark.django_db
def test_an_admin_saves_the_global_settings(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("surveys:settings"),
        {
            "csat_on_replies": "on",
            "nps_enabled": "on",
            "nps_delay_days": "3",
            "nps_period_days": "30",
        },
    )

    assert response.status_code == 302
    row = SurveySettings.objects.get(team=None)
    assert (
        row.csat_on_replies,
        row.csat_on_solve,
        row.nps_enabled,
        row.nps_delay_days,
        row.nps_period_days,
    ) == (True, False, True, 3, 30)


@pytest.mark.django_db
def test_a_team_gets_its_own_settings_and_can_go_back_to_the_global_ones(client, admin_user):
    team = TeamFactory(name="Billing")
    client.force_login(admin_user)
    client.post(
        reverse("surveys:settings"), {"team": team.pk, "nps_delay_days": "1", "nps_period_days": "10"}
    )
    assert settings_for_team(team.pk).nps_period_days == 10
    assert settings_for_team(None).nps_period_days == 90

    client.post(reverse("surveys:reset_team", args=[team.pk]))

    assert settings_for_team(team.pk).nps_period_days == 90


@pytest.mark.django_db
def test_a_period_of_zero_days_is_refused_and_nothing_is_saved(client, admin_user):
    client.force_login(admin_user)

    response = client.post(reverse("surveys:settings"), {"nps_delay_days": "7", "nps_period_days": "0"})

    assert response.status_code == 422
    assert "at least one day" in response.content.decode()
    assert not SurveySettings.objects.exists()


@pytest.mark.django_db
def test_agents_cannot_open_the_settings(client, agent):
    client.force_login(agent)

    assert client.get(reverse("surveys:settings")).status_code == 403


@pytest.mark.django_db
def test_the_settings_page_lists_every_team(client, admin_user):
    TeamFactory(name="Billing")
    client.force_login(admin_user)

    page = client.get(reverse("surveys:settings"))

    assert page.status_code == 200 and "Billing" in page.content.decode()


@pytest.mark.django_db
def test_saving_the_settings_again_changes_the_same_row(client, admin_user):
    client.force_login(admin_user)
    client.post(reverse("surveys:settings"), {"nps_delay_days": "7", "nps_period_days": "90"})

    response = client.post(
        reverse("surveys:settings"), {"nps_enabled": "on", "nps_delay_days": "5", "nps_period_days": "60"}
    )

    assert response.status_code == 302
    row = SurveySettings.objects.get()
    assert (row.nps_enabled, row.nps_delay_days, row.nps_period_days) == (True, 5, 60)
