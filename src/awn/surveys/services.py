"""Writes: record a CSAT rating or an NPS answer, save the settings, queue the survey emails."""

from __future__ import annotations

import logging
import unicodedata
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from awn.accounts.models import Role, Team, User
from awn.core import clock
from awn.core.errors import NotPermitted, ValidationFailed
from awn.core.events import DomainEvent, publish
from awn.outbox.services import deliveries_suppressed, enqueue
from awn.surveys import selectors
from awn.surveys.models import NpsResponse, Rating, SatisfactionRating, SurveySettings
from awn.tickets.models import Message, Status, Ticket, TicketEvent

log = logging.getLogger(__name__)

COMMENT_MAX_LENGTH = 2000
SOLVED_STATUSES = (Status.SOLVED, Status.CLOSED)
# How long after a ticket is solved its "how did we do?" mail waits: a ticket reopened in the meantime (the
# customer replying "no, still broken") is not asked, and a reply-and-solve does not land two mails at once.
SOLVED_SURVEY_DELAY = timedelta(hours=1)
# How far back the NPS sweep looks past a team's delay: a worker that was down for a few days catches up,
# switching NPS on does not mail everyone who was ever helped.
NPS_CATCH_UP = timedelta(days=7)
CSAT_SOLVED_MAIL = "surveys.csat_solved"
NPS_MAIL = "surveys.nps"


# Embeddings and overrides can make a comment display as something else (as in "Trojan Source"); the other
# format characters stay: Persian needs the zero-width non-joiner (its half-space), and marks help bidi text.
_BIDI_OVERRIDES = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e"}


def clean_comment(text: str | None) -> str:
    """Plain text only (templates escape it on display): no control characters, bounded length."""
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(
        ch
        for ch in text
        if ch in "\n\t"
        or (unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn") and ch not in _BIDI_OVERRIDES)
    )
    return text.strip()[:COMMENT_MAX_LENGTH]


def _solving_agent(ticket: Ticket) -> int | None:
    """Who solved the ticket: the staff member behind its latest move to solved, else its assignee."""
    actor_id = (
        TicketEvent.objects.filter(
            ticket=ticket,
            kind=TicketEvent.Kind.STATUS,
            new=Status.SOLVED,
            actor__role__in=(Role.AGENT, Role.MANAGER, Role.ADMIN),
        )
        .order_by("-created_at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )
    return actor_id or ticket.assignee_id


@transaction.atomic
def rate(
    *,
    ticket: Ticket,
    customer: User,
    rating: int,
    message: Message | None = None,
    comment: str | None = None,
) -> SatisfactionRating:
    """Record (or change) a customer's rating of one reply, or of the solved ticket when `message` is None.

    A comment of None keeps the one given before; "" clears it.
    """
    if rating not in Rating.values:
        raise ValidationFailed(_("Choose good, okay or bad."), field="rating")
    if customer.pk != ticket.requester_id:
        raise NotPermitted(_("Only the person who asked for help can rate it."))
    if message is not None:
        if selectors.ratable_reply(ticket, message.pk) is None:
            raise NotPermitted(_("Only replies from the support team can be rated."))
        agent_id = message.author_id
    else:
        if ticket.status not in SOLVED_STATUSES and not ticket.solved_at:
            raise NotPermitted(_("A request can be rated once it is solved."))
        agent_id = _solving_agent(ticket)
    now = clock.now()
    existing = (
        SatisfactionRating.objects.select_for_update()
        .filter(ticket=ticket, customer=customer, message=message)
        .first()
    )
    if existing is None:
        try:
            with transaction.atomic():
                existing = SatisfactionRating.objects.create(
                    ticket=ticket,
                    message=message,
                    customer=customer,
                    agent_id=agent_id,
                    team_id=ticket.team_id,
                    rating=rating,
                    comment=clean_comment(comment),
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:  # a second click raced this one; it is the same rating, so change that one
            existing = SatisfactionRating.objects.select_for_update().get(
                ticket=ticket, customer=customer, message=message
            )
        else:
            _announce(existing, created=True)
            return existing
    old = existing.rating
    existing.rating = rating
    if comment is not None:
        existing.comment = clean_comment(comment)
    existing.updated_at = now
    existing.save(update_fields=["rating", "comment", "updated_at"])
    _announce(existing, created=False, old=old)
    return existing


def _announce(row: SatisfactionRating, *, created: bool, old: int | None = None) -> None:
    publish(
        DomainEvent(
            name="survey.rated",
            ticket_id=row.ticket_id,
            data={
                "rating_id": row.pk,
                "message_id": row.message_id,
                "rating": row.rating,
                "old": old,
                "created": created,
                "agent_id": row.agent_id,
                "team_id": row.team_id,
            },
        )
    )


@transaction.atomic
def answer_nps(*, response: NpsResponse, score: int, comment: str | None = None) -> NpsResponse:
    """Record (or change) a customer's answer to an NPS survey."""
    if not isinstance(score, int) or not 0 <= score <= 10:
        raise ValidationFailed(_("Choose a score from 0 to 10."), field="score")
    response = NpsResponse.objects.select_for_update().get(pk=response.pk)
    response.score = score
    if comment is not None:
        response.comment = clean_comment(comment)
    response.answered_at = clock.now()
    response.save(update_fields=["score", "comment", "answered_at"])
    publish(
        DomainEvent(
            name="survey.nps_answered",
            ticket_id=response.ticket_id,
            data={"response_id": response.pk, "score": score},
        )
    )
    return response


SETTING_FIELDS = ("csat_on_replies", "csat_on_solve", "nps_enabled", "nps_delay_days", "nps_period_days")


@transaction.atomic
def save_settings(*, by: User, team: Team | None, **values) -> SurveySettings:
    """Save the global settings (team None) or a team's own."""
    from awn.accounts.permissions import can_administer

    if not can_administer(by):
        raise NotPermitted(_("Only administrators change survey settings."))
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown setting: %(name)s") % {"name": sorted(unknown)[0]})
    row = SurveySettings.objects.select_for_update().filter(team=team).first() or SurveySettings(team=team)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = clock.now()
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def reset_team_settings(*, by: User, team: Team) -> None:
    """A team goes back to the global settings."""
    from awn.accounts.permissions import can_administer

    if not can_administer(by):
        raise NotPermitted(_("Only administrators change survey settings."))
    SurveySettings.objects.filter(team=team).delete()


# --- the "how did we do?" mail after a ticket is solved -------------------------------------------------


def queue_solved_survey(event: DomainEvent) -> None:
    """In the solving transaction: queue the rating request for a solved ticket (sent an hour later)."""
    if "status" not in (event.data.get("changed") or ()) or event.ticket_id is None:
        return
    if deliveries_suppressed():  # the demo replaying history: nothing would be queued anyway
        return
    ticket = Ticket.objects.select_related("requester").filter(pk=event.ticket_id).first()
    if ticket is None or ticket.status != Status.SOLVED:
        return
    if not selectors.settings_for_team(ticket.team_id).csat_on_solve or not selectors.may_survey_ticket(
        ticket
    ):
        return
    enqueue(
        kind=CSAT_SOLVED_MAIL,
        payload={"ticket": ticket.pk},
        key=f"{CSAT_SOLVED_MAIL}:{ticket.pk}",
        delay=SOLVED_SURVEY_DELAY.total_seconds(),
    )


# --- NPS ---------------------------------------------------------------------------------------------------


def _nps_scopes() -> list[tuple[SurveySettings, Q]]:
    """(settings, which tickets they govern) for every scope with NPS switched on."""
    team_rows = list(SurveySettings.objects.filter(team__isnull=False))
    scopes = [(row, Q(team_id=row.team_id)) for row in team_rows if row.nps_enabled]
    overall = selectors.global_settings()
    if overall.nps_enabled:
        scopes.append((overall, Q(team__isnull=True) | ~Q(team_id__in=[row.team_id for row in team_rows])))
    return scopes


def nps_candidates(*, settings: SurveySettings, scope: Q, now, after: tuple | None = None, batch: int = 200):
    """Tickets of the scope solved `nps_delay_days` ago (within the catch-up window), never surveyed, whose
    requester was not asked within the period; as (id, solved_at, requester id), in (solved_at, id) order
    from `after`.

    Who the requester is (a customer, active, a real address) is checked afterwards by primary key: with a
    join on users here, SQLite starts from the users and reads every customer's tickets (0.23 s of CPU per
    batch at 1M tickets, against 0.05 s from the status/updated index; docs/surveys.md).
    """
    due = now - timedelta(days=settings.nps_delay_days)
    earliest = due - NPS_CATCH_UP
    period_start = now - timedelta(days=settings.nps_period_days)
    tickets = (
        Ticket.objects.filter(scope)
        .filter(
            status__in=SOLVED_STATUSES,
            # A ticket solved at t was last updated at or after t: this bound lets the status/updated index
            # do the work instead of reading every solved ticket ever.
            updated_at__gte=earliest,
            solved_at__gt=earliest,
            solved_at__lte=due,
            merged_into__isnull=True,
        )
        .exclude(Exists(NpsResponse.objects.filter(ticket=OuterRef("pk"))))
        .exclude(
            Exists(NpsResponse.objects.filter(customer=OuterRef("requester_id"), sent_at__gte=period_start))
        )
    )
    if after is not None:
        tickets = tickets.filter(Q(solved_at__gt=after[0]) | Q(solved_at=after[0], pk__gt=after[1]))
    return list(tickets.order_by("solved_at", "id").values_list("pk", "solved_at", "requester_id")[:batch])


def _askable_customers(ids: set[int]) -> set[int]:
    """Which of these people may be sent a survey at all (one query by primary key)."""
    people = User.objects.filter(pk__in=ids, role=Role.CUSTOMER, is_active=True).only(
        "pk", "email", "role", "is_active"
    )
    return {person.pk for person in people if selectors.may_survey(person)}


def queue_nps_survey(*, ticket_id: int, settings: SurveySettings, now) -> NpsResponse | None:
    """One ticket: the survey row and its mail in one transaction, or nothing (already asked, not eligible).

    The customer's row is locked first, so two sweeps running at once ask a customer once.
    """
    with transaction.atomic():
        ticket = Ticket.objects.select_related("requester").filter(pk=ticket_id).first()
        if ticket is None:
            return None
        User.objects.select_for_update().filter(pk=ticket.requester_id).first()
        period_start = now - timedelta(days=settings.nps_period_days)
        if NpsResponse.objects.filter(
            Q(ticket=ticket) | Q(customer_id=ticket.requester_id, sent_at__gte=period_start)
        ).exists():
            return None
        if not selectors.may_survey_ticket(ticket):
            return None
        response = NpsResponse.objects.create(customer_id=ticket.requester_id, ticket=ticket, sent_at=now)
        enqueue(kind=NPS_MAIL, payload={"response": response.pk}, key=f"{NPS_MAIL}:{response.pk}")
        return response


def queue_nps_surveys(*, limit: int = 5000) -> int:
    """The periodic sweep: ask every eligible customer whose ticket was solved N days ago; returns how many.

    Each survey commits on its own, so a worker killed in the middle leaves only whole surveys behind, and the
    next run carries on from there (rows already made are excluded by the query and by the unique ticket).
    """
    now = clock.now()
    queued = 0
    for settings, scope in _nps_scopes():
        after = None
        while queued < limit:
            batch = nps_candidates(settings=settings, scope=scope, now=now, after=after)
            if not batch:
                break
            askable = _askable_customers({requester_id for _id, _solved, requester_id in batch})
            for ticket_id, _solved_at, requester_id in batch:
                if requester_id not in askable:
                    continue
                if queue_nps_survey(ticket_id=ticket_id, settings=settings, now=now) is not None:
                    queued += 1
                    if queued >= limit:
                        break
            last_id, last_solved_at, _requester = batch[-1]
            after = (last_solved_at, last_id)
    if queued:
        log.info("queued %s NPS surveys", queued)
    return queued
