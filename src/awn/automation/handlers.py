"""Automation's reactions to ticket events (registered in AutomationConfig.ready, see core/events.py).

For each event, run the rules listening to it (a customer's message arrives with its language already
detected and stored by the ticket service, in the message's own transaction). Routing's own handler
(assignment on arrival) runs after this one (INSTALLED_APPS order).
"""

from __future__ import annotations

from awn.automation import engine
from awn.automation.models import Rule
from awn.core.events import DomainEvent, subscribe
from awn.tickets.models import Message


def on_ticket_created(event: DomainEvent) -> None:
    if event.ticket_id is not None:
        engine.run_triggers(event.ticket_id, Rule.Event.CREATED, cause=event.cause)


def on_message_added(event: DomainEvent) -> None:
    if event.ticket_id is None or event.data.get("internal") or not event.data.get("message_id"):
        return
    if event.data.get("opening") and not event.data.get("from_staff"):
        # A customer's first message is part of the ticket's creation ("ticket created" rules see it), and
        # the ticket service stored its language with it.
        return
    if not event.data.get("from_staff") and not engine.rulebook().groups(Rule.Event.CUSTOMER_MESSAGE):
        return  # no rule listens to customers' messages: nothing to read
    message = Message.objects.select_related("author").filter(pk=event.data["message_id"]).first()
    if message is None or message.author is None:
        return  # the helpdesk's own messages (automated replies, system notes) trigger nothing
    if message.author.is_staff_member:
        from awn.automation.saved_replies import apply_pending_actions

        apply_pending_actions(message)
        engine.run_triggers(event.ticket_id, Rule.Event.AGENT_MESSAGE, message=message, cause=event.cause)
        return
    if Message.objects.filter(ticket_id=event.ticket_id, pk__lt=message.pk).exists():
        # The first message of a ticket is part of its creation: "ticket created" rules see it.
        engine.run_triggers(event.ticket_id, Rule.Event.CUSTOMER_MESSAGE, message=message, cause=event.cause)


def on_ticket_updated(event: DomainEvent) -> None:
    if event.ticket_id is not None:
        engine.run_triggers(
            event.ticket_id, Rule.Event.UPDATED, changed=event.data.get("changed", ()), cause=event.cause
        )


def register() -> None:
    subscribe("ticket.message_added", on_message_added)
    subscribe("ticket.created", on_ticket_created)
    subscribe("ticket.updated", on_ticket_updated)
