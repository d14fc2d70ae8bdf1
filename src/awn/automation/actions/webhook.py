"""Call a webhook: a signed JSON POST, queued in the rule's transaction and retried by the outbox."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from awn.automation.actions.base import Action, ActionParams, RunContext, register
from awn.core.words import Said
from awn.tickets.models import Ticket


class WebhookParams(ActionParams):
    webhook: int
    event: str = "rule"  # a name for the receiver, e.g. "escalated_to_l3"


def ticket_payload(ticket: Ticket) -> dict:
    """What a receiver (an issue tracker, a chat room) needs to act on the ticket; no message bodies."""
    from django.conf import settings
    from django.urls import reverse

    return {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "language": ticket.language,
        "team": ticket.team_id,
        "tier": ticket.team.tier if ticket.team_id and ticket.team else None,
        "assignee": ticket.assignee_id,
        "requester": ticket.requester_id,
        "organization": ticket.organization_id,
        "tags": sorted(ticket.tags.values_list("name", flat=True)),
        "url": settings.AWN_BASE_URL + reverse("desk:ticket", args=[ticket.number]),
        "created_at": ticket.created_at.isoformat(),
        "updated_at": ticket.updated_at.isoformat(),
    }


@register
class CallWebhook(Action[WebhookParams]):
    type = "webhook"
    label = gettext_lazy("Call a webhook")
    Params = WebhookParams

    def _webhook(self):
        from awn.automation.models import Webhook

        return Webhook.objects.filter(pk=self.params.webhook).first()

    def check(self) -> None:
        if self._webhook() is None:
            raise ValueError(_("webhook: webhook %(id)s does not exist") % {"id": self.params.webhook})

    def preview(self, ticket: Ticket) -> str:
        webhook = self._webhook()
        return (
            Said(gettext_noop("call webhook %(name)s"), name=webhook.name)
            if webhook and webhook.is_active
            else ""
        )

    def apply(self, ticket: Ticket, context: RunContext) -> str:
        from awn.automation.outbound import queue_webhook

        webhook = self._webhook()
        if webhook is None or not webhook.is_active:
            return ""
        data = {"ticket": ticket_payload(ticket), "rule": {"id": context.rule_id, "name": context.rule_name}}
        key = f"{context.rule_id}:{ticket.pk}:{context.now.isoformat()}"
        queue_webhook(webhook=webhook, event=self.params.event, data=data, key=key)
        return Said(gettext_noop("call webhook %(name)s"), name=webhook.name)
