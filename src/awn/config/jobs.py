"""Job queue wiring (Huey): the consumer that `awn run` starts inside the web process, and `awn worker`.

Embedded size (DESIGN.md §1): one process serves HTTP and websockets and runs the jobs, as threads started
next to the ASGI server. Scaled out: `awn worker` runs the same consumer alone, on Redis, M times.
Both load every app's `tasks.py` first, as Huey's own `run_huey` command does.
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import TYPE_CHECKING

from django.utils.module_loading import autodiscover_modules
from huey.consumer import Consumer
from huey.contrib.djhuey import HUEY, task
from huey.exceptions import ResultTimeout

if TYPE_CHECKING:
    from awn.reports.pending import FactsWriter

log = logging.getLogger("awn.jobs")

# An idle worker polls the SQLite queue at most this often; with Redis workers block on the queue instead.
MAX_POLL_SECONDS = 1.0
HEALTH_CHECK_SECONDS = 10.0


@task()
def ping(token: str) -> str:
    """Echo `token`: `awn doctor --worker` enqueues it to prove that some worker is taking jobs."""
    return token


def discover_tasks() -> None:
    """Import every app's tasks.py so the consumer knows every task it may be handed."""
    autodiscover_modules("tasks")


class EmbeddedConsumer(Consumer):
    """Huey's consumer as threads inside the web server's process.

    The web server owns the process's signals (Ctrl-C, SIGTERM) and stops the consumer when it stops, so
    the consumer installs no signal handlers of its own; a supervisor thread replaces dead workers.
    """

    def _set_signal_handlers(self) -> None:
        return None

    def start(self) -> None:
        super().start()
        supervisor = threading.Thread(target=self._supervise, name="huey-supervisor", daemon=True)
        supervisor.start()

    def _supervise(self) -> None:
        while not self.stop_flag.wait(HEALTH_CHECK_SECONDS):
            try:
                self.check_worker_health()
            except Exception:  # the supervisor must outlive any one failure, or nobody restarts workers
                log.exception("checking the job workers failed")


def _refuse_immediate_mode() -> None:
    if HUEY.immediate:
        raise RuntimeError("the job queue is in immediate mode (tests); a consumer cannot run")


def start_embedded_consumer(*, workers: int = 2) -> EmbeddedConsumer:
    """Start `workers` job threads (and Huey's scheduler) in this process; returns the running consumer."""
    _refuse_immediate_mode()
    discover_tasks()
    consumer = EmbeddedConsumer(
        HUEY,
        workers=workers,
        worker_type="thread",
        max_delay=MAX_POLL_SECONDS,
        shutdown_timeout=10,
    )
    consumer.start()
    _start_facts_writer(consumer.stop_flag)
    return consumer


def run_worker(*, workers: int = 2) -> None:
    """Run the consumer in the foreground until SIGINT/SIGTERM (the scaled-out `awn worker`)."""
    _refuse_immediate_mode()
    discover_tasks()
    if not logging.getLogger("huey").handlers and not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO)
    consumer = HUEY.create_consumer(
        workers=workers, worker_type="thread", max_delay=MAX_POLL_SECONDS, shutdown_timeout=30
    )
    writer = _start_facts_writer(consumer.stop_flag)
    try:
        consumer.run()
    finally:
        writer.stop()


def _start_facts_writer(stop_flag: threading.Event) -> FactsWriter:
    """Every worker writes the queued report facts of new tickets (reports/pending.py) in a thread of its
    own, beside the job threads, until the consumer stops."""
    from awn.reports.pending import FactsWriter

    return FactsWriter(stopped=stop_flag).start()


def worker_answers(*, timeout: float) -> bool:
    """True when some running worker executes a job within `timeout` seconds."""
    token = uuid.uuid4().hex
    result = ping(token)
    try:
        return result.get(blocking=True, timeout=timeout, revoke_on_timeout=True) == token
    except ResultTimeout:
        return False
