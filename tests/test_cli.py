"""The `awn` command as people run it: the installed entry point, in subprocesses, on a temporary AWN_HOME."""

import hashlib
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

AWN = Path(sys.executable).with_name("awn")
ADMIN_EMAIL = "boss@example.com"
ADMIN_PASSWORD = "Correct-horse-battery-9"


def awn_env(home: Path, **extra: str) -> dict[str, str]:
    """A person's shell: none of pytest's test-mode switches or AWN_* settings, AWN_HOME at `home`."""
    test_mode = {"PYTEST_VERSION", "PYTEST_CURRENT_TEST"}
    env = {
        key: value for key, value in os.environ.items() if key not in test_mode and not key.startswith("AWN_")
    }
    env.update(AWN_HOME=str(home), **extra)
    return env


def awn(
    home: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120, **extra_env: str
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(AWN), *args],
        env=env or awn_env(home, **extra_env),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
    )


def query(home: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(home / "awn.sqlite3") as db:
        return db.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """An AWN_HOME on which `awn init` and `awn createadmin` have run."""
    path = tmp_path_factory.mktemp("awn-home")
    init = awn(path, "init")
    assert init.returncode == 0, init.stderr
    admin = awn(path, "createadmin", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD, "--name", "Boss")
    assert admin.returncode == 0, admin.stderr
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_init_migrates_a_fresh_home_and_collects_static_files(home):
    tables = {name for (name,) in query(home, "SELECT name FROM sqlite_master WHERE type = 'table'")}

    stylesheet = home / "static" / "awn" / "awn.css"

    assert {"accounts_user", "tickets_ticket", "django_migrations"} <= tables
    assert stylesheet.is_file()
    assert (home / "files").is_dir()


def test_init_on_an_initialized_home_changes_nothing(home):
    result = awn(home, "init")

    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def test_createadmin_creates_an_administrator_without_prompting(home):
    rows = query(
        home,
        "SELECT role, is_superuser, is_active, name, password FROM accounts_user WHERE email = ?",
        ADMIN_EMAIL,
    )

    assert len(rows) == 1
    role, is_superuser, is_active, name, password = rows[0]
    assert (role, is_superuser, is_active, name) == ("admin", 1, 1, "Boss")
    assert password.startswith("argon2")


def test_createadmin_without_a_password_and_no_terminal_says_so_and_writes_nothing(home):
    result = awn(home, "createadmin", "--email", "nobody@example.com")

    assert result.returncode == 1
    assert "--password" in result.stderr
    assert "Traceback" not in result.stderr
    assert query(home, "SELECT id FROM accounts_user WHERE email = 'nobody@example.com'") == []


def test_createadmin_refuses_a_weak_password_and_writes_nothing(home):
    result = awn(home, "createadmin", "--email", "weak@example.com", "--password", "short")

    assert result.returncode == 1
    assert "password refused" in result.stderr
    assert query(home, "SELECT id FROM accounts_user WHERE email = 'weak@example.com'") == []


def test_token_create_prints_a_token_that_authenticates_as_its_last_line(home):
    result = awn(home, "token", "create", ADMIN_EMAIL, "--name", "ci")

    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"awn_[A-Za-z0-9_-]{40,}", token)
    stored = query(
        home,
        "SELECT t.prefix, t.name, t.revoked_at, u.email FROM accounts_apitoken t "
        "JOIN accounts_user u ON u.id = t.user_id WHERE t.key_hash = ?",
        hashlib.sha256(token.encode()).hexdigest(),
    )
    assert stored == [(token[:12], "ci", None, ADMIN_EMAIL)]


def test_token_create_for_an_unknown_person_fails_clearly(home):
    result = awn(home, "token", "create", "stranger@example.com")

    assert result.returncode == 1
    assert "no user with the email stranger@example.com" in result.stderr
    assert "Traceback" not in result.stderr


def test_doctor_passes_on_an_initialized_home(home):
    result = awn(home, "doctor")

    assert result.returncode == 0, result.stdout
    assert "FAIL" not in result.stdout
    assert re.search(r"^OK\s+database", result.stdout, re.MULTILINE)
    assert re.search(r"^OK\s+migrations", result.stdout, re.MULTILINE)
    assert re.search(r"^OK\s+reports\s+report roll-ups built", result.stdout, re.MULTILINE)
    assert re.search(r"^OK\s+reports\s+new tickets' report facts written", result.stdout, re.MULTILINE)


def test_doctor_warns_while_the_report_rollups_wait_for_their_rebuild(home):
    with sqlite3.connect(home / "awn.sqlite3") as db:  # as after an upgrade that added a roll-up table
        db.execute("DELETE FROM reports_rollupstate WHERE \"table\" = 'tag'")

    warned = awn(home, "doctor")
    rebuilt = awn(home, "manage", "rebuild_report_rollups")
    after = awn(home, "doctor")

    assert warned.returncode == 0, warned.stdout  # a warning, not a failure
    assert re.search(r"^WARN\s+reports\s+report roll-ups not built yet \(tag\)", warned.stdout, re.MULTILINE)
    assert "awn manage rebuild_report_rollups" in warned.stdout
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert re.search(r"^OK\s+reports", after.stdout, re.MULTILINE)


def test_doctor_says_whether_postgresqls_autovacuum_is_on(home):
    import psycopg

    url = "postgres://postgres@127.0.0.1/postgres"  # a database Awn never migrated: only the server is read
    with psycopg.connect(url) as db:
        (setting,) = db.execute("SHOW autovacuum").fetchone()

    result = awn(home, "doctor", AWN_DATABASE_URL=url)

    if setting == "on":
        assert re.search(r"^OK\s+autovacuum", result.stdout, re.MULTILINE), result.stdout
    else:  # as on the CI machines' server (conf.d/90-ci.conf)
        assert re.search(r"^WARN\s+autovacuum\s+PostgreSQL's autovacuum is off", result.stdout, re.MULTILINE)
        assert "set autovacuum = on in postgresql.conf" in result.stdout


@pytest.mark.parametrize(("setting", "status"), [("on", "OK"), ("off", "WARN")])
def test_doctor_warns_when_autovacuum_is_off(setting, status):
    from awn.cli.doctor import _check_autovacuum

    assert _check_autovacuum(setting).status == status


def test_doctor_fails_and_says_what_to_do_when_the_database_is_unreachable(home):
    result = awn(home, "doctor", AWN_DATABASE_URL="postgres://postgres@127.0.0.1:1/awn")

    assert result.returncode == 1
    unreachable = r"^FAIL\s+database\s+cannot connect to postgres://postgres@127.0.0.1:1/awn"
    assert re.search(unreachable, result.stdout, re.MULTILINE)
    assert "check AWN_DATABASE_URL" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_doctor_fails_when_debug_is_on_in_a_public_configuration(home):
    result = awn(
        home,
        "doctor",
        AWN_DEBUG="true",
        AWN_BASE_URL="https://help.example.com",
        AWN_ALLOWED_HOSTS="help.example.com",
    )

    assert result.returncode == 1
    assert re.search(r"^FAIL\s+debug", result.stdout, re.MULTILINE)


def test_a_configuration_mistake_is_one_clear_line_not_a_traceback(tmp_path):
    result = awn(tmp_path, "init", AWN_DEBUG="maybe")

    assert result.returncode == 2
    assert "AWN_DEBUG must be true or false" in result.stderr
    assert "Traceback" not in result.stderr


def test_commands_that_need_the_database_ask_for_init_first(tmp_path):
    result = awn(tmp_path, "demo")

    assert result.returncode == 1
    assert "run `awn init` first" in result.stderr


def test_manage_passes_the_arguments_through_to_django(home):
    result = awn(home, "manage", "showmigrations", "accounts")

    assert result.returncode == 0, result.stderr
    assert "[X] 0001_initial" in result.stdout


def test_production_settings_pass_the_deployment_checks(home):
    production = awn_env(
        home,
        AWN_SECRET_KEY=secrets.token_urlsafe(64),
        AWN_ALLOWED_HOSTS="help.example.com",
        AWN_BASE_URL="https://help.example.com",
    )

    result = awn(home, "manage", "check", "--deploy", "--fail-level", "WARNING", env=production)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_run_serves_the_site_and_runs_the_jobs_its_requests_queue(home):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(AWN), "run", "--port", str(port)],
        env=awn_env(home, AWN_BASE_URL=base),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        login = wait_for(f"{base}/accounts/login/")

        cookies = CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
        browser.open(f"{base}/accounts/login/link/", timeout=10).read()
        csrf = next(cookie.value for cookie in cookies if cookie.name == "csrftoken")
        form = urllib.parse.urlencode({"email": ADMIN_EMAIL, "csrfmiddlewaretoken": csrf}).encode()
        queued = browser.open(f"{base}/accounts/login/link/", data=form, timeout=10)
        mail = wait_for_mail(home / "mail", ADMIN_EMAIL)
        worker = awn(home, "doctor", "--worker", "--wait", "20", AWN_BASE_URL=base)

        assert login == 200
        assert queued.status == 200
        assert mail, "the sign-in link job queued by the request was not run by `awn run`"
        assert re.search(r"^OK\s+worker", worker.stdout, re.MULTILINE), worker.stdout
    finally:
        server.send_signal(signal.SIGTERM)  # what a service manager sends
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output


def test_run_with_several_processes_needs_redis_and_says_so(home):
    result = awn(home, "run", "--processes", "2", "--port", str(free_port()))

    assert result.returncode != 0
    assert "--processes 2 needs AWN_REDIS_URL" in result.stderr


def web_processes(parent: int) -> set[int]:
    """The web processes `awn run --processes N` started (multiprocessing's spawned children)."""
    found = set()
    for task in Path(f"/proc/{parent}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in command:
                found.add(int(child))
    return found


def test_run_with_two_processes_serves_one_port_and_replaces_a_process_that_dies(home, redis_url):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(AWN), "run", "--processes", "2", "--port", str(port)],
        env=awn_env(home, AWN_BASE_URL=base, AWN_REDIS_URL=redis_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first = wait_for(f"{base}/accounts/login/")
        started = web_processes(server.pid)
        os.kill(min(started), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while web_processes(server.pid) in (started, started - {min(started)}):
            assert time.monotonic() < deadline, "the dead web process was not replaced"
            time.sleep(0.3)
        replaced = web_processes(server.pid)
        after = wait_for(f"{base}/accounts/login/")

        assert first == 200 and after == 200
        assert len(started) == 2 and len(replaced) == 2 and min(started) not in replaced
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert "Web: 2 processes" in output


def wait_for(url: str, timeout: float = 60) -> int:
    """The status of the first answer from `url`, retrying while the server is still starting."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def wait_for_mail(folder: Path, recipient: str, timeout: float = 30) -> list[Path]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [path for path in folder.glob("*.log") if recipient in path.read_text(errors="replace")]
        if found:
            return found
        time.sleep(0.3)
    return []
