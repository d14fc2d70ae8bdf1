"""Placeholders in saved replies and rule messages: `{{ ticket.number }}`, `{{ requester.first_name }}`, ….

Deliberately not the Django template language: admins write these texts and customers read the result, so
only the names listed in PLACEHOLDERS can be reached (no attribute walking, no filters, no tags).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from awn.core import clock

PATTERN = re.compile(r"\{\{\s*([a-z_]+)\.([a-z_]+)\s*\}\}")


def _next_open(ticket, agent, now: datetime) -> str:
    from zoneinfo import ZoneInfo

    from awn.calendars.business_hours import next_open
    from awn.calendars.selectors import schedule_for

    schedule = schedule_for(None)
    if schedule is None:
        return ""
    moment = next_open(schedule, now)
    zone = getattr(ticket.requester, "timezone", "") or schedule.timezone
    try:
        local = moment.astimezone(ZoneInfo(zone))
    except (ValueError, KeyError):
        local = moment.astimezone(ZoneInfo(schedule.timezone))
    return formats.date_format(local, "DATETIME_FORMAT")


def _person(attribute: str, role: str) -> Callable[[Any, Any, datetime], str]:
    def read(ticket, agent, now) -> str:
        person = ticket.requester if role == "requester" else agent
        if person is None:
            return settings.AWN_HELPDESK_NAME if role == "agent" and attribute != "email" else ""
        if attribute == "name":
            return person.display_name
        if attribute == "first_name":
            return person.first_name
        return person.email

    return read


PLACEHOLDERS: dict[tuple[str, str], Callable[[Any, Any, datetime], str]] = {
    ("ticket", "number"): lambda t, a, n: str(t.number),
    ("ticket", "subject"): lambda t, a, n: t.subject,
    ("ticket", "status"): lambda t, a, n: str(t.get_status_display()),
    ("ticket", "priority"): lambda t, a, n: str(t.get_priority_display()),
    ("ticket", "url"): lambda t, a, n: settings.AWN_BASE_URL + reverse("portal:ticket", args=[t.number]),
    ("requester", "name"): _person("name", "requester"),
    ("requester", "first_name"): _person("first_name", "requester"),
    ("requester", "email"): _person("email", "requester"),
    ("agent", "name"): _person("name", "agent"),
    ("agent", "first_name"): _person("first_name", "agent"),
    ("agent", "email"): _person("email", "agent"),
    ("organization", "name"): lambda t, a, n: t.organization.name if t.organization_id else "",
    ("helpdesk", "name"): lambda t, a, n: settings.AWN_HELPDESK_NAME,
    ("business", "next_open"): _next_open,
}


def unknown_placeholders(text: str) -> list[str]:
    """Placeholders in `text` that render() would not know, for validation messages."""
    return sorted(
        {m.group(0) for m in PATTERN.finditer(text or "") if (m.group(1), m.group(2)) not in PLACEHOLDERS}
    )


def check_text(text: str, *, field: str = "body") -> None:
    from awn.core.errors import ValidationFailed

    unknown = unknown_placeholders(text)
    if unknown:
        raise ValidationFailed(
            _("Unknown placeholders: %(names)s.") % {"names": ", ".join(unknown)}, field=field
        )


def render(text: str, *, ticket, agent=None, language: str | None = None, now: datetime | None = None) -> str:
    """`text` with each known placeholder replaced; unknown ones are left as written."""
    now = now or clock.now()
    language = language or ticket.language or settings.LANGUAGE_CODE

    def replace(match: re.Match[str]) -> str:
        read = PLACEHOLDERS.get((match.group(1), match.group(2)))
        return read(ticket, agent, now) if read is not None else match.group(0)

    with translation.override(language):
        return PATTERN.sub(replace, text or "")


def choose_variant(default: str, variants: dict[str, str], *languages: str | None) -> str:
    """The text for the first of `languages` that has a variant (ticket, then requester), else the default."""
    for language in languages:
        if language and language in variants and variants[language].strip():
            return variants[language]
        short = (language or "").split("-")[0]
        if short and short in variants and variants[short].strip():
            return variants[short]
    return default
