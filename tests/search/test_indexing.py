"""The index follows every change the ticket services make, and can be rebuilt from the tables."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from awn.search.indexing import rebuild_index
from awn.search.models import SearchDocument
from awn.search.selectors import search_tickets
from awn.tickets.models import Message, Ticket
from awn.tickets.services import Actor, add_internal_note, change_subject, merge_tickets, reply_to_ticket
from tests.factories import MessageFactory, TicketFactory
from tests.search.conftest import numbers

pytestmark = pytest.mark.django_db


def test_a_new_subject_is_found_and_the_old_one_is_not(admin_user, customer, open_ticket):
    ticket = open_ticket(customer, "Lamp flickers", body="Since yesterday")

    change_subject(ticket=ticket, subject="Dimmer switch broken", by=Actor.of(admin_user))

    assert numbers(search_tickets(user=admin_user, query="dimmer")) == [ticket.pk]
    assert search_tickets(user=admin_user, query="flickers") == []


def test_after_a_merge_the_sources_messages_find_the_target(admin_user, customer, open_ticket):
    source = open_ticket(customer, "Lamp flickers", body="The kitchen lamp flickers")
    target = open_ticket(customer, "Light problem", body="Please call me")

    merge_tickets(source=source, target=target, by=Actor.of(admin_user))

    assert numbers(search_tickets(user=admin_user, query="kitchen")) == [target.pk]


def test_after_a_merge_the_source_is_still_found_by_its_own_subject(admin_user, customer, open_ticket):
    source = open_ticket(customer, "Lamp flickers", body="The kitchen lamp flickers")
    target = open_ticket(customer, "Light problem", body="Please call me")

    merge_tickets(source=source, target=target, by=Actor.of(admin_user))

    assert sorted(numbers(search_tickets(user=admin_user, query="flickers"))) == [source.pk, target.pk]
    assert SearchDocument.objects.filter(ticket=source).count() == 1  # its subject alone


def test_a_merge_keeps_internal_notes_hidden_from_customers(admin_user, customer, open_ticket):
    source = open_ticket(customer, "Lamp flickers")
    add_internal_note(ticket=source, by=Actor.of(admin_user), body="watchlist")
    target = open_ticket(customer, "Light problem")

    merge_tickets(source=source, target=target, by=Actor.of(admin_user))

    assert search_tickets(user=customer, query="watchlist") == []
    assert numbers(search_tickets(user=admin_user, query="watchlist")) == [target.pk]


def test_a_deleted_ticket_leaves_nothing_in_the_index(admin_user, customer, open_ticket):
    ticket = open_ticket(customer, "Lamp flickers")
    reply_to_ticket(ticket=ticket, by=Actor.of(admin_user), body="Try another bulb")

    Ticket.objects.filter(pk=ticket.pk).delete()

    assert SearchDocument.objects.count() == 0
    assert search_tickets(user=admin_user, query="bulb") == []


def test_a_rolled_back_message_is_not_indexed(admin_user, customer, open_ticket):
    ticket = open_ticket(customer, "Lamp flickers")

    with pytest.raises(RuntimeError), transaction.atomic():
        reply_to_ticket(ticket=ticket, by=Actor.of(admin_user), body="Try another bulb")
        raise RuntimeError("the request failed after the reply")

    assert search_tickets(user=admin_user, query="bulb") == []


def test_rebuilding_indexes_rows_written_without_the_services(admin_user):
    ticket = TicketFactory(subject="Imported from the old helpdesk")
    MessageFactory(ticket=ticket, body="Legacy conversation about a refund")
    MessageFactory(ticket=ticket, body="A note about the audit", internal=True)
    bare = TicketFactory(subject="Imported without messages")

    count = rebuild_index(batch_size=2)

    assert count == 3
    assert numbers(search_tickets(user=admin_user, query="legacy refund")) == [ticket.pk]
    assert numbers(search_tickets(user=admin_user, query="audit")) == [ticket.pk]
    assert search_tickets(user=ticket.requester, query="audit") == []
    assert numbers(search_tickets(user=admin_user, query="without")) == [bare.pk]


def test_rebuilding_replaces_what_was_indexed_before(admin_user, customer, open_ticket):
    ticket = open_ticket(customer, "Lamp flickers", body="Since yesterday")
    Message.objects.filter(ticket=ticket).update(body="Since the storm")  # behind the index's back

    rebuild_index(batch_size=1000)

    assert numbers(search_tickets(user=admin_user, query="storm")) == [ticket.pk]
    assert search_tickets(user=admin_user, query="yesterday") == []
    assert SearchDocument.objects.count() == 1


def test_rebuilding_orders_documents_by_when_the_text_was_written(admin_user):
    newer = TicketFactory(subject="Lamp broken")
    older = TicketFactory(subject="Lamp broken")
    MessageFactory(ticket=newer, body="hello", created_at=newer.created_at.replace(year=2030))
    MessageFactory(ticket=older, body="hello", created_at=older.created_at.replace(year=2020))

    rebuild_index()

    assert numbers(search_tickets(user=admin_user, query="lamp")) == [newer.pk, older.pk]


def test_rebuilding_an_empty_database_is_fine():
    assert rebuild_index() == 0


def test_the_rebuild_command_reports_progress_and_the_total(admin_user, customer, open_ticket):
    for n in range(3):
        open_ticket(customer, f"Lamp {n}")
    out = StringIO()

    call_command("rebuild_search_index", batch_size=2, stdout=out)

    assert "2/3" in out.getvalue()
    assert "Indexed 3 documents" in out.getvalue()
    assert len(search_tickets(user=admin_user, query="lamp")) == 3
