"""Policies compiled once per process: validation of their JSON, matching a ticket, their clocks.

Matching: policies are tried in position order and the first active one whose conditions all hold applies.
A condition is a list of accepted values (priorities, organizations, plans of the requester, channels, tags,
teams, tiers); an empty or missing list accepts anything; tags match when the ticket has any of them. The
tier of a ticket without a team is L1 (the triage pool), as in routing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _

from awn.calendars.business_hours import CalendarError
from awn.core.errors import ValidationFailed
from awn.core.shared import ProcessCopy
from awn.sla.clocks import TARGETS, WAITING_STATUSES, PolicyClocks, Target
from awn.sla.models import SLAPolicy
from awn.tickets.models import Channel, Priority

log = logging.getLogger(__name__)

VERSION_KEY = "awn:sla:policies-version"
CONDITION_KEYS = ("priorities", "organizations", "plans", "channels", "tags", "teams", "tiers")
RECIPIENTS = ("assignee", "team", "managers")
MAX_TARGET_MINUTES = 366 * 24 * 60
MAX_VALUES = 200


# --- validation (services call these before saving) ---------------------------------------------------------


def _ints(value: Any, field: str, allowed: Iterable[int] | None = None) -> list[int]:
    if not isinstance(value, list | tuple) or len(value) > MAX_VALUES:
        raise ValidationFailed(_("The conditions are not valid."), field=field)
    try:
        numbers = sorted({int(item) for item in value})
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(_("The conditions are not valid."), field=field) from exc
    if allowed is not None and not set(numbers) <= set(allowed):
        raise ValidationFailed(_("The conditions are not valid."), field=field)
    return numbers


def _strings(value: Any, field: str, allowed: Iterable[str] | None = None) -> list[str]:
    if not isinstance(value, list | tuple) or len(value) > MAX_VALUES:
        raise ValidationFailed(_("The conditions are not valid."), field=field)
    words = sorted({str(item).strip().casefold()[:64] for item in value if str(item).strip()})
    if allowed is not None and not set(words) <= set(allowed):
        raise ValidationFailed(_("The conditions are not valid."), field=field)
    return words


def clean_conditions(conditions: Mapping[str, Any] | None) -> dict[str, list]:
    """The stored form of a policy's conditions; unknown keys or values are refused."""
    conditions = conditions or {}
    if not isinstance(conditions, Mapping):
        raise ValidationFailed(_("The conditions are not valid."), field="conditions")
    unknown = set(conditions) - set(CONDITION_KEYS)
    if unknown:
        raise ValidationFailed(_("The conditions are not valid."), field="conditions")
    cleaned: dict[str, list] = {
        "priorities": _ints(conditions.get("priorities", []), "priorities", Priority.values),
        "organizations": _ints(conditions.get("organizations", []), "organizations"),
        "plans": _strings(conditions.get("plans", []), "plans"),
        "channels": _strings(conditions.get("channels", []), "channels", Channel.values),
        "tags": _strings(conditions.get("tags", []), "tags"),
        "teams": _ints(conditions.get("teams", []), "teams"),
        "tiers": _ints(conditions.get("tiers", []), "tiers", (1, 2, 3)),
    }
    return {key: values for key, values in cleaned.items() if values}


def clean_targets(targets: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """{"first_response": {"minutes": 60, "business_hours": true, "pauses": false}, ...}, checked."""
    targets = targets or {}
    if not isinstance(targets, Mapping) or set(targets) - set(TARGETS):
        raise ValidationFailed(_("The targets are not valid."), field="targets")
    cleaned: dict[str, dict[str, Any]] = {}
    for name in TARGETS:
        spec = targets.get(name)
        if spec in (None, {}):
            continue
        if not isinstance(spec, Mapping):
            raise ValidationFailed(_("The targets are not valid."), field=name)
        try:
            minutes = int(spec["minutes"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationFailed(_("A target is a number of minutes."), field=name) from exc
        if not 1 <= minutes <= MAX_TARGET_MINUTES:
            raise ValidationFailed(_("A target is between one minute and one year."), field=name)
        cleaned[name] = {
            "minutes": minutes,
            "business_hours": bool(spec.get("business_hours", True)),
            "pauses": bool(spec.get("pauses", name != "first_response")),
        }
    if not cleaned:
        raise ValidationFailed(_("Give the policy at least one target."), field="targets")
    return cleaned


def clean_statuses(statuses: Iterable[str] | None) -> list[str]:
    statuses = list(statuses or [])
    if not set(statuses) <= set(WAITING_STATUSES):
        raise ValidationFailed(
            _("Clocks pause only while a ticket is pending or on hold."), field="pause_statuses"
        )
    return [status for status in WAITING_STATUSES if status in statuses]


def clean_recipients(recipients: Iterable[str] | None, field: str) -> list[str]:
    recipients = list(recipients or [])
    if not set(recipients) <= set(RECIPIENTS):
        raise ValidationFailed(_("Unknown recipients."), field=field)
    return [name for name in RECIPIENTS if name in recipients]


# --- compiled policies --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """A ticket as policy conditions see it; the tier, the plan and the tags are read (each one query) only
    when a policy asks for them."""

    priority: int
    channel: str
    organization_id: int | None
    team_id: int | None
    read_tier: Callable[[], int]
    read_plan: Callable[[], str | None]
    read_tags: Callable[[], Iterable[str]]

    @cached_property
    def tier(self) -> int:
        return self.read_tier()

    @cached_property
    def plan(self) -> str:
        return self.read_plan() or ""

    @cached_property
    def tags(self) -> frozenset[str]:
        return frozenset(self.read_tags())


@dataclass(frozen=True)
class CompiledPolicy:
    id: int
    name: str
    priorities: frozenset[int]
    organizations: frozenset[int]
    plans: frozenset[str]
    channels: frozenset[str]
    tags: frozenset[str]
    teams: frozenset[int]
    tiers: frozenset[int]
    targets: dict[str, Target]
    calendar_id: int | None
    pause_statuses: frozenset[str]
    warning_minutes: int
    notify_on_warning: tuple[str, ...]
    notify_on_breach: tuple[str, ...]
    email: bool
    webhook_id: int | None

    @classmethod
    def of(cls, policy: SLAPolicy) -> CompiledPolicy:
        conditions = clean_conditions(policy.conditions)
        targets = clean_targets(policy.targets)
        return cls(
            id=policy.pk,
            name=policy.name,
            priorities=frozenset(conditions.get("priorities", ())),
            organizations=frozenset(conditions.get("organizations", ())),
            plans=frozenset(conditions.get("plans", ())),
            channels=frozenset(conditions.get("channels", ())),
            tags=frozenset(conditions.get("tags", ())),
            teams=frozenset(conditions.get("teams", ())),
            tiers=frozenset(conditions.get("tiers", ())),
            targets={name: Target(**spec) for name, spec in targets.items()},
            calendar_id=policy.calendar_id,
            pause_statuses=frozenset(clean_statuses(policy.pause_statuses)),
            warning_minutes=policy.warning_minutes,
            notify_on_warning=tuple(clean_recipients(policy.notify_on_warning, "notify_on_warning")),
            notify_on_breach=tuple(clean_recipients(policy.notify_on_breach, "notify_on_breach")),
            email=policy.email_notifications,
            webhook_id=policy.webhook_id,
        )

    def matches(self, subject: Subject) -> bool:
        return (
            (not self.priorities or subject.priority in self.priorities)
            and (not self.channels or subject.channel in self.channels)
            and (not self.organizations or subject.organization_id in self.organizations)
            and (not self.teams or subject.team_id in self.teams)
            and (not self.tiers or subject.tier in self.tiers)
            and (not self.plans or subject.plan.casefold() in self.plans)
            and (not self.tags or bool(self.tags & subject.tags))
        )

    def clocks(self) -> PolicyClocks:
        """The policy as the clocks see it, on its calendar (or the default one) as it is now.

        Without a usable calendar (none at all, or one without opening hours) business-hours targets count
        calendar time: a ticket is never left without a due time because a calendar is missing.
        """
        from awn.calendars.selectors import schedule_for

        schedule = None
        if any(target.business_hours for target in self.targets.values()):
            schedule = schedule_for(self.calendar_id)
            if schedule is not None and schedule.weekly_minutes == 0:
                log.warning(
                    "SLA policy %s: calendar %s has no opening hours; counting calendar time",
                    self.id,
                    self.calendar_id,
                )
                schedule = None
        return PolicyClocks(
            id=self.id,
            targets=self.targets,
            schedule=schedule,
            pause_statuses=self.pause_statuses,
            warning_minutes=self.warning_minutes,
        )


def compile_policies(policies: Iterable[SLAPolicy]) -> list[CompiledPolicy]:
    compiled = []
    for policy in policies:
        try:
            compiled.append(CompiledPolicy.of(policy))
        except (ValidationFailed, CalendarError, TypeError, ValueError):
            log.exception("SLA policy %s (%s) does not validate; skipped", policy.pk, policy.name)
    return compiled


_active = ProcessCopy(
    VERSION_KEY,
    lambda: compile_policies(SLAPolicy.objects.filter(is_active=True).order_by("position", "id")),
)


def active_policies() -> list[CompiledPolicy]:
    """The active policies in order, compiled; recompiled when an admin changed one (awn.core.shared)."""
    return _active.get()


def policies_changed() -> None:
    """Every process recompiles on its next use."""
    _active.changed()


def forget_policies() -> None:
    _active.forget()


def first_match(subject: Subject, policies: Iterable[CompiledPolicy] | None = None) -> CompiledPolicy | None:
    for policy in active_policies() if policies is None else policies:
        if policy.matches(subject):
            return policy
    return None
