"""Suggesting articles while someone types a request, and telling when one answered them (a deflection).

The form being typed in (the portal's new request, the public contact form, later the chat widget) asks for
suggestions as the text changes. The first answer opens a `SuggestionSession` whose token the form then sends
back with every later request, so each suggested article is counted once per session. Opening a suggestion
marks the session as read; a request created by the same person afterwards marks it submitted (a
"ticket.created" handler, see events.py). A session read and never submitted is a deflection once
`metrics.ABANDON_AFTER` has passed, or at once when the reader says the article answered them.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Q

from awn.core import clock
from awn.core.prepared import PreparedRead
from awn.knowledge import metrics
from awn.knowledge.models import Article, ArticleTranslation, SuggestionSession
from awn.knowledge.selectors import search_help_center
from awn.tickets.models import Ticket

MAX_SUGGESTIONS = 5
MIN_QUERY = 3  # characters typed before suggesting anything
SESSION_MATCH_WINDOW = timedelta(hours=2)  # a request this soon after reading belongs to the same session


def email_hash(email: str) -> str:
    email = (email or "").strip().lower()
    return hashlib.sha256(email.encode()).hexdigest() if "@" in email else ""


def _session(token: str) -> SuggestionSession | None:
    if not token or len(token) > 40:
        return None
    return SuggestionSession.objects.filter(token=token).first()


@transaction.atomic
def suggest(
    *, user, token: str, source: str, language: str, text: str, email: str = ""
) -> tuple[SuggestionSession | None, list[ArticleTranslation]]:
    """Articles matching what is being typed; opens or continues the session and counts new suggestions."""
    if len((text or "").strip()) < MIN_QUERY:
        return _session(token), []
    articles = search_help_center(user=user, query=text, language=language, limit=MAX_SUGGESTIONS)
    session = _session(token)
    now = clock.now()
    if session is None:
        if not articles:
            return None, []
        session = SuggestionSession(
            token=secrets.token_urlsafe(24), source=source, language=language, started_at=now
        )
    if user is not None and user.is_authenticated:
        session.user = user
    if email_hash(email):
        session.email_hash = email_hash(email)
    shown = set(session.shown or [])
    new = [t.article_id for t in articles if t.article_id not in shown]
    session.shown = [*session.shown, *new]
    session.last_seen_at = now
    session.save()
    for translation in articles:
        if translation.article_id in new:
            metrics.record_suggested(article_ids=[translation.article_id], language=translation.language)
    return session, articles


@transaction.atomic
def open_suggestion(*, token: str, article: Article, language: str) -> bool:
    """The reader opened a suggested article; False when the token names no session (a shared link)."""
    session = _session(token)
    if session is None or article.pk not in (session.shown or []):
        return False
    now = clock.now()
    session.read_article, session.read_at, session.last_seen_at = article, now, now
    session.save(update_fields=["read_article", "read_at", "last_seen_at"])
    metrics.record_suggestion_open(article_id=article.pk, language=language)
    return True


@transaction.atomic
def confirm_answered(*, token: str) -> bool:
    """The reader says the article answered them: a deflection now, unless they send the request anyway."""
    session = _session(token)
    if session is None or session.read_article_id is None or session.submitted_at is not None:
        return False
    session.confirmed_at = clock.now()
    session.save(update_fields=["confirmed_at"])
    return True


def mark_submitted(*, ticket: Ticket) -> int:
    """A request was created: the requester's recent suggestion sessions did not deflect it."""
    requester = ticket.requester
    return mark_submitted_by(ticket_id=ticket.pk, requester_id=requester.pk, email=requester.email)


def mark_submitted_by(*, ticket_id: int, requester_id: int, email: str) -> int:
    """mark_submitted from the ticket's and requester's ids alone. Most requesters saw no suggestions: one
    read, with SQL built once per process, finds that; the UPDATE runs only when there are sessions."""
    return mark_sessions_submitted(open_sessions(requester_id=requester_id, email=email), ticket_id=ticket_id)


def open_sessions(*, requester_id: int, email: str) -> list[int]:
    """The requester's suggestion sessions that a request they file now would end (their ids)."""
    since = clock.now() - SESSION_MATCH_WINDOW
    return [
        row["pk"]
        for row in _OPEN_SESSIONS.rows(user_id=requester_id, email_hash=email_hash(email), since=since)
    ]


def mark_sessions_submitted(found: list[int], *, ticket_id: int) -> int:
    """End the sessions `open_sessions` found with the ticket filed: they did not deflect it."""
    if not found:
        return 0
    now = clock.now()
    return SuggestionSession.objects.filter(
        pk__in=found, submitted_at__isnull=True, last_seen_at__gte=now - SESSION_MATCH_WINDOW
    ).update(submitted_at=now, ticket_id=ticket_id, confirmed_at=None)


# The requester's sessions not yet ended by a request, seen within the window: their own, or an anonymous
# visitor's with their address.
_OPEN_SESSIONS = PreparedRead(
    lambda user_id, email_hash, since: SuggestionSession.objects.filter(
        Q(user_id=user_id) | Q(user__isnull=True, email_hash=email_hash),
        submitted_at__isnull=True,
        last_seen_at__gte=since,
    ).values("pk"),
    user_id=-7_000_001,
    email_hash="\x00email_hash",
    since=datetime(1, 1, 2, tzinfo=UTC),
)
