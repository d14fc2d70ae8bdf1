"""The dashboard, its filters and CSV exports, and who sees which numbers."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory
from tests.reports.conftest import fact

PERIOD = {"start": "2024-01-01", "end": "2024-01-31"}


def _created(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("reports:export", args=["summary"]), {**PERIOD, **params})
    assert response.status_code == 200
    rows = dict(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    return int(rows["tickets_created"])


@pytest.mark.parametrize(
    ("viewer", "expected"), [("admin", 3), ("manager_a", 1), ("agent_a", 1), ("agent_b", 2)]
)
def test_each_role_sees_its_own_scope(client, world, viewer, expected):
    assert _created(client, world[viewer]) == expected


def test_a_manager_cannot_widen_the_scope_with_another_teams_filter(client, world):
    client.force_login(world["manager_a"])

    response = client.get(reverse("reports:dashboard"), {**PERIOD, "team": world["team_b"].pk})

    assert response.status_code == 400
    assert "team" in response.content.decode().lower()


def test_customers_may_not_see_reports(client, world):
    client.force_login(CustomerFactory())

    assert client.get(reverse("reports:dashboard")).status_code == 403
    assert client.get(reverse("reports:export", args=["summary"])).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("reports:dashboard"))

    assert response.status_code == 302


def test_the_dashboard_shows_the_numbers_and_charts(client, world):
    client.force_login(world["admin"])

    response = client.get(reverse("reports:dashboard"), PERIOD)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-metric="created">3<' in page
    assert page.count('<svg class="report-') >= 8
    assert "Agent B" in page


def test_the_dashboard_is_readable_in_arabic(client, world):
    world["admin"].language = "ar"
    world["admin"].save()
    client.force_login(world["admin"])

    response = client.get(reverse("reports:dashboard"), PERIOD)

    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()


def test_a_period_ending_before_it_starts_is_refused_with_a_message(client, world):
    client.force_login(world["admin"])

    response = client.get(reverse("reports:dashboard"), {"start": "2024-02-01", "end": "2024-01-01"})

    assert response.status_code == 400
    assert "must start on or before" in response.content.decode()


def test_a_period_longer_than_a_year_is_refused(client, world):
    client.force_login(world["admin"])

    response = client.get(
        reverse("reports:export", args=["volume"]), {"start": "2020-01-01", "end": "2024-01-01"}
    )

    assert response.status_code == 400
    assert "at most 366 days" in response.content.decode()


def test_a_malformed_date_is_refused(client, world):
    client.force_login(world["admin"])

    response = client.get(reverse("reports:dashboard"), {"start": "yesterday"})

    assert response.status_code == 400


@pytest.mark.parametrize("report", ["summary", "volume", "backlog", "agents", "heatmap"])
def test_every_report_downloads_as_csv(client, world, report):
    client.force_login(world["admin"])

    response = client.get(reverse("reports:export", args=[report]), PERIOD)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert len(list(csv.reader(io.StringIO(response.content.decode())))) >= 2


def test_the_volume_csv_has_one_row_per_day_and_a_column_per_channel(client, world):
    fact(created_at=datetime(2024, 1, 5, 12, tzinfo=UTC), channel="email", team=world["team_a"])
    client.force_login(world["admin"])

    response = client.get(reverse("reports:export", args=["volume"]), PERIOD)

    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert rows[0] == ["date", "Email", "Web"]
    assert len(rows) == 32
    assert rows[5] == ["2024-01-05", "1", "0"]


def test_the_agents_table_filters_by_team(client, world):
    client.force_login(world["admin"])

    response = client.get(reverse("reports:export", args=["agents"]), {**PERIOD, "team": world["team_b"].pk})

    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert [row[1] for row in rows[1:]] == ["Agent B"]
    assert rows[1][5] == "150.0"


def test_an_unknown_report_is_not_found(client, world):
    client.force_login(world["admin"])

    assert client.get(reverse("reports:export", args=["nothing"])).status_code == 404


def test_a_manager_of_no_team_sees_an_empty_dashboard(client, world):
    from tests.factories import ManagerFactory

    client.force_login(ManagerFactory())

    response = client.get(reverse("reports:dashboard"), PERIOD)

    assert response.status_code == 200
    assert 'data-metric="created">0<' in response.content.decode()
