"""Every write to tickets goes through these services (DESIGN.md §4); see the submodules."""

from awn.tickets.services.actors import Actor
from awn.tickets.services.changes import (
    add_followers,
    assign_ticket,
    change_priority,
    change_status,
    change_subject,
    change_team,
    set_tags,
    update_ticket,
)
from awn.tickets.services.merge import merge_tickets
from awn.tickets.services.messages import (
    add_customer_message,
    add_internal_note,
    create_ticket,
    log_phone_call,
    receive_message,
    reply_to_ticket,
)

__all__ = [
    "Actor",
    "add_customer_message",
    "add_followers",
    "add_internal_note",
    "assign_ticket",
    "change_priority",
    "change_status",
    "change_subject",
    "change_team",
    "create_ticket",
    "log_phone_call",
    "merge_tickets",
    "receive_message",
    "reply_to_ticket",
    "set_tags",
    "update_ticket",
]
