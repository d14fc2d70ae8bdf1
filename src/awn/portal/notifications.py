"""Email the people on a ticket when an agent answers in public (requester and followers).

Subscribed to "ticket.message_added" in PortalConfig.ready(); the handler only enqueues a job, so the request
that made the reply never waits for a mail server.
"""

from __future__ import annotations

from awn.core.events import DomainEvent, subscribe


def notify_of_public_reply(event: DomainEvent) -> None:
    if event.data.get("internal") or not event.data.get("from_staff") or not event.data.get("message_id"):
        return
    from awn.portal.tasks import send_reply_notification

    send_reply_notification(event.data["message_id"])


def register() -> None:
    subscribe("ticket.message_added", notify_of_public_reply)
