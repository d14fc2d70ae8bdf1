"""The benchmark harness's own logic: what it waits for before measuring."""

from awn.bench.harness import wait_until_idle


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
