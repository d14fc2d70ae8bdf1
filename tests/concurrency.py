"""Another worker, for the tests of what one worker does while another holds rows (PostgreSQL)."""

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from django.db import connection, transaction
from django.db.models import QuerySet


class OtherWorker(threading.Thread):
    """A thread that does `work` in a transaction and keeps it open until `release` is set."""

    def __init__(self, work: Callable[[], object]) -> None:
        super().__init__()
        self.work = work
        self.holding, self.release = threading.Event(), threading.Event()

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.work()
                self.holding.set()
                self.release.wait(timeout=30)
        finally:
            connection.close()


@contextmanager
def another_transaction(work: Callable[[], object]) -> Iterator[OtherWorker]:
    """Do `work` in a transaction of another thread (another worker), open until the block ends (or the
    block sets the worker's `release`)."""
    other = OtherWorker(work)
    other.start()
    try:
        assert other.holding.wait(timeout=30)
        yield other
    finally:
        other.release.set()
        other.join(timeout=30)


def another_transaction_holding(rows: QuerySet) -> AbstractContextManager[OtherWorker]:
    """Lock `rows` in a transaction of another thread (another worker) until the block ends."""
    return another_transaction(lambda: list(rows.select_for_update()))
