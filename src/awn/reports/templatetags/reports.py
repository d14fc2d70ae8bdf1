"""Formatting of report numbers: durations, percentages and scores, localized, with a dash for no data."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()

NO_DATA = "—"


@register.filter
def duration(seconds) -> str:
    """Seconds as the two largest units: "3 d 4 h", "2 h 5 min", "45 min", "30 s"."""
    if seconds is None:
        return NO_DATA
    seconds = int(round(float(seconds)))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)s min") % {"minutes": minutes}
    return _("%(seconds)s s") % {"seconds": secs}


@register.filter
def percent(ratio) -> str:
    if ratio is None:
        return NO_DATA
    return _("%(value)s%%") % {"value": number_format(round(100 * float(ratio), 1), 1, use_l10n=True)}


@register.filter
def score(value) -> str:
    if value is None:
        return NO_DATA
    return number_format(round(float(value), 1), 1, use_l10n=True)


@register.filter
def decimal(value, places: int = 1) -> str:
    if value is None:
        return NO_DATA
    return number_format(round(float(value), int(places)), int(places), use_l10n=True)
