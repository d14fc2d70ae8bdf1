"""What every `awn` subcommand shares: loading the settings, the database state, errors worth printing."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

SETTINGS_MODULE = "awn.config.settings"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


class CliError(Exception):
    """A problem the person running the command can fix; printed without a traceback."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


def use_awn_settings() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)


def configuration_errors() -> tuple[type[BaseException], ...]:
    from django.core.exceptions import ImproperlyConfigured

    return (ImproperlyConfigured, ValueError)


def setup_django() -> None:
    """Load the settings and the apps, turning configuration mistakes into a one-line CliError."""
    use_awn_settings()
    import django

    try:
        django.setup()
    except configuration_errors() as exc:
        raise CliError(f"configuration error: {exc}", exit_code=2) from exc


def masked_url(url: str) -> str:
    """`url` with its password replaced by ***, fit to print."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def database_errors() -> tuple[type[BaseException], ...]:
    from django.db import DatabaseError, InterfaceError, OperationalError

    return (OperationalError, InterfaceError, DatabaseError)


def unapplied_migrations() -> list:
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def require_migrated() -> None:
    pending = unapplied_migrations()
    if pending:
        raise CliError(
            f"the database is not set up ({len(pending)} migrations to apply): run `awn init` first"
        )


def say(message: str = "") -> None:
    print(message, flush=True)
