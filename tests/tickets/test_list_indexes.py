"""Every list query reads an index in the order it asks for: no sort of all visible tickets (DESIGN.md §10).

The plans are taken on empty tables, so PostgreSQL is told to avoid sequential scans and sorts where it can:
a Sort left in its plan means that no index could give the order.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from awn.core import clock
from awn.tickets.models import Status, Ticket
from awn.tickets.selectors import ticket_queue
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db


def _plan(sql: str, params=()) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(row[-1] for row in cursor.fetchall())


def _page_query(**kwargs) -> str:
    """The SQL of the ticket query `ticket_queue` runs for one page."""
    with CaptureQueriesContext(connection) as captured:
        ticket_queue(user=AdminFactory(), limit=50, **kwargs)
    (sql,) = [q["sql"] for q in captured.captured_queries if 'FROM "tickets_ticket" ' in q["sql"]]
    return sql


def _sorts(plan: str) -> bool:
    return "TEMP B-TREE FOR ORDER BY" in plan or any(
        line.strip().startswith(("Sort", "->  Sort", "Incremental Sort")) for line in plan.splitlines()
    )


@pytest.mark.parametrize("for_list", [True, False])
def test_the_priority_sort_of_all_tickets_walks_an_index(for_list):
    plan = _plan(_page_query(view="all", sort="priority", for_list=for_list))

    assert "ticket_priority_created" in plan
    assert not _sorts(plan)


def test_the_priority_sort_within_a_status_walks_an_index():
    from awn.tickets.selectors import TicketFilters

    plan = _plan(_page_query(view="all", sort="priority", filters=TicketFilters(status=["open"])))

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
