"""The ticket page's history: TicketEvents as sentences ("Ada changed status from New to Open")."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from awn.accounts.models import Team, User
from awn.core.words import said_again
from awn.sla.models import Target
from awn.tickets.models import Priority, Status, TicketEvent
from awn.tickets.services.actors import system_actor_name

Kind = TicketEvent.Kind
Name = Callable[[Any], str]


@dataclass(frozen=True)
class HistoryLine:
    event: TicketEvent
    text: str  # plain sentence
    html: SafeString  # the same, with names isolated in <bdi> so mixed Arabic/English reads in order

    @property
    def created_at(self) -> datetime:
        return self.event.created_at


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _ids(values: Iterable) -> set[int]:
    found: set[int] = set()
    for value in values:
        if isinstance(value, list):
            found |= {item for item in value if isinstance(item, int)}
        elif isinstance(value, int):
            found.add(value)
    return found


def describe_events(events: Iterable[TicketEvent]) -> list[HistoryLine]:
    """Sentences for a ticket's events; names of people and teams are fetched in one query each."""
    events = list(events)
    user_ids = _ids(v for e in events if e.kind in (Kind.ASSIGNEE, Kind.FOLLOWERS) for v in (e.old, e.new))
    team_ids = _ids(v for e in events if e.kind == Kind.TEAM for v in (e.old, e.new))
    people = {}
    if user_ids:
        rows = User.objects.filter(pk__in=user_ids).only("pk", "name", "email")
        people = {u.pk: u.display_name for u in rows}
    teams = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name")) if team_ids else {}

    def person(pk) -> str:
        return _("nobody") if pk is None else people.get(pk, _("a deleted user"))

    def team(pk) -> str:
        return _("no team") if pk is None else teams.get(pk, _("a deleted team"))

    def tags(value) -> str:
        return ", ".join(value) if value else _("none")

    lines = []
    for event in events:
        actor = event.actor.display_name if event.actor else system_actor_name(event.actor_label)
        names = {"actor": actor}
        text, values = _sentence(event, names, person, team, tags)
        lines.append(HistoryLine(event=event, text=text % values, html=_isolated(text, values)))
    return lines


def _isolated(template: str, values: dict) -> SafeString:
    """The sentence as HTML: the (translated) template escaped, every interpolated value in a <bdi>."""
    isolated = {key: format_html("<bdi>{}</bdi>", value) for key, value in values.items()}
    return mark_safe(conditional_escape(template) % isolated)  # noqa: S308 - every part is escaped above


def _sentence(event: TicketEvent, names: dict, person: Name, team: Name, tags: Name) -> tuple[str, dict]:
    """The translated template of one event's sentence and the values to put in it."""
    if event.kind == Kind.CREATED:
        return _("%(actor)s created the ticket"), names
    if event.kind == Kind.MESSAGE:
        return _("%(actor)s added a public message"), names
    if event.kind == Kind.NOTE:
        return _("%(actor)s added an internal note"), names
    if event.kind == Kind.STATUS:
        return _("%(actor)s changed status from %(old)s to %(new)s"), {
            **names,
            "old": _label(Status, event.old),
            "new": _label(Status, event.new),
        }
    if event.kind == Kind.PRIORITY:
        return _("%(actor)s changed priority from %(old)s to %(new)s"), {
            **names,
            "old": _label(Priority, event.old),
            "new": _label(Priority, event.new),
        }
    if event.kind == Kind.ASSIGNEE:
        return _("%(actor)s changed the assignee from %(old)s to %(new)s"), {
            **names,
            "old": person(event.old),
            "new": person(event.new),
        }
    if event.kind == Kind.TEAM:
        return _("%(actor)s moved the ticket from %(old)s to %(new)s"), {
            **names,
            "old": team(event.old),
            "new": team(event.new),
        }
    if event.kind == Kind.TAGS:
        return _("%(actor)s changed the tags from %(old)s to %(new)s"), {
            **names,
            "old": tags(event.old),
            "new": tags(event.new),
        }
    if event.kind == Kind.SUBJECT:
        return _("%(actor)s changed the subject from “%(old)s” to “%(new)s”"), {
            **names,
            "old": event.old,
            "new": event.new,
        }
    if event.kind == Kind.FOLLOWERS:
        added = sorted(_ids([event.new]) - _ids([event.old]))
        return _("%(actor)s added followers: %(names)s"), {
            **names,
            "names": ", ".join(person(pk) for pk in added) or _("none"),
        }
    if event.kind == Kind.MERGED:
        return _("%(actor)s merged this ticket into #%(number)s"), {**names, "number": event.new}
    if event.kind == Kind.MERGED_FROM:
        return _("%(actor)s merged #%(number)s into this ticket"), {**names, "number": event.new}
    if event.kind == Kind.DELIVERY and isinstance(event.new, dict):
        return _("Email to %(recipients)s failed: %(reason)s"), {
            **names,
            "recipients": ", ".join(event.new.get("recipients") or []) or "—",
            "reason": event.new.get("reason") or "—",
        }
    if event.kind == Kind.TIER and isinstance(event.old, int) and isinstance(event.new, int):
        if event.new > event.old:
            template = _("%(actor)s escalated the ticket from L%(old)s to L%(new)s")
        elif event.new < event.old:
            template = _("%(actor)s de-escalated the ticket from L%(old)s to L%(new)s")
        else:
            template = _("%(actor)s moved the ticket to another team of L%(new)s")
        return template, {**names, "old": event.old, "new": event.new}
    if event.kind == Kind.LANGUAGE and event.new:
        if event.old:
            return _("%(actor)s changed the language from %(old)s to %(new)s"), {
                **names,
                "old": _language(event.old),
                "new": _language(event.new),
            }
        return _("%(actor)s set the language to %(new)s"), {**names, "new": _language(event.new)}
    if event.kind == Kind.RULE and isinstance(event.new, dict):
        return _rule_sentence(event.new, names)
    if event.kind == Kind.SLA and isinstance(event.new, dict):
        return _sla_sentence(event.new, names)
    if event.kind == Kind.ERASED:
        return _("%(actor)s erased the customer's personal data"), names
    return _("%(actor)s changed %(what)s"), {**names, "what": event.get_kind_display()}


def _language(code: str) -> str:
    """A language's name in the viewer's language ("Persian", "فارسی"…), or its code when Django has none."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def _rule_sentence(data: dict, names: dict) -> tuple[str, dict]:
    """ "Rule “Refunds to billing” fired: team set to Billing; failed: …" """
    done = []
    for result in data.get("results") or []:
        if not isinstance(result, dict):
            continue
        if result.get("error"):
            done.append(_("failed: %(error)s") % {"error": result["error"]})
        elif result.get("result"):
            done.append(said_again(result.get("words"), str(result["result"])))
    values = {**names, "name": data.get("name") or "—"}
    if not done:
        return _("Rule “%(name)s” fired"), values
    return _("Rule “%(name)s” fired: %(results)s"), {**values, "results": "; ".join(done)}


def _sla_sentence(data: dict, names: dict) -> tuple[str, dict]:
    what = data.get("what")
    if what == "policy":
        return _("SLA policy “%(name)s” applies"), {**names, "name": data.get("name") or "—"}
    target = _label(Target, data.get("target"))
    due = parse_datetime(data["due_at"]) if isinstance(data.get("due_at"), str) else None
    shown = date_format(localtime(due), "SHORT_DATETIME_FORMAT") if due else "—"
    values = {**names, "target": target, "due": shown}
    if what == "warning":
        return _("SLA warning: %(target)s is due at %(due)s"), values
    if what == "breach" and data.get("late"):
        return _("SLA breached: %(target)s came after its due time, %(due)s"), values
    if what == "breach":
        return _("SLA breached: %(target)s was due at %(due)s"), values
    return _("%(actor)s changed %(what)s"), {**names, "what": _("SLA")}
