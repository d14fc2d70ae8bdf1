"""The `awn` command: set up, run and look after an Awn installation.

    awn init                      create AWN_HOME, migrate the database, collect static files
    awn run [--host --port]       web server (HTTP + websockets) and job worker in one process
    awn worker                    the job worker alone (scaled-out deployments)
    awn demo [--reset]            load the demo helpdesk
    awn createadmin --email E     create (or reset) an administrator
    awn token create EMAIL        create a personal API token; the token is the last line printed
    awn manage ...                Django's management commands
    awn bench ...                 benchmark data and measurements (docs/performance.md)
    awn mail serve|poll|ingest    the email channel: SMTP/LMTP listener, IMAP, imports (docs/email.md)
    awn outbox deliver [--watch]  deliver queued outgoing mail and calls in the foreground
    awn doctor                    check the configuration and say what to fix

Configuration comes from AWN_* environment variables only (docs/configuration.md).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from awn.cli.commands import (
    cmd_createadmin,
    cmd_demo,
    cmd_init,
    cmd_run,
    cmd_token_create,
    cmd_worker,
    run_manage,
)
from awn.cli.doctor import cmd_doctor
from awn.cli.environment import CliError, database_errors, masked_url, setup_django

# --- parser ----------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="awn",
        description="Awn, an open-source helpdesk. Configuration: AWN_* environment variables.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    init = commands.add_parser("init", help="create AWN_HOME, migrate the database, collect static files")
    init.set_defaults(handler=cmd_init)

    run = commands.add_parser("run", help="serve the desk, portal and API, and run jobs, in one process")
    run.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    run.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    run.add_argument("--no-worker", action="store_true", help="do not run jobs here (run `awn worker`)")
    run.add_argument(
        "--processes",
        type=int,
        default=1,
        help="web processes sharing the port (default 1; more than one needs AWN_REDIS_URL)",
    )
    run.add_argument("--workers", type=int, default=2, help="job worker threads (default 2)")
    run.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    run.set_defaults(handler=cmd_run)

    worker = commands.add_parser("worker", help="run the job worker alone (scaled-out deployments)")
    worker.add_argument("--workers", type=int, default=2, help="worker threads (default 2)")
    worker.set_defaults(handler=cmd_worker)

    demo = commands.add_parser("demo", help="load the demo helpdesk (does nothing if already loaded)")
    demo.add_argument("--reset", action="store_true", help="delete the demo data and load it again")
    demo.set_defaults(handler=cmd_demo)

    admin = commands.add_parser("createadmin", help="create an administrator (or reset one's password)")
    admin.add_argument("--email", required=True)
    admin.add_argument("--password", help="asked for on the terminal when left out")
    admin.add_argument("--name", default="")
    admin.set_defaults(handler=cmd_createadmin)

    token = commands.add_parser("token", help="personal API tokens")
    token_commands = token.add_subparsers(dest="token_command", metavar="ACTION")
    token_commands.required = True
    create = token_commands.add_parser("create", help="create a token; it is printed as the last line")
    create.add_argument("email", metavar="EMAIL")
    create.add_argument("--name", default="", help="what the token is for")
    create.set_defaults(handler=cmd_token_create)

    commands.add_parser("bench", help="generate benchmark data and measure: awn bench --help", add_help=False)
    commands.add_parser("manage", help="Django's management commands: awn manage help", add_help=False)
    commands.add_parser("mail", help="the email channel: awn mail serve|poll|ingest --help", add_help=False)
    commands.add_parser(
        "outbox", help="deliver queued outgoing mail: awn outbox deliver [--watch]", add_help=False
    )

    doctor = commands.add_parser("doctor", help="check the configuration, database, Redis, folders and email")
    doctor.add_argument("--worker", action="store_true", help="also check that a running worker takes jobs")
    doctor.add_argument(
        "--wait", type=float, default=15.0, help="seconds to wait for the worker (default 15)"
    )
    doctor.set_defaults(handler=cmd_doctor)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["manage"]:
            return run_manage(argv[1:])
        if argv[:1] == ["bench"]:
            from awn.bench.commands import main as bench

            return bench(argv[1:])
        if argv[:1] in (["mail"], ["outbox"]):
            setup_django()
            if argv[0] == "mail":
                from awn.connectors.email.cli import main as mail_command

                return mail_command(argv[1:])
            from awn.outbox.cli import main as outbox_command

            return outbox_command(argv[1:])
        args = build_parser().parse_args(argv)
        if args.handler is cmd_doctor:
            return cmd_doctor(args)
        setup_django()
        from django.core.management.base import CommandError

        try:
            return args.handler(args)
        except CommandError as exc:
            raise CliError(str(exc)) from exc
        except database_errors() as exc:
            from django.conf import settings

            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CliError(
                f"database error on {masked_url(settings.DATABASE_URL)}: {reason}\n"
                "Check AWN_DATABASE_URL; `awn doctor` checks the whole configuration."
            ) from exc
    except CliError as exc:
        print(f"awn: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
