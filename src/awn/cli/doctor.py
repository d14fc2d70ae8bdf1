"""`awn doctor`: check the configuration, the database, Redis, the folders and email; say what to fix."""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from awn.cli.environment import (
    LOCAL_HOSTS,
    CliError,
    database_errors,
    masked_url,
    say,
    setup_django,
    unapplied_migrations,
)

# --- doctor ----------------------------------------------------------------------------------------------


@dataclass
class Finding:
    status: str  # OK, WARN, FAIL
    topic: str
    message: str
    fix: str = ""


def _production_like(settings) -> bool:
    hosts = set(settings.ALLOWED_HOSTS) - LOCAL_HOSTS
    return settings.AWN_BASE_URL.startswith("https://") or bool(hosts)


def _check_secret_key(settings) -> Finding:
    if os.environ.get("AWN_SECRET_KEY"):
        if len(settings.SECRET_KEY) < 50 or len(set(settings.SECRET_KEY)) < 5:
            return Finding(
                "FAIL",
                "secret key",
                "AWN_SECRET_KEY is too short or too simple",
                "use 50 or more random characters, e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(50))'`",
            )
        return Finding("OK", "secret key", "set by AWN_SECRET_KEY")
    where = Path(settings.AWN_HOME) / "secret_key"
    if settings.AWN_REDIS_URL:
        return Finding(
            "FAIL",
            "secret key",
            f"generated and kept in {where}, but this looks like a scaled-out install (AWN_REDIS_URL is set)",
            "set the same AWN_SECRET_KEY for every process",
        )
    return Finding("OK", "secret key", f"generated and kept in {where}")


def _check_debug(settings) -> Finding:
    if not settings.DEBUG:
        return Finding("OK", "debug", "off")
    if _production_like(settings):
        return Finding(
            "FAIL",
            "debug",
            "AWN_DEBUG is on in a public configuration: error pages show secrets",
            "unset AWN_DEBUG (or set it to false)",
        )
    return Finding("WARN", "debug", "on (fine on your own machine, never in production)")


def _check_hosts(settings) -> Finding:
    host = urlsplit(settings.AWN_BASE_URL).hostname or ""
    allowed = settings.ALLOWED_HOSTS
    matches = (
        "*" in allowed
        or host in allowed
        or any(name.startswith(".") and (host == name[1:] or host.endswith(name)) for name in allowed)
    )
    if not matches:
        return Finding(
            "FAIL",
            "hosts",
            f"AWN_BASE_URL's host {host!r} is not in AWN_ALLOWED_HOSTS {allowed}",
            f"add {host} to AWN_ALLOWED_HOSTS (comma-separated)",
        )
    return Finding("OK", "hosts", f"{settings.AWN_BASE_URL} (allowed hosts: {', '.join(allowed)})")


def _check_system(settings) -> list[Finding]:
    from django.core import checks

    production = _production_like(settings)
    messages = checks.run_checks(include_deployment_checks=production)
    serious = [m for m in messages if m.level >= checks.WARNING and not m.is_silenced()]
    if not serious:
        scope = "Django's checks, with the deployment checks" if production else "Django's checks"
        return [Finding("OK", "checks", f"{scope} pass")]
    return [Finding("FAIL", "checks", f"{m.id}: {m.msg}", m.hint or "") for m in serious]


def _check_database(settings) -> list[Finding]:
    from django.db import connection

    url = masked_url(settings.DATABASE_URL)
    try:
        connection.ensure_connection()
    except database_errors() as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return [
            Finding(
                "FAIL",
                "database",
                f"cannot connect to {url}: {reason}",
                "check AWN_DATABASE_URL and that the database server is running",
            )
        ]
    found = [Finding("OK", "database", f"{connection.vendor} at {url} is reachable")]
    try:
        pending = unapplied_migrations()
    except database_errors() as exc:
        found.append(
            Finding("FAIL", "migrations", f"cannot read the migration state: {exc}", "run `awn init`")
        )
        return found
    if pending:
        found.append(
            Finding("FAIL", "migrations", f"{len(pending)} migrations are not applied", "run `awn init`")
        )
    else:
        found.append(Finding("OK", "migrations", "all applied"))
        found.append(_check_rollups())
        found.append(_check_pending_facts())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            found.append(_check_autovacuum(cursor.fetchone()[0]))
    return found


def _check_autovacuum(setting: str) -> Finding:
    """PostgreSQL's autovacuum: the report roll-up rows are updated by every new ticket, and each update
    leaves a dead row version that only a vacuum clears; without it every update gets slower (an upsert of
    one roll-up row read 1,333 buffers in 6 ms after ~35,000 updates, 15 buffers in 0.26 ms after a VACUUM:
    docs/performance.md)."""
    if setting == "on":
        return Finding("OK", "autovacuum", "PostgreSQL's autovacuum is on")
    return Finding(
        "WARN",
        "autovacuum",
        "PostgreSQL's autovacuum is off: rows updated by every new ticket (report roll-ups) get slower to "
        "update until a VACUUM",
        "set autovacuum = on in postgresql.conf, or run `VACUUM ANALYZE` on the database every few minutes",
    )


def _check_rollups() -> Finding:
    from awn.reports.rollups import TABLES, built_tables

    missing = sorted(set(TABLES) - built_tables())
    if missing:
        return Finding(
            "WARN",
            "reports",
            f"report roll-ups not built yet ({', '.join(missing)}): long periods are read slower meanwhile",
            "run `awn manage rebuild_report_rollups`",
        )
    return Finding("OK", "reports", "report roll-ups built")


# A new ticket waits this long for its report facts before doctor says that no worker writes them.
PENDING_FACTS_WARNING_SECONDS = 300


def _check_pending_facts() -> Finding:
    """The report facts of new tickets, written after they commit by the job workers (reports/pending.py)."""
    from awn.reports.pending import backlog

    queued, oldest, given_up = backlog()
    if given_up:
        return Finding(
            "WARN",
            "reports",
            f"the report facts of {given_up} new tickets failed to compute several times (see the log)",
            "run `awn manage rebuild_report_facts`",
        )
    if oldest is not None and oldest.total_seconds() > PENDING_FACTS_WARNING_SECONDS:
        return Finding(
            "WARN",
            "reports",
            f"{queued} new tickets wait for their report facts, the oldest for "
            f"{int(oldest.total_seconds() // 60)} min: no job worker is writing them",
            "start `awn worker` (or `awn run` without --no-worker)",
        )
    return Finding("OK", "reports", f"new tickets' report facts written ({queued} queued)")


def _check_redis(settings) -> Finding | None:
    if not settings.AWN_REDIS_URL:
        return None
    import redis

    url = masked_url(settings.AWN_REDIS_URL)
    try:
        redis.Redis.from_url(settings.AWN_REDIS_URL, socket_connect_timeout=3, socket_timeout=3).ping()
    except (redis.RedisError, OSError, ValueError) as exc:
        return Finding(
            "FAIL",
            "redis",
            f"cannot reach {url}: {exc}",
            "check AWN_REDIS_URL and that Redis is running (or unset it for the embedded size)",
        )
    return Finding("OK", "redis", f"{url} answers")


def _writable(folder: Path) -> str:
    """An empty string when a file can be written in `folder`, else why not."""
    if not folder.is_dir():
        return f"{folder} does not exist"
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".awn-doctor-"):
            pass
    except OSError as exc:
        return f"{folder} is not writable ({exc.strerror})"
    return ""


def _check_folders(settings) -> list[Finding]:
    found = []
    for topic, folder in (("home", Path(settings.AWN_HOME)), ("files", Path(settings.MEDIA_ROOT))):
        problem = _writable(folder)
        if problem:
            found.append(
                Finding("FAIL", topic, problem, "run `awn init`, or set AWN_HOME to a writable folder")
            )
        else:
            found.append(Finding("OK", topic, f"{folder} is writable"))
    if not Path(settings.STATIC_ROOT).is_dir():
        found.append(Finding("WARN", "static", f"{settings.STATIC_ROOT} is missing", "run `awn init`"))
    return found


def _check_email(settings) -> Finding:
    if settings.EMAIL_USE_TLS and settings.EMAIL_USE_SSL:
        return Finding(
            "FAIL",
            "email",
            "AWN_SMTP_STARTTLS and AWN_SMTP_SSL are both on",
            "use one: SSL for port 465, STARTTLS for 587",
        )
    if not settings.EMAIL_HOST:
        where = getattr(settings, "EMAIL_FILE_PATH", "")
        return Finding(
            "WARN",
            "email",
            f"no SMTP server: mail is written to files in {where}" if where else "no SMTP server configured",
            "set AWN_SMTP_HOST (and AWN_SMTP_PORT, …) to send mail",
        )
    try:
        with socket.create_connection((settings.EMAIL_HOST, settings.EMAIL_PORT), timeout=5):
            pass
    except OSError as exc:
        return Finding(
            "FAIL",
            "email",
            f"cannot reach {settings.EMAIL_HOST}:{settings.EMAIL_PORT}: {exc}",
            "check AWN_SMTP_HOST and AWN_SMTP_PORT",
        )
    return Finding(
        "OK",
        "email",
        f"SMTP server {settings.EMAIL_HOST}:{settings.EMAIL_PORT} answers, "
        f"sending as {settings.DEFAULT_FROM_EMAIL}",
    )


def _check_worker(wait: float) -> Finding:
    from awn.config.jobs import worker_answers

    if worker_answers(timeout=wait):
        return Finding("OK", "worker", "a running worker executed a test job")
    return Finding(
        "FAIL",
        "worker",
        f"no worker executed a test job within {wait:g} s",
        "start `awn run` (jobs run inside it) or `awn worker`",
    )


def _print_findings(findings: list[Finding]) -> None:
    for finding in findings:
        say(f"{finding.status:<5} {finding.topic:<11} {finding.message}")
        if finding.fix and finding.status != "OK":
            say(f"{'':<5} {'':<11} → {finding.fix}")


def cmd_doctor(args: argparse.Namespace) -> int:
    try:
        setup_django()
    except CliError as exc:
        _print_findings([Finding("FAIL", "settings", str(exc), "fix the AWN_* variable named above")])
        return 1
    from django.conf import settings

    findings = [Finding("OK", "settings", f"loaded; AWN_HOME is {settings.AWN_HOME}")]
    steps: list[Callable[[], Finding | list[Finding] | None]] = [
        lambda: _check_secret_key(settings),
        lambda: _check_debug(settings),
        lambda: _check_hosts(settings),
        lambda: _check_system(settings),
        lambda: _check_database(settings),
        lambda: _check_redis(settings),
        lambda: _check_folders(settings),
        lambda: _check_email(settings),
    ]
    if args.worker:
        steps.append(lambda: _check_worker(args.wait))
    for step in steps:
        result = step()
        if result is None:
            continue
        findings.extend(result if isinstance(result, list) else [result])
    _print_findings(findings)
    failed = [f for f in findings if f.status == "FAIL"]
    say()
    say(f"{len(failed)} problem(s) found." if failed else "Everything checked is fine.")
    return 1 if failed else 0
