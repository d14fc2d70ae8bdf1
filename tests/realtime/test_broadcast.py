"""The broadcast side: what a ticket event costs when nobody is there to hear it."""

import pytest

from awn.core.events import DomainEvent
from awn.realtime.events import on_ticket_event

pytestmark = pytest.mark.django_db


def test_a_ticket_event_reads_nothing_while_no_socket_is_open_in_this_process(
    ticket, django_assert_num_queries
):
    event = DomainEvent(name="ticket.updated", ticket_id=ticket.pk, data={"changed": ["status"]})

    with django_assert_num_queries(0):
        on_ticket_event(event)
