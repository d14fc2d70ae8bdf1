"""SLA writes: recompute a ticket's clocks when an event can move them, the sweep that fires warnings and
breaches on time, and the admin's changes to policies.

`recompute_ticket_sla` is the one place that writes the SLA columns of a ticket. It locks the ticket row,
matches the policy, runs the pure clock logic (clocks.py) and, in the same transaction, stores the due times,
records each warning or breach once (a TicketEvent of kind "sla" and a measurement row), writes the in-app
notifications and queues their emails and the policy's webhook in the outbox. A breach is therefore fired
exactly once however many sweeps and events race for it: the ticket row lock serializes them and the state
they read says what already fired.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from awn.accounts.models import Team, Tier, User
from awn.accounts.permissions import can_administer
from awn.automation.reads import PLACEHOLDER, PreparedRead, instance
from awn.core import clock
from awn.core.errors import NotPermitted, ValidationFailed
from awn.core.events import DomainEvent, publish
from awn.outbox.models import OutboxItem
from awn.outbox.services import enqueue
from awn.sla import clocks
from awn.sla.models import SLAMeasurement, SLAPolicy, Target
from awn.sla.policies import (
    CompiledPolicy,
    Subject,
    active_policies,
    clean_conditions,
    clean_recipients,
    clean_statuses,
    clean_targets,
    first_match,
    policies_changed,
)
from awn.tickets.models import UNSOLVED_STATUSES, Status, Tag, Ticket, TicketEvent
from awn.tickets.services import Actor
from awn.tickets.services.recording import record_event

log = logging.getLogger(__name__)

SLA_ACTOR = Actor.system("SLA")
EMAILS = "sla.emails"  # outbox kind: the emails of one warning or breach
SWEEP_CHUNK = 200
# Within one sweep, the people to notify per (assignee, team, roles): teams do not change under a sweep.
_recipients_memo: ContextVar[dict[tuple, list[User]] | None] = ContextVar("awn_sla_recipients", default=None)
DUE_FIELDS = {
    clocks.FIRST_RESPONSE: "first_response_due_at",
    clocks.NEXT_RESPONSE: "next_response_due_at",
    clocks.PERIODIC_UPDATE: "periodic_update_due_at",
    clocks.RESOLUTION: "resolution_due_at",
}
LOADED = [
    "status",
    "priority",
    "channel",
    "organization_id",
    "team_id",
    "requester_id",
    "assignee_id",
    "subject",
    "created_at",
    "updated_at",
    "first_response_at",
    "solved_at",
    "last_customer_message_at",
    "last_agent_message_at",
    "sla_policy_id",
    "first_response_due_at",
    "next_response_due_at",
    "periodic_update_due_at",
    "resolution_due_at",
    "next_sla_breach_at",
    "sla_check_at",
    "sla_breached",
    "sla_state",
]
LOADED_WITH_ID = ("id", *LOADED)


# --- recompute ----------------------------------------------------------------------------------------------


def _subject(ticket: Ticket) -> Subject:
    def tier() -> int:
        if not ticket.team_id:
            return Tier.L1
        return Team.objects.filter(pk=ticket.team_id).values_list("tier", flat=True).first() or Tier.L1

    return Subject(
        priority=ticket.priority,
        channel=ticket.channel,
        organization_id=ticket.organization_id,
        team_id=ticket.team_id,
        read_tier=tier,
        read_plan=lambda: User.objects.filter(pk=ticket.requester_id).values_list("plan", flat=True).first(),
        read_tags=lambda: Tag.objects.filter(tickets=ticket.pk).values_list("name", flat=True),
    )


def _facts(ticket: Ticket) -> clocks.TicketFacts:
    return clocks.TicketFacts(
        status=ticket.status,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        first_response_at=ticket.first_response_at,
        solved_at=ticket.solved_at,
        last_customer_message_at=ticket.last_customer_message_at,
        last_agent_message_at=ticket.last_agent_message_at,
    )


def evaluate(ticket: Ticket, *, now: datetime, policy: CompiledPolicy | None = None) -> clocks.Outcome:
    """The clocks of `ticket` now, under its matching policy (or `policy`); reads, writes nothing."""
    policy = policy if policy is not None else first_match(_subject(ticket))
    return clocks.advance(ticket.sla_state, _facts(ticket), policy.clocks() if policy else None, now)


@dataclass
class _Step:
    ticket: Ticket
    policy: CompiledPolicy | None
    outcome: clocks.Outcome
    changed: dict[str, Any]

    @property
    def writes(self) -> bool:
        return bool(self.changed or self.outcome.alerts or self.outcome.measurements)


def _read(*, lock: bool) -> PreparedRead:
    def build():
        rows = Ticket.objects.filter(pk=PLACEHOLDER).order_by()
        return (rows.select_for_update() if lock else rows).values_list("id", *LOADED)

    return PreparedRead(build)


_READS = {lock: _read(lock=lock) for lock in (False, True)}


def _load(ticket_id: int, *, lock: bool) -> Ticket | None:
    # One row, only the columns the clocks and the conditions read, no join, no ORDER BY, its SQL compiled
    # once per process (automation/reads.py): this read is most of the cost of an event (the webhook's
    # payload loads the rest when it needs it).
    using = router.db_for_write(Ticket) if lock else router.db_for_read(Ticket)
    row = _READS[lock].fetch(ticket_id, using=using)
    return instance(Ticket, using, LOADED_WITH_ID, row) if row is not None else None


def _step(ticket: Ticket, policies: list[CompiledPolicy], now: datetime) -> _Step:
    """What the ticket's SLA columns should be now, and what fires (computed, nothing written)."""
    policy = first_match(_subject(ticket), policies)
    if ticket.status == Status.CLOSED and ticket.sla_policy_id:
        # A closed ticket keeps the policy it was measured under (it may no longer match it).
        policy = next((p for p in policies if p.id == ticket.sla_policy_id), policy)
    outcome = clocks.advance(ticket.sla_state, _facts(ticket), policy.clocks() if policy else None, now)
    outcome.state["next"] = _next_target(outcome)
    outcome.state["paused"] = sorted(outcome.paused)
    values: dict[str, Any] = {field: outcome.due[target] for target, field in DUE_FIELDS.items()}
    values.update(
        sla_policy_id=policy.id if policy else None,
        next_sla_breach_at=outcome.next_breach_at,
        sla_check_at=outcome.check_at,
        sla_breached=ticket.sla_breached or outcome.breached,
        sla_state=outcome.state,
    )
    changed = {name: value for name, value in values.items() if getattr(ticket, name) != value}
    return _Step(ticket=ticket, policy=policy, outcome=outcome, changed=changed)


def recompute_ticket_sla(
    ticket_id: int, *, now: datetime | None = None, force: bool = False, read_first: bool = True
) -> clocks.Outcome | None:
    """Bring the SLA of one ticket up to date: due times, and the warnings and breaches due by `now`.

    Without any active policy an event costs nothing (no query); `force` (the sweep, the recompute after a
    policy change) still clears what a deleted policy left on the ticket. With `read_first`, the ticket is
    first read without a lock: an event that moves no due time (most field changes) then costs one read and
    no transaction. Writes always happen on a row read again under its lock, so concurrent sweeps and events
    fire nothing twice. Callers that expect a change (a new message, the sweep) skip the first read.
    """
    now = now or clock.now()
    policies = active_policies()
    if not force and not policies:
        return None
    if read_first:
        ticket = _load(ticket_id, lock=False)
        if ticket is None or (not policies and ticket.sla_policy_id is None and not ticket.sla_state):
            return None  # no SLA anywhere: nothing to track, nothing to write
        step = _step(ticket, policies, now)
        if not step.writes:
            return step.outcome
    with transaction.atomic():
        locked = _load(ticket_id, lock=True)
        if locked is None:
            return None
        if not policies and locked.sla_policy_id is None and not locked.sla_state:
            return None
        step = _step(locked, policies, now)
        if not step.writes:
            return step.outcome
        ticket, policy, outcome = locked, step.policy, step.outcome
        previous_policy = ticket.sla_policy_id
        if step.changed:
            _update_tickets([step])
            for name, value in step.changed.items():
                setattr(ticket, name, value)
        if policy is not None and policy.id != previous_policy:
            record_event(
                ticket=ticket,
                by=SLA_ACTOR,
                kind=TicketEvent.Kind.SLA,
                old={"policy": previous_policy},
                new={"what": "policy", "policy": policy.id, "name": policy.name},
            )
        for measurement in outcome.measurements:
            _store_measurement(ticket, policy, measurement, now=now)
        for alert in outcome.alerts:
            _fire(ticket, policy, alert, now=now)
    return outcome


def _next_target(outcome: clocks.Outcome) -> str | None:
    """The target whose due time is the ticket's next breach (for the badge's label)."""
    for target in clocks.TARGETS:
        if target in outcome.running and outcome.due[target] == outcome.next_breach_at:
            return target
    return None


def _store_measurement(
    ticket: Ticket, policy: CompiledPolicy | None, m: clocks.Measurement, *, now: datetime
) -> SLAMeasurement:
    row, _created = SLAMeasurement.objects.update_or_create(
        ticket=ticket,
        target=m.target,
        cycle=m.cycle,
        defaults={
            "policy_id": policy.id if policy else None,
            "started_at": m.started_at,
            "due_at": m.due_at,
            "completed_at": m.completed_at,
            "breached": m.breached,
            "team_id": ticket.team_id,
            "assignee_id": ticket.assignee_id,
            "priority": ticket.priority,
            "updated_at": now,
        },
    )
    return row


def _fire(ticket: Ticket, policy: CompiledPolicy | None, alert: clocks.Alert, *, now: datetime) -> None:
    """Record one warning or breach and tell the people and systems the policy names (once: see advance)."""
    breach = alert.kind == clocks.BREACH
    moment = {"breached_at": now, "breached": True} if breach else {"warned_at": now}
    row, created = SLAMeasurement.objects.get_or_create(
        ticket=ticket,
        target=alert.target,
        cycle=alert.cycle,
        defaults={
            "policy_id": policy.id if policy else None,
            "started_at": alert.started_at,
            "due_at": alert.due_at,
            "team_id": ticket.team_id,
            "assignee_id": ticket.assignee_id,
            "priority": ticket.priority,
            "updated_at": now,
            **moment,
        },
    )
    if not created:
        SLAMeasurement.objects.filter(pk=row.pk).update(due_at=alert.due_at, updated_at=now, **moment)
    record_event(ticket=ticket, by=SLA_ACTOR, kind=TicketEvent.Kind.SLA, new=_alert_data(alert))
    data = _event_data(policy, alert)
    publish(DomainEvent(name="sla.breached" if breach else "sla.warning", ticket_id=ticket.pk, data=data))
    if policy is None:
        return
    if not alert.quiet:
        _notify(ticket, policy, alert)
    if policy.webhook_id:
        _call_webhook(ticket, policy, alert)


def _messages(
    ticket: Ticket, policy: CompiledPolicy, alert: clocks.Alert
) -> list[tuple[str, list[User], str]]:
    """(language, people, text) of the notifications of one alert: each person reads it in their language."""
    from awn.automation.notifications import recipients_for

    roles = policy.notify_on_breach if alert.kind == clocks.BREACH else policy.notify_on_warning
    if not roles:
        return []
    memo = _recipients_memo.get()
    key = (ticket.assignee_id, ticket.team_id, tuple(roles))
    people = memo.get(key) if memo is not None else None
    if people is None:
        people = recipients_for(ticket, to=roles)
        if memo is not None:
            memo[key] = people
    by_language: dict[str, list[User]] = {}
    for person in people:
        by_language.setdefault(person.language or settings.LANGUAGE_CODE, []).append(person)
    messages = []
    for language, group in by_language.items():
        with translation.override(language):
            values = {
                "number": ticket.pk,
                "subject": ticket.subject,
                "target": str(Target(alert.target).label),
            }
            if alert.kind == clocks.BREACH:
                text = _("SLA breached on #%(number)s “%(subject)s”: %(target)s is overdue.") % values
            else:
                text = _("SLA warning on #%(number)s “%(subject)s”: %(target)s is due soon.") % values
        messages.append((language, group, text))
    return messages


def _queue_emails(ticket: Ticket, alert: clocks.Alert, language: str, rows: list) -> None:
    # One outbox item per alert and language, not per person: the sweep stays cheap when a breach pages a
    # whole team; the worker sends each email and skips those already sent on a retry.
    enqueue(
        kind=EMAILS,
        payload={"notifications": [row.pk for row in rows]},
        key=f"{EMAILS}:{ticket.pk}:{alert.target}:{alert.cycle}:{alert.kind}:{language}",
    )


def _alert_data(alert: clocks.Alert) -> dict[str, Any]:
    """The history's record of a warning or breach."""
    return {
        "what": alert.kind,
        "target": alert.target,
        "cycle": alert.cycle,
        "due_at": alert.due_at.isoformat(),
        "late": alert.quiet,
    }


def _event_data(policy: CompiledPolicy | None, alert: clocks.Alert) -> dict[str, Any]:
    """The domain event's data of a warning or breach (sla.warning, sla.breached)."""
    return {
        "target": alert.target,
        "cycle": alert.cycle,
        "due_at": alert.due_at.isoformat(),
        "policy": policy.id if policy else None,
        "quiet": alert.quiet,
    }


def _notify(ticket: Ticket, policy: CompiledPolicy, alert: clocks.Alert) -> None:
    from awn.automation.notifications import notify

    for language, group, text in _messages(ticket, policy, alert):
        rows = notify(recipients=group, text=text, ticket=ticket, email=False)
        if policy.email and rows:
            _queue_emails(ticket, alert, language, rows)


def deliver_emails(item: OutboxItem) -> None:
    """Email each notification of one alert that has not been emailed yet (outbox sender)."""
    from types import SimpleNamespace

    from awn.automation.models import Notification
    from awn.automation.outbound import deliver_notification

    pending = Notification.objects.filter(
        pk__in=item.payload.get("notifications", []), emailed_at__isnull=True
    )
    for notification_id in pending.values_list("pk", flat=True):
        deliver_notification(SimpleNamespace(payload={"notification": notification_id}))  # type: ignore[arg-type]


def _call_webhook(ticket: Ticket, policy: CompiledPolicy, alert: clocks.Alert) -> None:
    if policy.webhook_id is None:
        return
    from awn.automation.actions.webhook import ticket_payload
    from awn.automation.models import Webhook
    from awn.automation.outbound import queue_webhook

    webhook = Webhook.objects.filter(pk=policy.webhook_id, is_active=True).first()
    if webhook is None:
        return
    event = "sla.breached" if alert.kind == clocks.BREACH else "sla.warning"
    data = {
        "ticket": ticket_payload(ticket),
        "sla": {
            "policy": {"id": policy.id, "name": policy.name},
            "target": alert.target,
            "cycle": alert.cycle,
            "due_at": alert.due_at.isoformat(),
            "late": alert.quiet,
        },
    }
    queue_webhook(
        webhook=webhook,
        event=event,
        data=data,
        key=f"sla:{ticket.pk}:{alert.target}:{alert.cycle}:{alert.kind}",
    )


# --- the sweep ----------------------------------------------------------------------------------------------


@dataclass
class SweepReport:
    checked: int = 0
    warnings: int = 0
    breaches: int = 0


def due_for_check(*, now: datetime, limit: int = SWEEP_CHUNK) -> list[int]:
    """Tickets with a warning or breach due by `now`: one range read of the sla_check_at index."""
    return list(
        Ticket.objects.filter(sla_check_at__lte=now)
        .order_by("sla_check_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def sweep(*, now: datetime | None = None, per_transaction: int = SWEEP_CHUNK) -> SweepReport:
    """Fire every warning and breach whose moment has come (run every minute by the job worker).

    The due tickets come from one range read of the sla_check_at index; each chunk of them is then handled
    as a set, in one transaction: one locked read of the rows, the clocks computed in Python, and one write
    per table (tickets, history, measurements, notifications), whatever the number of alerts. If a chunk
    fails as a whole, its tickets are retried one at a time, each in its own savepoint, so one broken
    ticket never holds back the others' breaches.
    """
    now = now or clock.now()
    report = SweepReport()
    seen: set[int] = set()
    token = _recipients_memo.set({})
    try:
        while True:
            batch = [pk for pk in due_for_check(now=now) if pk not in seen]
            if not batch:
                return report
            seen.update(batch)
            for start in range(0, len(batch), per_transaction):
                chunk = batch[start : start + per_transaction]
                try:
                    with transaction.atomic():
                        done = _sweep_together(chunk, now=now)
                except Exception:
                    log.exception("SLA sweep: %s tickets together failed; one at a time", len(chunk))
                    with transaction.atomic():
                        for pk in chunk:
                            _sweep_one(pk, now=now, report=report)
                    continue
                report.checked += done.checked
                report.warnings += done.warnings
                report.breaches += done.breaches
    finally:
        _recipients_memo.reset(token)


def _sla_event(ticket: Ticket, *, new: dict[str, Any], old: Any = None, now: datetime) -> TicketEvent:
    return TicketEvent(
        ticket=ticket,
        actor=None,
        actor_label=SLA_ACTOR.label,
        kind=TicketEvent.Kind.SLA,
        old=old,
        new=new,
        created_at=now,
    )


def _sweep_together(ids: list[int], *, now: datetime) -> SweepReport:
    """One chunk of the sweep as a set: what `recompute_ticket_sla` does for each ticket, written in bulk."""
    from awn.automation.models import Notification

    report = SweepReport()
    policies = active_policies()
    tickets = Ticket.objects.select_for_update().only(*LOADED).filter(pk__in=ids).order_by("pk")
    steps: list[_Step] = []
    for ticket in tickets:
        if not policies and ticket.sla_policy_id is None and not ticket.sla_state:
            continue
        report.checked += 1
        step = _step(ticket, policies, now)
        if step.writes:
            steps.append(step)
    if not steps:
        return report

    # The tickets' columns, and the history: a policy that starts to apply, each warning and breach.
    events: list[TicketEvent] = []
    for step in steps:
        ticket, policy = step.ticket, step.policy
        if policy is not None and policy.id != ticket.sla_policy_id:
            events.append(
                _sla_event(
                    ticket,
                    old={"policy": ticket.sla_policy_id},
                    new={"what": "policy", "policy": policy.id, "name": policy.name},
                    now=now,
                )
            )
        for name, value in step.changed.items():
            setattr(ticket, name, value)
        for alert in step.outcome.alerts:
            events.append(_sla_event(ticket, new=_alert_data(alert), now=now))
            if alert.kind == clocks.BREACH:
                report.breaches += 1
            else:
                report.warnings += 1
    _update_tickets([step for step in steps if step.changed])
    TicketEvent.objects.bulk_create(events)

    # Measurements: completed clocks first, then what fired (a late answer is both, in that order).
    def measurement(step: _Step, item: clocks.Measurement | clocks.Alert, **values: Any) -> SLAMeasurement:
        return SLAMeasurement(
            ticket=step.ticket,
            target=item.target,
            cycle=item.cycle,
            policy_id=step.policy.id if step.policy else None,
            started_at=item.started_at,
            due_at=item.due_at,
            team_id=step.ticket.team_id,
            assignee_id=step.ticket.assignee_id,
            priority=step.ticket.priority,
            updated_at=now,
            **values,
        )

    completed = [
        measurement(step, m, completed_at=m.completed_at, breached=m.breached)
        for step in steps
        for m in step.outcome.measurements
    ]
    _upsert(
        completed,
        [
            "policy",
            "started_at",
            "due_at",
            "completed_at",
            "breached",
            "team",
            "assignee",
            "priority",
            "updated_at",
        ],
    )
    alerts = [(step, alert) for step in steps for alert in step.outcome.alerts]
    _upsert(
        [measurement(s, a, warned_at=now) for s, a in alerts if a.kind == clocks.WARNING],
        ["due_at", "updated_at", "warned_at"],
    )
    _upsert(
        [measurement(s, a, breached_at=now, breached=True) for s, a in alerts if a.kind == clocks.BREACH],
        ["due_at", "updated_at", "breached_at", "breached"],
    )

    # Reactions, notifications (one insert for all), their emails and the policies' webhooks.
    notifications: list[Notification] = []
    emails: list[tuple[Ticket, clocks.Alert, str, int, int]] = []
    for step, alert in alerts:
        ticket, policy = step.ticket, step.policy
        name = "sla.breached" if alert.kind == clocks.BREACH else "sla.warning"
        publish(DomainEvent(name=name, ticket_id=ticket.pk, data=_event_data(policy, alert)))
        if policy is None:
            continue
        if not alert.quiet:
            for language, group, text in _messages(ticket, policy, alert):
                first = len(notifications)
                notifications += [
                    Notification(
                        recipient=person, ticket=ticket, text=text[:500], email=False, created_at=now
                    )
                    for person in group
                ]
                if policy.email and group:
                    emails.append((ticket, alert, language, first, len(notifications)))
        if policy.webhook_id:
            _call_webhook(ticket, policy, alert)
    created = Notification.objects.bulk_create(notifications)  # primary keys on SQLite and PostgreSQL
    for ticket, alert, language, first, last in emails:
        _queue_emails(ticket, alert, language, created[first:last])
    return report


def _update_tickets(steps: list[_Step]) -> None:
    """Write each ticket's changed SLA columns: one statement per set of changed columns, run for every ticket
    of that set (executemany). Django's bulk_update would build a CASE per column and row, which costs more
    to compile than the rows cost to write."""
    using = router.db_for_write(Ticket)
    connection = connections[using]
    table, quote = Ticket._meta.db_table, connection.ops.quote_name
    by_columns: dict[tuple[str, ...], list[list[Any]]] = {}
    for step in steps:
        names = tuple(sorted(step.changed))
        values = [
            Ticket._meta.get_field(name).get_db_prep_save(step.changed[name], connection=connection)
            for name in names
        ]
        by_columns.setdefault(names, []).append([*values, step.ticket.pk])
    with connection.cursor() as cursor:
        for names, rows in by_columns.items():
            columns = ", ".join(f"{quote(Ticket._meta.get_field(name).column)} = %s" for name in names)
            cursor.executemany(f"UPDATE {quote(table)} SET {columns} WHERE {quote('id')} = %s", rows)  # noqa: S608 - names from the model


def _sweep_one(pk: int, *, now: datetime, report: SweepReport) -> None:
    try:
        outcome = recompute_ticket_sla(pk, now=now, force=True, read_first=False)  # own savepoint
    except Exception:  # one broken ticket must not stop the others' breaches
        log.exception("SLA sweep: ticket %s failed", pk)
        return
    report.checked += 1
    for alert in outcome.alerts if outcome else ():
        if alert.kind == clocks.BREACH:
            report.breaches += 1
        else:
            report.warnings += 1


def _upsert(rows: list[SLAMeasurement], update_fields: list[str]) -> None:
    """Insert measurements, or update `update_fields` of the ones a ticket already has for that cycle."""
    if rows:
        SLAMeasurement.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["ticket", "target", "cycle"],
            update_fields=update_fields,
        )


def recompute_open_tickets(*, ids: Iterable[int] | None = None, chunk: int = 500) -> int:
    """Recompute every unsolved ticket (after a policy changed), in id order, a chunk at a time."""
    count, last = 0, 0
    while True:
        rows = Ticket.objects.filter(status__in=UNSOLVED_STATUSES, pk__gt=last)
        if ids is not None:
            rows = rows.filter(pk__in=list(ids))
        batch = list(rows.order_by("pk").values_list("pk", flat=True)[:chunk])
        if not batch:
            return count
        for pk in batch:
            recompute_ticket_sla(pk, force=True)
        count += len(batch)
        last = batch[-1]


# --- policies (admins) --------------------------------------------------------------------------------------


def _require_admin(by: User) -> None:
    if not can_administer(by):
        raise NotPermitted(_("Only admins can change SLA policies."))


def _after_policy_change() -> None:
    policies_changed()

    def later() -> None:
        policies_changed()  # again, for processes that read before the commit
        from awn.sla.tasks import recompute_after_policy_change

        try:
            recompute_after_policy_change()
        except Exception:  # the queue being down must not fail the admin's save; the next events catch up
            log.exception("could not queue the SLA recompute")

    transaction.on_commit(later)


@transaction.atomic
def save_policy(
    *,
    by: User,
    name: str,
    targets: dict[str, Any],
    conditions: dict[str, Any] | None = None,
    calendar_id: int | None = None,
    pause_statuses: Iterable[str] = ("pending", "on_hold"),
    warning_minutes: int = 30,
    notify_on_warning: Iterable[str] = ("assignee",),
    notify_on_breach: Iterable[str] = ("assignee", "team", "managers"),
    email_notifications: bool = True,
    webhook_id: int | None = None,
    description: str = "",
    is_active: bool = True,
    policy: SLAPolicy | None = None,
) -> SLAPolicy:
    """Create or change a policy; a new one goes last. Open tickets are recomputed after the commit."""
    _require_admin(by)
    name = " ".join((name or "").split())[:120]
    if not name:
        raise ValidationFailed(_("A name is required."), field="name")
    clash = SLAPolicy.objects.filter(name=name)
    if policy is not None:
        clash = clash.exclude(pk=policy.pk)
    if clash.exists():
        raise ValidationFailed(_("Another policy already has this name."), field="name")
    if not 0 <= int(warning_minutes) <= 7 * 24 * 60:
        raise ValidationFailed(_("Warn at most a week before a breach."), field="warning_minutes")
    if calendar_id is not None:
        from awn.calendars.models import BusinessCalendar

        if not BusinessCalendar.objects.filter(pk=calendar_id).exists():
            raise ValidationFailed(_("That calendar does not exist."), field="calendar")
    if webhook_id is not None:
        from awn.automation.models import Webhook

        if not Webhook.objects.filter(pk=webhook_id).exists():
            raise ValidationFailed(_("That webhook does not exist."), field="webhook")
    creating = policy is None
    policy = policy or SLAPolicy()
    policy.name, policy.description, policy.is_active = name, (description or "").strip(), is_active
    policy.targets = clean_targets(targets)
    policy.conditions = clean_conditions(conditions)
    policy.calendar_id = calendar_id
    policy.pause_statuses = clean_statuses(pause_statuses)
    policy.warning_minutes = int(warning_minutes)
    policy.notify_on_warning = clean_recipients(notify_on_warning, "notify_on_warning")
    policy.notify_on_breach = clean_recipients(notify_on_breach, "notify_on_breach")
    policy.email_notifications = email_notifications
    policy.webhook_id = webhook_id
    policy.updated_at = clock.now()
    if creating:
        last = SLAPolicy.objects.order_by("-position").values_list("position", flat=True).first()
        policy.position = (last or 0) + 1
    policy.save()
    _after_policy_change()
    return policy


@transaction.atomic
def delete_policy(*, by: User, policy: SLAPolicy) -> None:
    _require_admin(by)
    policy.delete()
    _after_policy_change()


@transaction.atomic
def move_policy(*, by: User, policy: SLAPolicy, step: int) -> None:
    """Move a policy up (step -1) or down (+1) in the matching order."""
    _require_admin(by)
    ordered = list(SLAPolicy.objects.select_for_update().order_by("position", "id"))
    index = next(i for i, p in enumerate(ordered) if p.pk == policy.pk)
    other = index + step
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            SLAPolicy.objects.filter(pk=item.pk).update(position=position)
    _after_policy_change()
