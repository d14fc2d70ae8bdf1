"""The benchmark harness's own logic: what it waits for before measuring."""

import pytest
from django.db import connection

from awn.bench.harness import wait_until_idle
from awn.bench.server import cpu_used_between, database_cpu


def cpu_readings(*values):
    readings = iter(values)
    return lambda: next(readings)


def test_creation_waits_while_the_server_still_works_at_start_up_and_goes_once_it_is_idle():
    # Seconds of server CPU read every 0.01 s: busy (a core) twice, then idle.
    waited = wait_until_idle(cpu_readings(0.0, 0.01, 0.02, 0.0201, 0.0202), step=0.01)

    assert 0.03 <= waited < 1.0  # three readings after the first: two busy steps, then an idle one


def test_a_server_whose_cpu_cannot_be_read_is_not_waited_for():
    assert wait_until_idle(lambda: None, step=0.01) < 0.01


def test_the_wait_has_a_limit():
    busy = iter(range(10_000))
    assert wait_until_idle(lambda: next(busy) * 0.01, step=0.01, limit=0.05) < 0.5


@pytest.mark.django_db
def test_the_database_cpu_is_read_per_backend_on_postgresql_and_not_on_sqlite():
    if connection.vendor != "postgresql":
        assert database_cpu() is None  # SQLite works inside Awn's processes: their CPU counts it
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (mine,) = cursor.fetchone()
        before = database_cpu()
        cursor.execute("SELECT count(*) FROM generate_series(1, 3000000)")  # ~0.3 s of the backend's CPU
        after = database_cpu()

    assert mine in before and mine in after
    assert after[mine] - before[mine] >= 0.05
    assert cpu_used_between(before, after) >= after[mine] - before[mine]


def test_a_backend_that_came_during_the_run_counts_whole_and_one_that_left_not_at_all():
    before = {10: 1.0, 11: 5.0}
    after = {10: 1.5, 12: 0.25}  # 11 disconnected; 12 connected in between

    assert cpu_used_between(before, after) == 0.75
    assert cpu_used_between(None, after) is None
