"""The outbox: queued with the change, delivered once, retried with backoff, taken over when a worker dies."""

from datetime import timedelta

import pytest
from django.db import transaction

from awn.core import clock
from awn.outbox import registry
from awn.outbox.models import OutboxItem
from awn.outbox.registry import PermanentFailure
from awn.outbox.services import (
    claim,
    deliver_due,
    deliver_item,
    enqueue,
    retry_delay,
    retry_now,
    suppress_deliveries,
)

pytestmark = pytest.mark.django_db


class Recorder:
    def __init__(self):
        self.delivered, self.failures, self.sent, self.failed = [], [], [], []
        self.fail_with = None

    def deliver(self, item):
        if self.fail_with is not None:
            raise self.fail_with
        self.delivered.append(item.payload)

    def on_sent(self, item):
        self.sent.append(item.pk)

    def on_failed(self, item, reason):
        self.failed.append(reason)


@pytest.fixture
def recorder():
    recorder = Recorder()
    registry.register("test.kind", recorder.deliver, on_sent=recorder.on_sent, on_failed=recorder.on_failed)
    yield recorder
    registry.SENDERS.pop("test.kind", None)


def test_an_item_is_delivered_once_its_transaction_commits(recorder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(kind="test.kind", payload={"n": 1}, key="k1")

        assert recorder.delivered == []

    assert recorder.delivered == [{"n": 1}]
    item = OutboxItem.objects.get()
    assert item.status == OutboxItem.Status.SENT and item.sent_at and recorder.sent == [item.pk]


def test_a_rolled_back_change_leaves_no_item(recorder):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(kind="test.kind", payload={}, key="k1")
        raise RuntimeError("the change failed")

    assert not OutboxItem.objects.exists()


def test_the_same_key_queues_one_item(recorder):
    first = enqueue(kind="test.kind", payload={"n": 1}, key="same")

    second = enqueue(kind="test.kind", payload={"n": 2}, key="same")

    assert first.pk == second.pk
    assert OutboxItem.objects.get().payload == {"n": 1}


def test_an_unknown_kind_is_refused_when_queued():
    with pytest.raises(ValueError):
        enqueue(kind="nobody.sends.this", payload={}, key="k")


def test_a_sent_item_is_never_delivered_again(recorder):
    item = enqueue(kind="test.kind", payload={}, key="k")
    deliver_item(item.pk)

    again = deliver_item(item.pk)

    assert again is None
    assert len(recorder.delivered) == 1


def test_a_failure_is_retried_later_with_a_growing_delay(recorder, settings):
    settings.AWN_OUTBOX_RETRY_SECONDS = 10
    recorder.fail_with = ConnectionError("down")
    item = enqueue(kind="test.kind", payload={}, key="k")

    deliver_item(item.pk)

    item.refresh_from_db()
    assert item.status == OutboxItem.Status.QUEUED and item.attempts == 1
    assert "down" in item.last_error
    assert timedelta(seconds=8) < item.next_attempt_at - clock.now() < timedelta(seconds=12)
    assert deliver_due() == 0


def test_the_backoff_doubles_and_is_capped(settings):
    settings.AWN_OUTBOX_RETRY_SECONDS, settings.AWN_OUTBOX_MAX_RETRY_SECONDS = 10, 100

    delays = [retry_delay(n) for n in (1, 2, 3, 4, 10)]

    assert 9 <= delays[0] <= 11 and 18 <= delays[1] <= 22 and 36 <= delays[2] <= 44 and 72 <= delays[3] <= 88
    assert 90 <= delays[4] <= 110


def test_after_the_last_attempt_the_item_fails_and_its_sender_hears_why(recorder, settings):
    settings.AWN_OUTBOX_MAX_ATTEMPTS = 2
    recorder.fail_with = ConnectionError("still down")
    item = enqueue(kind="test.kind", payload={}, key="k")
    deliver_item(item.pk)
    OutboxItem.objects.update(next_attempt_at=clock.now())

    deliver_item(item.pk)

    item.refresh_from_db()
    assert item.status == OutboxItem.Status.FAILED and item.attempts == 2
    assert recorder.failed == ["ConnectionError: still down"]


def test_a_permanent_failure_is_not_retried(recorder):
    recorder.fail_with = PermanentFailure("550 no such user")
    item = enqueue(kind="test.kind", payload={}, key="k")

    deliver_item(item.pk)

    item.refresh_from_db()
    assert item.status == OutboxItem.Status.FAILED and item.attempts == 1
    assert recorder.failed == ["550 no such user"]


def test_an_item_claimed_by_a_live_worker_is_not_taken_by_another(recorder):
    item = enqueue(kind="test.kind", payload={}, key="k")
    assert claim(item.pk) is not None  # worker A holds it, mid-delivery

    taken = deliver_item(item.pk)  # worker B

    assert taken is None
    assert recorder.delivered == []


def test_an_item_whose_worker_died_is_delivered_once_its_claim_runs_out(recorder):
    item = enqueue(kind="test.kind", payload={}, key="k")
    claim(item.pk)  # worker A claimed it and was killed
    OutboxItem.objects.update(next_attempt_at=clock.now() - timedelta(seconds=1))  # the claim ran out

    delivered = deliver_due()

    assert delivered == 1
    assert recorder.delivered == [{}]
    assert OutboxItem.objects.get().attempts == 2


def test_an_admin_can_retry_a_failed_item(recorder, django_capture_on_commit_callbacks):
    recorder.fail_with = PermanentFailure("no")
    item = enqueue(kind="test.kind", payload={}, key="k")
    deliver_item(item.pk)
    recorder.fail_with = None

    with django_capture_on_commit_callbacks(execute=True):
        retry_now(OutboxItem.objects.get())

    assert OutboxItem.objects.get().status == OutboxItem.Status.SENT


def test_nothing_is_queued_while_deliveries_are_suppressed(recorder):
    with suppress_deliveries():
        item = enqueue(kind="test.kind", payload={}, key="k")

    assert item is None
    assert not OutboxItem.objects.exists()
