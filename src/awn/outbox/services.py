"""Queue deliveries in the transaction of their cause; deliver them with retries, backoff and a claim.

A delivery is marked sent only after its sender returned, i.e. after the far side accepted it. A worker killed
in the middle leaves the item "sending" with a claim that runs out (AWN_OUTBOX_LEASE_SECONDS), after which
another worker delivers it. Items carry an idempotency key and senders reuse their identifiers on a retry (an
email keeps its Message-ID), so the rare retry after an accepted-but-unrecorded delivery is recognisable.
"""

from __future__ import annotations

import contextvars
import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F

from awn.core import clock
from awn.outbox.models import OutboxItem
from awn.outbox.registry import PermanentFailure, sender_for

log = logging.getLogger(__name__)

Status = OutboxItem.Status
_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar("awn_outbox_suppressed", default=False)


@contextmanager
def suppress_deliveries() -> Iterator[None]:
    """Queue nothing inside this block (the demo replays history; its made-up people get no mail)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def deliveries_suppressed() -> bool:
    return _suppressed.get()


def enqueue(*, kind: str, payload: dict[str, Any], key: str, delay: float = 0) -> OutboxItem | None:
    """Queue one delivery; call it inside the transaction of the change. The same key queues once."""
    if deliveries_suppressed():
        return None
    if sender_for(kind) is None:
        raise ValueError(f"no outbox sender is registered for {kind!r}")
    now = clock.now()
    item, created = OutboxItem.objects.get_or_create(
        idempotency_key=key[:255],
        defaults={
            "kind": kind,
            "payload": payload,
            "next_attempt_at": now + timedelta(seconds=delay),
            "created_at": now,
        },
    )
    if created and not delay:
        transaction.on_commit(lambda: _kick(item.pk))
    return item


def _kick(item_id: int, delay: float = 0) -> None:
    """Hand the item to a job worker now (the periodic sweep finds it anyway if this is lost)."""
    from awn.outbox.tasks import deliver_outbox_item

    try:
        if delay:
            from huey.contrib.djhuey import HUEY

            if HUEY.immediate:  # tests: retries wait for an explicit deliver_due()
                return
            deliver_outbox_item.schedule((item_id,), delay=delay)
        else:
            deliver_outbox_item(item_id)
    except Exception:  # the queue being unavailable must not fail the change; the sweep delivers later
        log.exception("could not hand outbox item %s to a worker", item_id)


def retry_delay(attempts: int) -> float:
    """Exponential backoff with jitter: base · 2^(attempts-1), capped, ±10 %."""
    base = settings.AWN_OUTBOX_RETRY_SECONDS * (2 ** max(attempts - 1, 0))
    delay = min(base, settings.AWN_OUTBOX_MAX_RETRY_SECONDS)
    return delay * random.uniform(0.9, 1.1)


def claim(item_id: int) -> OutboxItem | None:
    """Take the item for this worker if it is due and nobody holds a live claim on it; else None."""
    now = clock.now()
    until = now + timedelta(seconds=settings.AWN_OUTBOX_LEASE_SECONDS)
    taken = OutboxItem.objects.filter(
        pk=item_id, status__in=(Status.QUEUED, Status.SENDING), next_attempt_at__lte=now
    ).update(status=Status.SENDING, next_attempt_at=until, attempts=F("attempts") + 1)
    if not taken:
        return None
    return OutboxItem.objects.get(pk=item_id)


def deliver_item(item_id: int) -> str | None:
    """Deliver one item if it is due; returns its status afterwards, or None when it was not ours to send."""
    item = claim(item_id)
    if item is None:
        return None
    sender = sender_for(item.kind)
    if sender is None:
        return _finally_failed(item, f"no sender is registered for {item.kind!r}")
    try:
        sender.deliver(item)
    except PermanentFailure as exc:
        return _finally_failed(item, str(exc) or type(exc).__name__)
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"[:2000]
        if item.attempts >= settings.AWN_OUTBOX_MAX_ATTEMPTS:
            return _finally_failed(item, reason)
        delay = retry_delay(item.attempts)
        OutboxItem.objects.filter(pk=item.pk, status=Status.SENDING).update(
            status=Status.QUEUED, next_attempt_at=clock.now() + timedelta(seconds=delay), last_error=reason
        )
        log.warning(
            "outbox item %s (%s) failed, attempt %s, retry in %.0fs: %s",
            item.pk,
            item.kind,
            item.attempts,
            delay,
            reason,
        )
        _kick(item.pk, delay=delay)
        return Status.QUEUED
    with transaction.atomic():
        now = clock.now()
        OutboxItem.objects.filter(pk=item.pk).update(status=Status.SENT, sent_at=now, last_error="")
        item.status, item.sent_at = Status.SENT, now
        if sender.on_sent:
            sender.on_sent(item)
    return Status.SENT


def _finally_failed(item: OutboxItem, reason: str) -> str:
    with transaction.atomic():
        OutboxItem.objects.filter(pk=item.pk).update(status=Status.FAILED, last_error=reason[:2000])
        item.status, item.last_error = Status.FAILED, reason
        sender = sender_for(item.kind)
        if sender and sender.on_failed:
            sender.on_failed(item, reason)
    log.error("outbox item %s (%s) failed for good: %s", item.pk, item.kind, reason)
    return Status.FAILED


def due_item_ids(*, limit: int = 100) -> list[int]:
    now = clock.now()
    return list(
        OutboxItem.objects.filter(status__in=(Status.QUEUED, Status.SENDING), next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def deliver_due(*, limit: int = 100) -> int:
    """Deliver every due item (at most `limit`); returns how many this call delivered."""
    return sum(1 for pk in due_item_ids(limit=limit) if deliver_item(pk) == Status.SENT)


def retry_now(item: OutboxItem) -> None:
    """An admin's "try again": a failed item becomes due at once."""
    OutboxItem.objects.filter(pk=item.pk, status=Status.FAILED).update(
        status=Status.QUEUED, next_attempt_at=clock.now(), attempts=0
    )
    transaction.on_commit(lambda: _kick(item.pk))
