"""Merging a duplicate ticket into another."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from awn.core.errors import ValidationFailed
from awn.tickets.models import Message, Status, Ticket, TicketEvent
from awn.tickets.services.actors import Actor
from awn.tickets.services.changes import _require_staff
from awn.tickets.services.recording import announce, record_event, touch


@transaction.atomic
def merge_tickets(*, source: Ticket, target: Ticket, by: Actor) -> Ticket:
    """Move `source`'s conversation into `target` and close `source`, pointing at `target`."""
    _require_staff(by)
    if source.pk == target.pk:
        raise ValidationFailed(_("A ticket cannot be merged into itself."), field="target")
    if source.merged_into_id:
        raise ValidationFailed(_("This ticket was already merged."), field="source")
    if target.status == Status.CLOSED:
        raise ValidationFailed(_("A closed ticket cannot receive a merge."), field="target")
    source = Ticket.objects.select_for_update().get(pk=source.pk)
    target = Ticket.objects.select_for_update().get(pk=target.pk)
    moved = Message.objects.filter(ticket=source).update(ticket=target)
    from awn.search.indexing import reindex_ticket

    target.message_count += moved
    followers = set(source.followers.values_list("id", flat=True))
    if source.requester_id != target.requester_id:
        followers.add(source.requester_id)
    followers.discard(target.requester_id)
    if followers:
        target.followers.add(*followers)
    source.message_count = 0
    source.merged_into = target
    old_status = source.status
    source.status = Status.CLOSED
    touch(source, "message_count", "merged_into", "status")
    touch(target, "message_count")
    record_event(ticket=source, by=by, kind=TicketEvent.Kind.MERGED, old=old_status, new=target.pk)
    record_event(ticket=target, by=by, kind=TicketEvent.Kind.MERGED_FROM, new=source.pk)
    reindex_ticket(source)
    reindex_ticket(target)
    announce("ticket.updated", source, changed=["status", "merged_into"])
    announce("ticket.updated", target, changed=["messages"])
    return target
