import pytest

from awn.tickets.services import Actor, create_ticket


@pytest.fixture
def open_ticket():
    """Open a ticket as its requester through the service, the way every channel does."""

    def make(requester, subject, body="Hello", **kwargs):
        return create_ticket(
            requester=requester, subject=subject, body=body, by=Actor.of(requester), **kwargs
        )

    return make


def numbers(tickets):
    return [ticket.pk for ticket in tickets]
