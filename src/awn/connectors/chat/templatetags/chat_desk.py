"""The chat panel on a ticket page: the live chat behind the ticket, its visitor and the pages they saw."""

from __future__ import annotations

from django import template

from awn.connectors.chat import presence, selectors

register = template.Library()


@register.inclusion_tag("chat/desk/_ticket_panel.html", takes_context=True)
def chat_ticket_panel(context, ticket):
    request = context.get("request")
    user = getattr(request, "user", None)
    if ticket is None or user is None or ticket.channel != "chat":
        return {"session": None}
    session = selectors.session_of_ticket(user=user, ticket=ticket)
    if session is None:
        return {"session": None}
    return {
        "session": session,
        "pages": selectors.pages_seen(session.visitor, limit=10),
        "online": presence.visitor_is_live(session.visitor_id),
        "csrf_token": context.get("csrf_token"),
        "user": user,
    }
