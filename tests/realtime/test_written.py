"""A new ticket reaches the desks once: its opening message leaves the live update to "ticket.created"."""

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


def dispatched_events(monkeypatch, capture_on_commit, customer, team, **extra):
    """Create a ticket; return it and its events as dispatched after the commit, in order."""
    events = []
    for name in ("ticket.message_added", "ticket.created"):
        monkeypatch.setitem(HANDLERS, name, [events.append])
    with capture_on_commit(execute=True):
        ticket = create_ticket(
            requester=customer, subject="Printer", body="It jams", team=team, by=Actor.of(customer), **extra
        )
    return ticket, events


def listening(*groups):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    for group in groups:
        async_to_sync(layer.group_add)(group, channel)
    return channel


def frames(channel):
    """Every frame waiting on the in-memory layer's channel, without blocking."""
    queue = get_channel_layer().channels.get(channel)
    found = []
    while queue is not None and not queue.empty():
        _expires, message = queue.get_nowait()
        found.append(json.loads(message["frame"]))
    return found


def test_a_new_ticket_reaches_the_lists_once_and_its_opening_message_reads_nothing(
    monkeypatch, django_capture_on_commit_callbacks, django_assert_num_queries, customer, team
):
    ticket, (opening, created) = dispatched_events(
        monkeypatch, django_capture_on_commit_callbacks, customer, team
    )
    desk, page = listening(DESK_ALL), listening(ticket_group(ticket.pk))

    with django_assert_num_queries(0):
        on_ticket_event(opening)
    on_ticket_event(created)

    (notice,) = frames(desk)
    assert (notice["name"], notice["ticket"], notice["team"]) == ("ticket.created", ticket.pk, team.pk)
    assert notice["status"] == ticket.status
    assert frames(page) == []  # nobody has the page of a ticket this new open


def test_an_opening_message_with_files_still_reaches_the_page_with_them(
    monkeypatch, django_capture_on_commit_callbacks, customer, team
):
    files = [IncomingFile(filename="log.txt", content=b"E42", content_type="text/plain")]
    ticket, (opening, _created) = dispatched_events(
        monkeypatch, django_capture_on_commit_callbacks, customer, team, attachments=files
    )
    page = listening(ticket_group(ticket.pk))

    on_ticket_event(opening)

    (shown,) = frames(page)
    assert shown["message"]["files"] == [{"name": "log.txt", "size": 3}]
    assert "It jams" in shown["message"]["html"]
