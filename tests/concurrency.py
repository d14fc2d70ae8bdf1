"""Another worker, for the tests of what one worker does while another holds rows (PostgreSQL)."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import QuerySet


@contextmanager
def another_transaction_holding(rows: QuerySet) -> Iterator[threading.Thread]:
    """Lock `rows` in a transaction of another thread (another worker) until the block ends."""
    holding, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                list(rows.select_for_update())
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert holding.wait(timeout=30)
        yield thread
    finally:
        release.set()
        thread.join(timeout=30)
