from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from awn.core import clock


class OutboxItem(models.Model):
    """One delivery to make (an email, a webhook call): kept until it succeeded or finally failed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    # One item per key however often the cause is replayed: a retried request or job never queues twice.
    idempotency_key = models.CharField(max_length=255, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    # For a queued item: when to try next. For a sending one: when its worker's claim runs out (a worker
    # killed mid-delivery leaves it "sending"; once this passes, another worker takes it over).
    next_attempt_at = models.DateTimeField(default=clock.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key} ({self.status})"
