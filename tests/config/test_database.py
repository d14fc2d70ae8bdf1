"""The database connection's settings: server-side binding and prepared statements on PostgreSQL."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from awn.accounts.models import User

OPTIONS = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
)


def database_options(tmp_path, url: str, **extra: str) -> dict:
    """The database OPTIONS of a process started with these settings (not in test mode)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWN_", "PYTEST_"))}
    env.update(AWN_HOME=str(tmp_path), AWN_DATABASE_URL=url, DJANGO_SETTINGS_MODULE="awn.config.settings")
    env.update(extra)
    command = [sys.executable, "-c", OPTIONS]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_postgresql_binds_on_the_server_and_prepares_by_default(tmp_path):
    options = database_options(tmp_path, "postgres://awn@db.example/awn")
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 5
    assert options["options"] == "-c plan_cache_mode=force_custom_plan"  # no generic plans


def test_server_side_binding_can_be_turned_off_for_a_transaction_pooler(tmp_path):
    options = database_options(tmp_path, "postgres://awn@db.example/awn", AWN_DB_SERVER_SIDE_BINDING="false")
    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options  # Django's default: no prepared statements
    assert "options" not in options


def test_sqlite_options_are_left_alone(tmp_path):
    options = database_options(tmp_path, f"sqlite:///{tmp_path / 'awn.sqlite3'}")
    assert "server_side_binding" not in options
    assert options["transaction_mode"] == "IMMEDIATE"


@pytest.mark.django_db
def test_a_statement_run_again_on_a_connection_is_prepared_by_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    for pk in range(1, 7):
        assert list(User.objects.filter(pk=-pk).values_list("id", flat=True)) == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['SELECT "accounts_user"."id" AS "id" FROM "accounts_user" WHERE "accounts_user"."id" = $1 %'],
        )
        assert cursor.fetchone()[0] == 1
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_custom_plan"
