"""What automation sends out of the process, all through the outbox (DESIGN.md §3): automated replies to
requesters, notification emails to agents, and signed webhook calls. Each is queued in the transaction of
the change that caused it and delivered by the outbox worker with retries and an idempotency key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from awn.automation.models import Notification, Webhook
from awn.core import clock
from awn.outbox import registry
from awn.outbox.models import OutboxItem
from awn.outbox.registry import PermanentFailure
from awn.outbox.services import enqueue
from awn.tickets.models import Message

REPLY = "automation.reply"
NOTIFICATION = "automation.notification"
WEBHOOK = "automation.webhook"
WEBHOOK_TIMEOUT = 10.0
SIGNATURE_HEADER = "X-Awn-Signature"


def register() -> None:
    registry.register(REPLY, deliver_reply)
    registry.register(NOTIFICATION, deliver_notification)
    registry.register(WEBHOOK, deliver_webhook)


# --- automated replies --------------------------------------------------------------------------------------


def queue_reply(message: Message) -> None:
    enqueue(kind=REPLY, payload={"message": message.pk}, key=f"{REPLY}:{message.pk}")


def deliver_reply(item: OutboxItem) -> None:
    message = (
        Message.objects.select_related("ticket", "ticket__requester")
        .filter(pk=item.payload.get("message"), internal=False, author__isnull=True)
        .first()
    )
    if message is None:
        raise PermanentFailure("the message was deleted")
    ticket, person = message.ticket, message.ticket.requester
    if not person.is_active:
        return
    language = ticket.language or person.language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("[#%(number)s] %(subject)s") % {"number": ticket.number, "subject": ticket.subject}
    EmailMessage(
        subject=subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
        headers={
            "X-Awn-Ticket": str(ticket.number),
            "Auto-Submitted": "auto-replied",
            "X-Auto-Response-Suppress": "All",
            "Content-Language": language,
        },
    ).send()


# --- notification emails ------------------------------------------------------------------------------------


def queue_notification_email(notification: Notification) -> None:
    enqueue(
        kind=NOTIFICATION, payload={"notification": notification.pk}, key=f"{NOTIFICATION}:{notification.pk}"
    )


def deliver_notification(item: OutboxItem) -> None:
    notification = (
        Notification.objects.select_related("recipient").filter(pk=item.payload.get("notification")).first()
    )
    if notification is None:
        raise PermanentFailure("the notification was deleted")
    person = notification.recipient
    if not person.is_active:
        return
    with translation.override(person.language or settings.LANGUAGE_CODE):
        lines = [notification.text]
        if notification.ticket_id:
            lines += ["", settings.AWN_BASE_URL + reverse("desk:ticket", args=[notification.ticket_id])]
        lines += ["", "— " + settings.AWN_HELPDESK_NAME]
    EmailMessage(
        subject=notification.text[:150],
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
        headers={"Auto-Submitted": "auto-generated"},
    ).send()
    Notification.objects.filter(pk=notification.pk).update(emailed_at=clock.now())


# --- webhooks -----------------------------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex: receivers recompute it and compare in constant time."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def queue_webhook(*, webhook: Webhook, event: str, data: dict[str, Any], key: str) -> None:
    enqueue(
        kind=WEBHOOK,
        payload={"webhook": webhook.pk, "event": event, "data": data},
        key=f"{WEBHOOK}:{webhook.pk}:{key}",
    )


def deliver_webhook(item: OutboxItem) -> None:
    import httpx

    webhook = Webhook.objects.filter(pk=item.payload.get("webhook")).first()
    if webhook is None or not webhook.is_active:
        raise PermanentFailure("the webhook was deleted or switched off")
    body = json.dumps(
        {
            "event": item.payload.get("event"),
            "delivery": item.idempotency_key,
            "data": item.payload.get("data", {}),
        },
        ensure_ascii=False,
        sort_keys=True,
    ).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"{settings.AWN_HELPDESK_NAME}-webhooks",
        "X-Awn-Delivery": item.idempotency_key,
        "X-Awn-Timestamp": timestamp,
        SIGNATURE_HEADER: sign(webhook.secret, timestamp, body),
    }
    response = httpx.post(
        webhook.url, content=body, headers=headers, timeout=WEBHOOK_TIMEOUT, follow_redirects=False
    )
    if response.status_code >= 400 and response.status_code not in (408, 429) and response.status_code < 500:
        raise PermanentFailure(f"{webhook.url} answered {response.status_code}")
    response.raise_for_status()
