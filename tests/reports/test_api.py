"""/api/v1/reports: the dashboard's tables, in the caller's scope."""

from datetime import UTC, datetime

import pytest

from awn.accounts.api_tokens import create_api_token
from tests.factories import CustomerFactory
from tests.reports.conftest import fact

PERIOD = {"start": "2024-01-01", "end": "2024-01-31"}


def _get(client, user, path, params=None):
    key = create_api_token(user=user, name="tests")[1]
    return client.get(path, params or {}, headers={"Authorization": f"Bearer {key}"})


@pytest.mark.parametrize(
    ("viewer", "scope", "created"),
    [("admin", "all", 3), ("manager_a", "teams", 1), ("agent_a", "agent", 1), ("agent_b", "agent", 2)],
)
def test_the_summary_is_in_the_callers_scope(client, world, viewer, scope, created):
    response = _get(client, world[viewer], "/api/v1/reports/summary", PERIOD)

    body = response.json()
    assert response.status_code == 200
    assert body["scope"] == scope
    assert dict(body["rows"])["tickets_created"] == created


def test_customers_get_no_reports(client, world):
    response = _get(client, CustomerFactory(), "/api/v1/reports/summary", PERIOD)

    assert response.status_code == 403
    assert response.json()["error"]["code"]


def test_a_period_ending_before_it_starts_is_a_validation_error(client, world):
    response = _get(
        client, world["admin"], "/api/v1/reports/volume", {"start": "2024-02-01", "end": "2024-01-01"}
    )

    assert response.status_code in (400, 422)
    assert "must start on or before" in response.json()["error"]["message"]


def test_an_unknown_timezone_is_a_validation_error(client, world):
    response = _get(client, world["admin"], "/api/v1/reports/summary", {**PERIOD, "timezone": "Mars/Olympus"})

    assert response.status_code in (400, 422)
    assert response.json()["error"]["field"] == "timezone"


def test_the_volume_report_has_a_row_per_local_day(client, world):
    fact(created_at=datetime(2024, 1, 9, 22, 30, tzinfo=UTC))  # 10 January in Riyadh

    response = _get(
        client,
        world["admin"],
        "/api/v1/reports/volume",
        {"start": "2024-01-09", "end": "2024-01-10", "timezone": "Asia/Riyadh"},
    )

    body = response.json()
    assert body["columns"] == ["date", "Web"]
    assert body["rows"] == [["2024-01-09", 0], ["2024-01-10", 4]]  # and the world's three of the 10th


def test_unknown_reports_are_not_found(client, world):
    assert _get(client, world["admin"], "/api/v1/reports/nothing").status_code in (404, 422)
