"""The report digest: yesterday's (daily) or last week's (weekly, on Mondays) headline numbers, emailed to
managers (default weekly) and to admins who asked for it, through the outbox.

`queue_digests` runs once a day (tasks.py) and queues one outbox item per recipient and period; the item's
key makes a second run of the same day queue nothing. The numbers are computed when the item is delivered,
in the recipient's scope, language and timezone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone as dj_timezone
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from awn.accounts.models import Role, User
from awn.core import clock
from awn.outbox.models import OutboxItem
from awn.outbox.registry import PermanentFailure
from awn.outbox.services import enqueue
from awn.reports.models import DigestSubscription
from awn.reports.selectors import ReportFilters, scope_for, summary

DIGEST = "reports.digest"
Frequency = DigestSubscription.Frequency
SEND_FROM_HOUR = 6  # local time: the digest is in the inbox at the start of the day, not at midnight


def _key(person: User, frequency: str, today: date) -> str:
    return f"{DIGEST}:{person.pk}:{frequency}:{today.isoformat()}"


def _zone(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def period_for(frequency: str, today: date) -> tuple[date, date] | None:
    """The local dates a digest sent on `today` covers: yesterday, or (on Mondays) the week before."""
    if frequency == Frequency.DAILY:
        return today - timedelta(days=1), today - timedelta(days=1)
    if frequency == Frequency.WEEKLY and today.weekday() == 0:
        return today - timedelta(days=7), today - timedelta(days=1)
    return None


def recipients() -> list[tuple[User, str]]:
    """(person, frequency) of everyone who gets a digest: managers weekly unless they chose otherwise, admins
    only when they chose one."""
    chosen = dict(DigestSubscription.objects.values_list("user_id", "frequency"))
    people = User.objects.filter(is_active=True, role__in=(Role.MANAGER, Role.ADMIN)).order_by("pk")
    found = []
    for person in people:
        default = Frequency.WEEKLY if person.role == Role.MANAGER else Frequency.NEVER
        frequency = chosen.get(person.pk, default)
        if frequency != Frequency.NEVER:
            found.append((person, frequency))
    return found


def queue_digests(*, now: datetime | None = None) -> int:
    """Queue the digests due today (each recipient's today, in their timezone); idempotent per day."""
    now = now or clock.now()
    queued = 0
    with transaction.atomic():
        for person, frequency in recipients():
            local = now.astimezone(_zone(person))
            if local.hour < SEND_FROM_HOUR:
                continue
            today = local.date()
            if OutboxItem.objects.filter(idempotency_key=_key(person, frequency, today)).exists():
                continue
            period = period_for(frequency, today)
            if period is None:
                continue
            item = enqueue(
                kind=DIGEST,
                payload={"user": person.pk, "start": period[0].isoformat(), "end": period[1].isoformat()},
                key=_key(person, frequency, today),
            )
            queued += item is not None
    return queued


def render_digest(person: User, start: date, end: date) -> tuple[str, str]:
    """(subject, text body) of one digest, in the recipient's language, scope and timezone."""
    zone = _zone(person)
    filters = ReportFilters(start=start, end=end, timezone=str(zone.key))
    numbers = summary(scope_for(person), filters)
    language = person.language or settings.LANGUAGE_CODE
    with translation.override(language), dj_timezone.override(zone):
        # Dates as the recipient reads them ("23 نوفمبر، 2026"), not ISO.
        if start == end:
            subject = _("Support report for %(day)s") % {"day": date_format(start, "DATE_FORMAT")}
        else:
            subject = _("Support report for %(start)s – %(end)s") % {
                "start": date_format(start, "DATE_FORMAT"),
                "end": date_format(end, "DATE_FORMAT"),
            }
        query = f"?start={start.isoformat()}&end={end.isoformat()}"
        body = render_to_string(
            "reports/digest.txt",
            {
                "person": person,
                "numbers": numbers,
                "start": start,
                "end": end,
                "url": settings.AWN_BASE_URL + reverse("reports:dashboard") + query,
                "helpdesk": settings.AWN_HELPDESK_NAME,
            },
        )
    return subject, body


def deliver_digest(item: OutboxItem) -> None:
    """Outbox sender: compute and email one digest."""
    person = User.objects.filter(pk=item.payload.get("user"), is_active=True).first()
    if person is None or person.role not in (Role.MANAGER, Role.ADMIN):
        raise PermanentFailure("the recipient is gone or no longer a manager")
    try:
        start = date.fromisoformat(item.payload["start"])
        end = date.fromisoformat(item.payload["end"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentFailure(f"bad digest period: {exc}") from exc
    subject, body = render_digest(person, start, end)
    EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
        headers={"Auto-Submitted": "auto-generated", "Message-ID": f"<{item.idempotency_key}@awn>"},
    ).send()
