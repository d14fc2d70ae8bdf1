"""Messages the helpdesk itself writes (automation rules, tier changes): no author, never a response.

An acknowledgement or a reminder is public but is not an agent's answer, so it sets neither the first-response
time nor the last agent message; a note written by a rule has no author either. Only system actors
(`Actor.system("automation: …")`) may write them: code, never a request, builds those.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from awn.core.errors import NotPermitted
from awn.tickets.models import Message, Status, Ticket
from awn.tickets.services.actors import Actor
from awn.tickets.services.messages import _add_message


def _require_system(by: Actor) -> None:
    if by.user is not None:
        raise NotPermitted(_("Only the system writes automated messages."))


@transaction.atomic
def add_automated_reply(*, ticket: Ticket, by: Actor, body: str = "", html: str = "") -> Message:
    """A public message from the helpdesk to the requester (acknowledgement, reminder, out-of-hours)."""
    _require_system(by)
    if ticket.status == Status.CLOSED:
        raise NotPermitted(_("This ticket is closed."))
    return _add_message(ticket=ticket, author=None, by=by, body=body, html=html, channel=ticket.channel)


@transaction.atomic
def add_system_note(*, ticket: Ticket, by: Actor, body: str = "", html: str = "") -> Message:
    """An internal note written by the system (a rule's note, an escalation reason given by a rule)."""
    _require_system(by)
    return _add_message(
        ticket=ticket, author=None, by=by, body=body, html=html, channel=ticket.channel, internal=True
    )
