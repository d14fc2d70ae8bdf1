"""Every write of the chat channel; messages themselves go through the ticket services (DESIGN.md §3)."""

from awn.connectors.chat.services.agents import (
    accept_chat,
    end_chat,
    mark_read,
    send_agent_message,
    set_availability,
    transfer_chat,
)
from awn.connectors.chat.services.assignment import dispatch_queue, queue_positions
from awn.connectors.chat.services.conversations import (
    leave_offline_message,
    post_visitor_message,
    request_transcript,
    set_visitor_contact,
)
from awn.connectors.chat.services.visitors import greet_visitor, record_page_view

__all__ = [
    "accept_chat",
    "dispatch_queue",
    "end_chat",
    "greet_visitor",
    "leave_offline_message",
    "mark_read",
    "post_visitor_message",
    "queue_positions",
    "record_page_view",
    "request_transcript",
    "send_agent_message",
    "set_availability",
    "set_visitor_contact",
    "transfer_chat",
]
