"""The `awn` subcommands that set up and run an installation (the doctor has its own module)."""

from __future__ import annotations

import argparse
import getpass
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from awn.cli.environment import (
    LOCAL_HOSTS,
    CliError,
    configuration_errors,
    masked_url,
    require_migrated,
    say,
    unapplied_migrations,
    use_awn_settings,
)

# --- init ------------------------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command

    home = Path(settings.AWN_HOME)
    for folder in (home, Path(settings.MEDIA_ROOT), home / "mail"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CliError(
                f"cannot create {folder}: {exc.strerror}; set AWN_HOME to a writable folder"
            ) from exc
    say(f"Awn home: {home}")
    pending = unapplied_migrations()
    call_command("migrate", interactive=False, verbosity=0)
    say(
        f"Database: {masked_url(settings.DATABASE_URL)} ({len(pending)} migrations applied)"
        if pending
        else f"Database: {masked_url(settings.DATABASE_URL)} (up to date)"
    )
    call_command("collectstatic", interactive=False, verbosity=0)
    say(f"Static files: {settings.STATIC_ROOT}")
    say("Ready. Next: `awn createadmin --email you@example.com` (or `awn demo`), then `awn run`.")
    return 0


# --- run, worker -----------------------------------------------------------------------------------------


class _Stopped(Exception):
    """SIGTERM arrived: stop serving, then stop the job threads."""


def _raise_stop(signum, frame) -> None:
    raise _Stopped


def cmd_run(args: argparse.Namespace) -> int:
    require_migrated()
    import uvicorn
    from django.conf import settings

    from awn.config.http_protocol import HTTP_PROTOCOL

    if args.processes < 1:
        raise CliError("--processes must be 1 or more")
    if args.processes > 1 and not settings.AWN_REDIS_URL:
        raise CliError(
            f"--processes {args.processes} needs AWN_REDIS_URL: web processes share the cache, the live "
            "updates and the job queue through Redis (docs/configuration.md)"
        )
    if args.host not in LOCAL_HOSTS and settings.ALLOWED_HOSTS == ["localhost", "127.0.0.1", "[::1]"]:
        say(f"Note: serving on {args.host}; set AWN_ALLOWED_HOSTS to the names people use to reach it.")
    consumer = None
    if not args.no_worker:
        from awn.config.jobs import start_embedded_consumer

        consumer = start_embedded_consumer(workers=args.workers)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host  # noqa: S104 - only for display
    base = f"http://{shown}:{args.port}"
    say(f"Awn is starting on {base}/  (desk {base}/desk/, portal {base}/, API docs {base}/api/docs)")
    if args.processes > 1:
        say(f"Web: {args.processes} processes on the port, each restarted if it dies")
    say(
        f"Jobs: {args.workers} worker threads in this process"
        if consumer
        else "Jobs: not run here (--no-worker); start `awn worker` beside it"
    )
    options = {
        "host": args.host,
        "port": args.port,
        "lifespan": "off",
        "server_header": False,
        "log_level": args.log_level,
        "timeout_graceful_shutdown": 10,
        "http": HTTP_PROTOCOL,  # a response's headers and body in one write (config/http_protocol.py)
    }
    # uvicorn re-raises the signal that stopped it once it has shut down; turn that into a clean exit so
    # the job threads get their graceful stop too (a service manager's SIGTERM as well as Ctrl-C).
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    try:
        if args.processes > 1:
            _serve_in_processes(args.processes, options)
        else:
            from awn.automation.language import preload_in_background
            from awn.config.asgi import application

            preload_in_background()  # customers' messages are detected on arrival: have the models ready
            uvicorn.Server(uvicorn.Config(application, **options)).run()
    except (KeyboardInterrupt, _Stopped):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if consumer is not None:
            consumer.stop(graceful=True)
    return 0


def _serve_in_processes(processes: int, options: dict) -> None:
    """`processes` web processes on one listening socket (the kernel hands each new connection to one of
    them), started and watched by this one: uvicorn's supervisor restarts a process that dies or stops
    answering, and stops them all on SIGINT or SIGTERM. Python runs one thread at a time per process, so
    on a machine of N cores N processes serve up to N times the requests of one."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config("awn.config.web_process:application", workers=processes, **options)
    Multiprocess(config, sockets=[config.bind_socket()]).run()


def cmd_worker(args: argparse.Namespace) -> int:
    require_migrated()
    from django.conf import settings

    from awn.config.jobs import run_worker

    if not settings.AWN_REDIS_URL:
        say(f"Jobs queue: {settings.HUEY['filename']} (SQLite; AWN_REDIS_URL lets workers run elsewhere)")
    run_worker(workers=args.workers)
    return 0


# --- demo ------------------------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    require_migrated()
    from awn.demo import demo_sign_ins_text, load_demo

    outcome = load_demo(reset=args.reset, progress=say)
    say(outcome.summary)
    say()
    say(demo_sign_ins_text())
    return 0


# --- createadmin -----------------------------------------------------------------------------------------


def _ask_password() -> str:
    if not sys.stdin.isatty():
        raise CliError("give the password with --password (there is no terminal to ask on)")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password (again): "):
        raise CliError("the two passwords differ")
    return first


def cmd_createadmin(args: argparse.Namespace) -> int:
    require_migrated()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email
    from django.db import transaction

    from awn.accounts.models import Role, User

    email = args.email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise CliError(f"{args.email!r} is not an email address") from exc
    password = args.password if args.password is not None else _ask_password()
    user = User.objects.filter(email=email).first()
    try:
        validate_password(password, user=user or User(email=email, name=args.name or ""))
    except ValidationError as exc:
        raise CliError("password refused: " + " ".join(exc.messages)) from exc
    with transaction.atomic():
        if user is None:
            User.objects.create_superuser(email=email, password=password, name=args.name or "")
            say(f"Created administrator {email}.")
        else:
            user.role, user.is_superuser, user.is_active = Role.ADMIN, True, True
            if args.name:
                user.name = args.name
            user.set_password(password)
            user.save(update_fields=["role", "is_superuser", "is_active", "name", "password"])
            say(f"{email} already existed: it is now an active administrator with the new password.")
    return 0


# --- token -----------------------------------------------------------------------------------------------


def cmd_token_create(args: argparse.Namespace) -> int:
    require_migrated()
    from awn.accounts.api_tokens import create_api_token
    from awn.accounts.models import User
    from awn.core.errors import DomainError

    email = args.email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        raise CliError(f"no user with the email {email}")
    try:
        token, key = create_api_token(user=user, name=args.name or "")
    except DomainError as exc:
        raise CliError(f"cannot create a token for {email}: {exc.message}") from exc
    say(f"API token {token.prefix}… created for {email}" + (f" ({token.name})" if token.name else "") + ".")
    say("Use it as `Authorization: Bearer <token>`. It is shown only this once:")
    say(key)
    return 0


# --- manage ----------------------------------------------------------------------------------------------


def run_manage(argv: Sequence[str]) -> int:
    use_awn_settings()
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["awn manage", *argv])
    except configuration_errors() as exc:
        raise CliError(f"configuration error: {exc}", exit_code=2) from exc
    return 0
