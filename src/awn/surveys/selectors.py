"""Reads: the survey settings in force for a team, who may be surveyed, ratings a viewer may see."""

from __future__ import annotations

import re

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from awn.accounts.models import STAFF_ROLES, Role, User
from awn.surveys.models import NpsResponse, SatisfactionRating, SurveySettings
from awn.tickets.models import Message, Ticket


def global_settings() -> SurveySettings:
    """The installation-wide row (unsaved defaults when nobody has saved one yet)."""
    return SurveySettings.objects.filter(team__isnull=True).first() or SurveySettings(team=None)


def settings_for_team(team_id: int | None) -> SurveySettings:
    """A team's own settings when it has them, else the global ones."""
    if team_id is not None:
        own = SurveySettings.objects.filter(team_id=team_id).first()
        if own is not None:
            return own
    return global_settings()


# Senders that say nobody reads replies (the same shapes the inbound mail filter treats as automatic).
_NOREPLY = re.compile(
    r"^(no-?reply|do-?not-?reply|donotreply|notifications?|bounces?|mailer-daemon|postmaster)([+.-][^@]*)?@",
    re.IGNORECASE,
)


# Names of the inbound mail filters whose findings mark a message automatic (connectors/email/filters.py);
# ingestion records them in the raw email's reason as "<filter name>: <why>".
def may_survey(customer: User) -> bool:
    """A real person with a real address: never staff, a disabled account, or a placeholder address such as
    an anonymous chat visitor's (`.invalid`, RFC 2606)."""
    email = (customer.email or "").lower()
    return bool(
        customer.is_active
        and customer.role == Role.CUSTOMER
        and "@" in email
        and not email.endswith(".invalid")
        and not _NOREPLY.match(email)
    )


def started_by_automated_mail(ticket: Ticket) -> bool:
    """Whether the ticket's first message was mail a program sent (RFC 3834 headers, bulk, no-reply)."""
    from awn.connectors.email.models import RawEmail

    first = (
        Message.objects.filter(ticket=ticket).order_by("created_at", "id").values_list("pk", flat=True)[:1]
    )
    from awn.connectors.email.reasons import marked_automatic

    rows = RawEmail.objects.filter(message_id__in=first).values_list("reasons", "reason")[:1]
    return any(marked_automatic(items, text) for items, text in rows)


def may_survey_ticket(ticket: Ticket) -> bool:
    """Whether the ticket's requester may be asked about it at all."""
    return (
        ticket.merged_into_id is None
        and may_survey(ticket.requester)
        and not started_by_automated_mail(ticket)
    )


def ratable_reply(ticket: Ticket, message_id: int) -> Message | None:
    """The public reply written by staff on this ticket that its customer may rate, or None."""
    return (
        Message.objects.select_related("author")
        .filter(pk=message_id, ticket=ticket, internal=False, author__role__in=STAFF_ROLES)
        .first()
    )


def ratings_for_ticket(ticket: Ticket) -> list[SatisfactionRating]:
    return list(
        SatisfactionRating.objects.filter(ticket=ticket)
        .select_related("agent", "customer", "message")
        .order_by("created_at", "id")
    )


def ratings_visible_to(user: User) -> QuerySet[SatisfactionRating]:
    """Ratings on the tickets `user` may see (DESIGN.md §5).

    A correlated EXISTS, probed by primary key for each rating read, rather than `ticket IN (…)`: SQLite
    materializes an IN list first, i.e. every ticket an agent may see, before reading a single rating.
    """
    if user.is_authenticated and user.role == Role.ADMIN and user.is_active:
        return SatisfactionRating.objects.all()
    visible = Ticket.objects.visible_to(user).filter(pk=OuterRef("ticket_id"))
    return SatisfactionRating.objects.filter(Exists(visible))


def customer_summary(*, viewer: User, customer: User) -> dict:
    """A customer's ratings (on tickets the viewer may see) counted by value, their latest ones, last NPS."""
    ratings = ratings_visible_to(viewer).filter(customer=customer)
    counts = ratings.aggregate(
        good=Count("pk", filter=Q(rating=3)),
        okay=Count("pk", filter=Q(rating=2)),
        bad=Count("pk", filter=Q(rating=1)),
    )
    latest = list(ratings.select_related("ticket").order_by("-created_at", "-id")[:3])
    nps = (
        NpsResponse.objects.filter(customer=customer, score__isnull=False)
        .order_by("-answered_at", "-id")
        .first()
    )
    return {"counts": counts, "total": sum(counts.values()), "latest": latest, "nps": nps}


FEEDBACK_PAGE = 50


def recent_ratings(
    *, viewer: User, rating: int | None = None, with_comment: bool = False, before: int | None = None
) -> tuple[list[SatisfactionRating], int | None]:
    """The latest ratings the viewer may see, newest first, one page; and the id to go on from (or None)."""
    rows = ratings_visible_to(viewer).select_related("ticket", "agent", "customer", "team")
    if rating:
        rows = rows.filter(rating=rating)
    if with_comment:
        rows = rows.exclude(comment="")
    if before:
        anchor = SatisfactionRating.objects.filter(pk=before).values_list("created_at", flat=True).first()
        if anchor is not None:
            rows = rows.filter(Q(created_at__lt=anchor) | Q(created_at=anchor, pk__lt=before))
    page = list(rows.order_by("-created_at", "-id")[: FEEDBACK_PAGE + 1])
    more = page[FEEDBACK_PAGE - 1].pk if len(page) > FEEDBACK_PAGE else None
    return page[:FEEDBACK_PAGE], more
