"""A new ticket's opening message reaches the desks as the ticket service wrote it, not read back."""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from awn.core.events import HANDLERS
from awn.realtime.events import on_ticket_event
from awn.realtime.groups import DESK_ALL, ticket_group
from awn.tickets.inbound import IncomingFile
from awn.tickets.services import Actor, create_ticket

pytestmark = pytest.mark.django_db


def opening_event(monkeypatch, capture_on_commit, customer, team, **extra):
    """Create a ticket and return its "ticket.message_added" event as dispatched after the commit."""
    events = []
    monkeypatch.setitem(HANDLERS, "ticket.message_added", [events.append])
    with capture_on_commit(execute=True):
        ticket = create_ticket(
            requester=customer, subject="Printer", body="It jams", team=team, by=Actor.of(customer), **extra
        )
    (event,) = events
    return ticket, event


def received(channel):
    layer = get_channel_layer()
    return async_to_sync(layer.receive)(channel)


def test_the_opening_message_is_broadcast_without_a_query(
    monkeypatch, django_capture_on_commit_callbacks, django_assert_num_queries, customer, team
):
    ticket, event = opening_event(monkeypatch, django_capture_on_commit_callbacks, customer, team)
    layer = get_channel_layer()
    desk, page = async_to_sync(layer.new_channel)(), async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(DESK_ALL, desk)
    async_to_sync(layer.group_add)(ticket_group(ticket.pk), page)

    with django_assert_num_queries(0):
        on_ticket_event(event)

    listed = json.loads(received(desk)["frame"])
    shown = json.loads(received(page)["frame"])
    assert (listed["ticket"], listed["team"], listed["name"]) == (ticket.pk, team.pk, "ticket.message_added")
    message = ticket.messages.get()
    assert shown["message"]["id"] == message.pk and "It jams" in shown["message"]["html"]
    assert shown["message"]["name"] == customer.display_name and shown["message"]["files"] == []


def test_an_opening_message_with_files_is_read_back_with_them(
    monkeypatch, django_capture_on_commit_callbacks, customer, team
):
    files = [IncomingFile(filename="log.txt", content=b"E42", content_type="text/plain")]
    ticket, event = opening_event(
        monkeypatch, django_capture_on_commit_callbacks, customer, team, attachments=files
    )
    layer = get_channel_layer()
    page = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(ticket_group(ticket.pk), page)

    on_ticket_event(event)

    assert json.loads(received(page)["frame"])["message"]["files"] == [{"name": "log.txt", "size": 3}]
