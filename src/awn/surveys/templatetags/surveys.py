"""Survey pieces other apps' templates include: rating links under an emailed reply, the portal's buttons."""

from __future__ import annotations

from django import template

from awn.surveys import links, selectors
from awn.surveys.links import rating_labels
from awn.surveys.models import Rating, SatisfactionRating
from awn.surveys.services import SOLVED_STATUSES

register = template.Library()


@register.simple_tag
def csat_reply_links(message) -> list[links.Link]:
    """The good/okay/bad links for an emailed public reply, or [] when this reply is not to be rated."""
    ticket = message.ticket
    if message.internal or message.author is None or not message.author.is_staff_member:
        return []
    if not selectors.settings_for_team(ticket.team_id).csat_on_replies or not selectors.may_survey_ticket(
        ticket
    ):
        return []
    return links.csat_links(ticket_id=ticket.pk, message_id=message.pk, customer_id=ticket.requester_id)


def _portal_state(ticket, user) -> dict:
    """Everything the portal's rating buttons need for one ticket, read once per page."""
    state = getattr(ticket, "_survey_portal_state", None)
    if state is None:
        settings = selectors.settings_for_team(ticket.team_id)
        allowed = user.is_authenticated and user.pk == ticket.requester_id and selectors.may_survey(user)
        ratings = {}
        if allowed:
            ratings = {
                row.message_id: row for row in SatisfactionRating.objects.filter(ticket=ticket, customer=user)
            }
        state = {"settings": settings, "allowed": allowed, "ratings": ratings}
        ticket._survey_portal_state = state
    return state


def _choices() -> list[tuple[int, str]]:
    labels = rating_labels()
    return [(value, labels[value]) for value in (Rating.GOOD, Rating.OKAY, Rating.BAD)]


@register.inclusion_tag("surveys/portal/_reply_rating.html", takes_context=True)
def portal_reply_rating(context, ticket, message) -> dict:
    user = context["user"]
    state = _portal_state(ticket, user)
    show = bool(
        state["allowed"]
        and state["settings"].csat_on_replies
        and not message.internal
        and message.author_id
        and message.author_id != user.pk
        and message.is_from_staff
    )
    return {
        "show": show,
        "ticket": ticket,
        "message": message,
        "choices": _choices(),
        "current": state["ratings"].get(message.pk),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("surveys/portal/_ticket_rating.html", takes_context=True)
def portal_ticket_rating(context, ticket) -> dict:
    user = context["user"]
    state = _portal_state(ticket, user)
    show = bool(state["allowed"] and state["settings"].csat_on_solve and ticket.status in SOLVED_STATUSES)
    return {
        "show": show,
        "ticket": ticket,
        "choices": _choices(),
        "current": state["ratings"].get(None),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def rating_label(value: int) -> str:
    return rating_labels().get(value, "")
