"""Actions that hand the ticket on: assignment by the team's strategy, tier moves."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from pydantic import Field, field_validator

from awn.accounts.models import Tier
from awn.automation.actions.base import Action, ActionParams, RunContext, register
from awn.core.words import Said
from awn.tickets.models import Ticket


@register
class AutoAssign(Action[ActionParams]):
    """Assign by the team's strategy (round-robin, least open, skill, language) to an online agent."""

    type = "auto_assign"
    label = gettext_lazy("Assign by the team's strategy")

    def preview(self, ticket: Ticket) -> str:
        return "" if ticket.assignee_id else Said(gettext_noop("assign by the team's strategy"))

    def apply(self, ticket: Ticket, context: RunContext) -> str:
        from awn.routing.services import auto_assign

        agent = auto_assign(ticket=ticket, by=context.actor)
        ticket.refresh_from_db()
        return Said(gettext_noop("assigned to %(name)s"), name=agent.display_name) if agent else ""


class ReasonParams(ActionParams):
    reason: str = Field(min_length=1, max_length=2000)


@register
class Escalate(Action[ReasonParams]):
    type = "escalate"
    label = gettext_lazy("Escalate one tier")
    Params = ReasonParams

    def preview(self, ticket: Ticket) -> str:
        from awn.routing.tiers import tier_of

        current = tier_of(ticket)
        return Said(gettext_noop("escalate to L%(tier)s"), tier=current + 1) if current < Tier.L3 else ""

    def apply(self, ticket: Ticket, context: RunContext) -> str:
        from awn.routing.tiers import escalate_ticket

        summary = self.preview(ticket)
        if summary:
            escalate_ticket(ticket=ticket, reason=self.params.reason, by=context.actor)
            ticket.refresh_from_db()
        return summary


@register
class Deescalate(Action[ReasonParams]):
    type = "deescalate"
    label = gettext_lazy("De-escalate one tier")
    Params = ReasonParams

    def preview(self, ticket: Ticket) -> str:
        from awn.routing.tiers import tier_of

        current = tier_of(ticket)
        return Said(gettext_noop("de-escalate to L%(tier)s"), tier=current - 1) if current > Tier.L1 else ""

    def apply(self, ticket: Ticket, context: RunContext) -> str:
        from awn.routing.tiers import deescalate_ticket

        summary = self.preview(ticket)
        if summary:
            deescalate_ticket(ticket=ticket, reason=self.params.reason, by=context.actor)
            ticket.refresh_from_db()
        return summary


class TierParams(ReasonParams):
    tier: int

    @field_validator("tier")
    @classmethod
    def _known(cls, value: int) -> int:
        if value not in Tier.values:
            raise ValueError(_("tier must be 1, 2 or 3"))
        return value


@register
class SetTier(Action[TierParams]):
    type = "set_tier"
    label = gettext_lazy("Move to a tier")
    Params = TierParams

    def preview(self, ticket: Ticket) -> str:
        from awn.routing.tiers import tier_of

        return (
            ""
            if tier_of(ticket) == self.params.tier
            else Said(gettext_noop("move to L%(tier)s"), tier=self.params.tier)
        )

    def apply(self, ticket: Ticket, context: RunContext) -> str:
        from awn.routing.tiers import move_to_tier

        summary = self.preview(ticket)
        if summary:
            move_to_tier(ticket=ticket, tier=self.params.tier, reason=self.params.reason, by=context.actor)
            ticket.refresh_from_db()
        return summary
