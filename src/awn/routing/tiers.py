"""Support tiers: escalate and de-escalate between L1, L2 and L3 teams, always with a reason.

A ticket's tier is its team's tier (no team: the L1 triage pool). Moving tiers moves the ticket to a team of
that tier (the team's configured "escalates to", else the first team of the tier by name), hands it back to
the queue if the assignee is not in the new team, writes the reason as an internal note and records a
"tier" event linked to that note.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from awn.accounts.models import Team, Tier
from awn.core.errors import NotPermitted, ValidationFailed
from awn.routing.models import TeamRouting
from awn.tickets import services as tickets
from awn.tickets.models import Status, Ticket, TicketEvent
from awn.tickets.services import Actor
from awn.tickets.services.automated import add_system_note
from awn.tickets.services.recording import announce, record_event

MAX_REASON = 2000


def tier_of(ticket: Ticket) -> int:
    return ticket.team.tier if ticket.team_id and ticket.team else Tier.L1


def team_for_tier(ticket: Ticket, tier: int) -> Team | None:
    if ticket.team_id:
        routing = TeamRouting.objects.filter(team_id=ticket.team_id).select_related("escalation_team").first()
        if routing and routing.escalation_team and routing.escalation_team.tier == tier:
            return routing.escalation_team
    return Team.objects.filter(tier=tier).order_by("name").first()


@transaction.atomic
def move_to_tier(
    *,
    ticket: Ticket,
    tier: int | None = None,
    step: int = 0,
    reason: str,
    by: Actor,
    team: Team | None = None,
) -> Ticket:
    """Move the ticket to a team of `tier` (or `step` tiers from its own), with a mandatory reason kept as
    an internal note. The caller's `ticket` is refreshed and changed in place."""
    if by.user is not None and not by.is_staff:
        raise NotPermitted(_("Only agents can escalate tickets."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the ticket changes tier."), field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationFailed(_("The reason is too long."), field="reason")
    list(Ticket.objects.select_for_update().filter(pk=ticket.pk).values_list("pk"))  # lock, then re-read
    ticket.refresh_from_db()
    if ticket.status == Status.CLOSED:
        raise NotPermitted(_("A closed ticket cannot change tier."))
    old_tier = tier_of(ticket)
    if tier is None:
        tier = old_tier + step
        if tier > Tier.L3:
            raise ValidationFailed(_("The ticket is already at the highest tier."), field="tier")
        if tier < Tier.L1:
            raise ValidationFailed(_("The ticket is already at the front line."), field="tier")
    if tier not in Tier.values:
        raise ValidationFailed(_("There is no such tier."), field="tier")
    target = team or team_for_tier(ticket, tier)
    if target is None:
        raise ValidationFailed(_("No team works at tier L%(tier)s.") % {"tier": tier}, field="tier")
    if target.tier != tier:
        raise ValidationFailed(_("That team is not at tier L%(tier)s.") % {"tier": tier}, field="team")
    if target.pk == ticket.team_id:
        raise ValidationFailed(_("The ticket is already with this team."), field="team")
    tickets.change_team(ticket=ticket, team=target, by=by)
    if ticket.assignee_id and not target.members.filter(pk=ticket.assignee_id).exists():
        tickets.assign_ticket(ticket=ticket, assignee=None, by=by)
    verb = _("Escalated") if tier > old_tier else _("De-escalated") if tier < old_tier else _("Moved")
    text = _("%(verb)s from L%(old)s to L%(new)s (%(team)s): %(reason)s") % {
        "verb": verb,
        "old": old_tier,
        "new": tier,
        "team": target.name,
        "reason": reason,
    }
    if by.user is None:
        note = add_system_note(ticket=ticket, by=by, body=text)
    else:
        note = tickets.add_internal_note(ticket=ticket, by=by, body=text)
    record_event(ticket=ticket, by=by, kind=TicketEvent.Kind.TIER, old=old_tier, new=tier, message=note)
    announce("ticket.updated", ticket, changed=["tier"])
    return ticket


def escalate_ticket(*, ticket: Ticket, reason: str, by: Actor, team: Team | None = None) -> Ticket:
    """One tier up (L1 → L2 → L3)."""
    return move_to_tier(ticket=ticket, step=1, reason=reason, by=by, team=team)


def deescalate_ticket(*, ticket: Ticket, reason: str, by: Actor, team: Team | None = None) -> Ticket:
    """One tier down (L3 → L2 → L1)."""
    return move_to_tier(ticket=ticket, step=-1, reason=reason, by=by, team=team)
