import pytest

from awn.core.errors import ValidationFailed
from awn.tickets.models import Priority, Status
from awn.tickets.selectors import TicketFilters, ticket_queue
from tests.factories import AdminFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_keyset_pages_cover_every_ticket_once_in_priority_order():
    admin = AdminFactory()
    made = [TicketFactory(priority=p) for p in [1, 4, 2, 4, 3, 2, 1, 4]]
    seen, cursor = [], None

    while True:
        page = ticket_queue(user=admin, view="all", sort="priority", cursor=cursor, limit=3)
        seen += page.tickets
        cursor = page.next_cursor
        if cursor is None:
            break

    assert sorted(t.pk for t in seen) == sorted(t.pk for t in made)
    assert [t.priority for t in seen] == sorted((t.priority for t in made), reverse=True)


def test_filters_combine():
    admin = AdminFactory()
    wanted = TicketFactory(priority=Priority.URGENT, status=Status.OPEN)
    TicketFactory(priority=Priority.URGENT, status=Status.SOLVED)
    TicketFactory(priority=Priority.LOW, status=Status.OPEN)

    filters = TicketFilters.from_params({"status": "open", "priority": "urgent"})

    page = ticket_queue(user=admin, filters=filters)

    assert [t.pk for t in page.tickets] == [wanted.pk]


@pytest.mark.parametrize(
    "params", [{"status": "bogus"}, {"priority": "9"}, {"team": "x"}, {"channel": "fax"}]
)
def test_bad_filters_are_refused_clearly(params):
    with pytest.raises(ValidationFailed):
        TicketFilters.from_params(params)


def test_a_forged_cursor_is_refused():
    with pytest.raises(ValidationFailed):
        ticket_queue(user=AdminFactory(), cursor="not-a-cursor")
