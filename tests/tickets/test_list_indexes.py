"""Every list query reads an index in the order it asks for: no sort of all visible tickets (DESIGN.md §10).

The plans are taken on empty tables, so PostgreSQL is told to avoid sequential scans and sorts where it can:
a Sort left in its plan means that no index could give the order.
"""

from datetime import timedelta

import pytest
from django.db import connection

from awn.core import clock
from awn.tickets.models import Status, Ticket
from awn.tickets.selectors import SORTS, TicketFilters, view_queryset
from tests.factories import AdminFactory, AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _plan(sql: str, params=(), *, sorts_allowed: bool = False) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"SET LOCAL enable_sort = {'on' if sorts_allowed else 'off'}")
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(row[-1] for row in cursor.fetchall())


def _page_ids_query(
    view: str, sort: str, filters: TicketFilters | None = None, user=None
) -> tuple[str, tuple]:
    """The query for a page's ids that `ticket_queue` runs first (its rows are then read by id)."""
    qs = view_queryset(user or AdminFactory(), view)
    if filters is not None:
        qs = filters.apply(qs)
    return qs.order_by(*SORTS[sort]).values("pk")[:51].query.sql_with_params()


def _sorts(plan: str) -> bool:
    return "TEMP B-TREE FOR ORDER BY" in plan or any(
        line.strip().startswith(("Sort", "->  Sort", "Incremental Sort")) for line in plan.splitlines()
    )


def test_the_priority_sort_of_all_tickets_walks_an_index():
    plan = _plan(*_page_ids_query("all", "priority"))

    assert "ticket_priority_created" in plan
    assert not _sorts(plan)


def test_the_priority_sort_within_a_status_walks_an_index():
    plan = _plan(*_page_ids_query("all", "priority", TicketFilters(status=["open"])))

    assert "ticket_status_priority_created" in plan
    assert not _sorts(plan)


@pytest.mark.parametrize("column", ["last_agent_message_at", "last_customer_message_at"])
def test_time_rules_read_a_range_of_one_status_in_timestamp_order(column):
    due = (
        Ticket.objects.filter(status=Status.PENDING, **{f"{column}__lte": clock.now() - timedelta(hours=72)})
        .order_by(column, "id")
        .values_list("pk", column)[:100]
    )
    sql, params = due.query.sql_with_params()

    plan = _plan(sql, params)

    index = (
        "ticket_status_agent_message" if column == "last_agent_message_at" else "ticket_status_customer_msg"
    )
    assert index in plan
    assert not _sorts(plan)


@pytest.mark.parametrize("sort", ["oldest", "priority"])
def test_my_teams_backlog_is_read_from_its_index_and_not_by_walking_every_ticket(sort):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL orders this join by table statistics, which empty tables do not have")
    agent = AgentFactory()
    TeamFactory(members=[agent]), TeamFactory(members=[agent])

    plan = _plan(*_page_ids_query("teams", sort, user=agent))

    assert "ticket_team_status_created" in plan
    assert "ticket_created" not in plan.replace("ticket_team_status_created", "")
    assert "ticket_priority_created" not in plan
