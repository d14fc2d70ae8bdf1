"""Changing a ticket's fields: status, priority, assignee, team, tags, subject, followers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from awn.accounts.models import Team, User
from awn.core import clock
from awn.core.errors import NotPermitted, ValidationFailed
from awn.tickets.models import Priority, Status, Tag, Ticket, TicketEvent
from awn.tickets.services.actors import Actor
from awn.tickets.services.recording import announce, record_event, touch
from awn.tickets.states import check_transition

_TAG = re.compile(r"^[\w\-.:]{1,64}$", re.UNICODE)


def _require_staff(by: Actor) -> None:
    if by.user is not None and not by.user.is_staff_member:
        raise NotPermitted(_("Only agents can change tickets."))


def normalize_tag(name: str) -> str:
    tag = "_".join((name or "").strip().casefold().split())
    if not _TAG.match(tag):
        raise ValidationFailed(_("“%(tag)s” is not a valid tag.") % {"tag": name[:64]}, field="tags")
    return tag


@transaction.atomic
def change_status(*, ticket: Ticket, status: str, by: Actor) -> Ticket:
    """Move a ticket through its life cycle (tickets/states.py decides what is legal)."""
    if status == ticket.status:
        return ticket
    check_transition(ticket.status, status)
    old = ticket.status
    ticket.status = status
    fields = ["status"]
    if status == Status.SOLVED:
        ticket.solved_at = clock.now()
        fields.append("solved_at")
    elif old == Status.SOLVED and status == Status.OPEN:
        ticket.solved_at = None
        fields.append("solved_at")
    record_event(ticket=ticket, by=by, kind=TicketEvent.Kind.STATUS, old=old, new=status)
    touch(ticket, *fields)
    announce("ticket.updated", ticket, changed=["status"])
    return ticket


@transaction.atomic
def change_priority(*, ticket: Ticket, priority: int, by: Actor) -> Ticket:
    """Set the priority (low, normal, high, urgent)."""
    _require_staff(by)
    if priority not in Priority.values:
        raise ValidationFailed(_("Unknown priority."), field="priority")
    if priority == ticket.priority:
        return ticket
    old, ticket.priority = ticket.priority, priority
    record_event(ticket=ticket, by=by, kind=TicketEvent.Kind.PRIORITY, old=old, new=priority)
    touch(ticket, "priority")
    announce("ticket.updated", ticket, changed=["priority"])
    return ticket


@transaction.atomic
def assign_ticket(*, ticket: Ticket, assignee: User | None, by: Actor) -> Ticket:
    """Give the ticket to an agent, or take it back to unassigned (None)."""
    _require_staff(by)
    if assignee is not None and not assignee.is_staff_member:
        raise ValidationFailed(_("Tickets can only be assigned to active agents."), field="assignee")
    if ticket.status == Status.CLOSED:
        raise NotPermitted(_("A closed ticket cannot be reassigned."))
    if (assignee.pk if assignee else None) == ticket.assignee_id:
        return ticket
    old = ticket.assignee_id
    ticket.assignee = assignee
    fields = ["assignee"]
    record_event(
        ticket=ticket, by=by, kind=TicketEvent.Kind.ASSIGNEE, old=old, new=assignee.pk if assignee else None
    )
    touch(ticket, *fields)
    if assignee is not None and ticket.status == Status.NEW:
        change_status(ticket=ticket, status=Status.OPEN, by=by)
    announce("ticket.updated", ticket, changed=["assignee"])
    return ticket


@transaction.atomic
def change_team(*, ticket: Ticket, team: Team | None, by: Actor) -> Ticket:
    """Move the ticket to another team (or to no team: the shared triage pool)."""
    _require_staff(by)
    if (team.pk if team else None) == ticket.team_id:
        return ticket
    old = ticket.team_id
    ticket.team = team
    record_event(ticket=ticket, by=by, kind=TicketEvent.Kind.TEAM, old=old, new=team.pk if team else None)
    touch(ticket, "team")
    announce("ticket.updated", ticket, changed=["team"])
    return ticket


@transaction.atomic
def change_subject(*, ticket: Ticket, subject: str, by: Actor) -> Ticket:
    """Rename the ticket."""
    _require_staff(by)
    subject = " ".join((subject or "").split())[:255]
    if not subject:
        raise ValidationFailed(_("A subject is required."), field="subject")
    if subject == ticket.subject:
        return ticket
    old, ticket.subject = ticket.subject, subject
    record_event(ticket=ticket, by=by, kind=TicketEvent.Kind.SUBJECT, old=old, new=subject)
    touch(ticket, "subject")
    from awn.search.indexing import index_ticket_subject

    index_ticket_subject(ticket)
    announce("ticket.updated", ticket, changed=["subject"])
    return ticket


@transaction.atomic
def set_tags(*, ticket: Ticket, tags: Iterable[str], by: Actor) -> Ticket:
    """Replace the ticket's tags with `tags` (normalized: lower case, no spaces)."""
    wanted = sorted({normalize_tag(name) for name in tags if name and name.strip()})
    before = dict(ticket.tags.values_list("name", "id"))
    current = sorted(before)
    if wanted == current:
        return ticket
    objects = [Tag.objects.get_or_create(name=name)[0] for name in wanted]
    ticket.tags.set(objects)
    record_event(ticket=ticket, by=by, kind=TicketEvent.Kind.TAGS, old=current, new=wanted)
    touch(ticket)
    after = {tag.pk for tag in objects}
    # The ids that came and went: the reports move their tag counts by these, in this transaction.
    announce(
        "ticket.updated",
        ticket,
        changed=["tags"],
        added_tag_ids=sorted(after - set(before.values())),
        removed_tag_ids=sorted(set(before.values()) - after),
    )
    return ticket


def add_tags(*, ticket: Ticket, tags: Iterable[str], by: Actor) -> Ticket:
    current = set(ticket.tags.values_list("name", flat=True))
    return set_tags(ticket=ticket, tags=current | {normalize_tag(t) for t in tags if t.strip()}, by=by)


def remove_tags(*, ticket: Ticket, tags: Iterable[str], by: Actor) -> Ticket:
    current = set(ticket.tags.values_list("name", flat=True))
    return set_tags(ticket=ticket, tags=current - {normalize_tag(t) for t in tags if t.strip()}, by=by)


@transaction.atomic
def add_followers(*, ticket: Ticket, users: Iterable[User], by: Actor) -> Ticket:
    """Copy people on the ticket (CCs): they receive public replies and may read it."""
    existing = set(ticket.followers.values_list("id", flat=True))
    new = [user for user in users if user.pk not in existing and user.pk != ticket.requester_id]
    if not new:
        return ticket
    ticket.followers.add(*new)
    record_event(
        ticket=ticket,
        by=by,
        kind=TicketEvent.Kind.FOLLOWERS,
        old=sorted(existing),
        new=sorted(existing | {u.pk for u in new}),
    )
    touch(ticket)
    announce("ticket.updated", ticket, changed=["followers"])
    return ticket


_UNSET: Any = object()


@transaction.atomic
def update_ticket(
    *,
    ticket: Ticket,
    by: Actor,
    status: str | None = None,
    priority: int | None = None,
    assignee: User | None = _UNSET,
    team: Team | None = _UNSET,
    tags: Iterable[str] | None = None,
    subject: str | None = None,
) -> Ticket:
    """Apply several changes at once, all or nothing (the API's PATCH and the desk's bulk actions)."""
    _require_staff(by)
    if subject is not None:
        change_subject(ticket=ticket, subject=subject, by=by)
    if priority is not None:
        change_priority(ticket=ticket, priority=priority, by=by)
    if team is not _UNSET:
        change_team(ticket=ticket, team=team, by=by)
    if assignee is not _UNSET:
        assign_ticket(ticket=ticket, assignee=assignee, by=by)
    if tags is not None:
        set_tags(ticket=ticket, tags=tags, by=by)
    if status is not None:
        change_status(ticket=ticket, status=status, by=by)
    return ticket
