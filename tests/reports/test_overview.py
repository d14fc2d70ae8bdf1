"""The dashboard's one-read overview gives the same numbers as the separate selectors (CSV, API, digest)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from awn.reports import selectors
from awn.reports.overview import _overview_in_one_read, overview
from tests.reports.conftest import fact

PERIOD = selectors.ReportFilters(start=date(2024, 3, 25), end=date(2024, 4, 7), timezone="Europe/Berlin")


@pytest.fixture
def facts(db, agent, team):
    """Tickets over two weeks around a daylight-saving change, some answered, solved, reopened, breached."""
    start = datetime(2024, 3, 24, 21, 30, tzinfo=UTC)
    for i in range(40):
        created = start + timedelta(hours=9 * i)
        solved = created + timedelta(hours=5 + i % 7) if i % 3 else None
        fact(
            created_at=created,
            channel=("email", "web", "chat")[i % 3],
            team=team if i % 2 else None,
            agent=agent if i % 4 else None,
            solved_by=agent if solved and i % 4 else None,
            status="solved" if solved else "open",
            solved_at=solved,
            first_response_seconds=60 * i if i % 5 else None,
            first_response_business_seconds=30 * i if i % 5 else None,
            resolution_seconds=3600 * (5 + i % 7) if solved else None,
            resolution_business_seconds=1800 * (5 + i % 7) if solved else None,
            first_contact_resolution=bool(solved) and i % 2 == 0,
            one_touch=bool(solved) and i % 4 == 0,
            reopens=1 if i % 9 == 0 else 0,
            sla_first_response_met=(None, True, False)[i % 3],
            sla_resolution_met=bool(i % 2) if solved else None,
        )


@pytest.mark.parametrize("by", ["channel", "team"])
@pytest.mark.parametrize("scope", [selectors.Scope(everything=True), "agent"], ids=["everything", "agent"])
def test_the_overview_equals_the_separate_reports(facts, agent, by, scope):
    scope = selectors.Scope(agent_id=agent.pk) if scope == "agent" else scope

    data = _overview_in_one_read(scope, PERIOD, by=by)  # what SQLite uses, checked on both databases

    assert data.summary == selectors.summary(scope, PERIOD)
    assert (data.days, data.series) == selectors.volume(scope, PERIOD, by=by)
    assert data.backlog == selectors.backlog(scope, PERIOD)[1]
    assert (data.heat_counts, data.heat_means) == selectors.heatmaps(scope, PERIOD)
    assert data.agents == selectors.agents(scope, PERIOD)


def test_the_dashboard_overview_is_complete_on_either_database(facts):
    data = overview(selectors.Scope(everything=True), PERIOD)

    assert len(data.days) == 14
    assert data.summary.created == sum(map(sum, data.heat_counts)) == sum(map(sum, data.series.values())) > 0
