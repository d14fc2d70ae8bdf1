"""One process writing to a shared SQLite database, for tests/core/test_sqlite_writer_queue.py.

    python sqlite_writer.py HOME NAME ACTION [COUNT]

Runs with Awn's own settings on HOME/awn.sqlite3, with SQLite's busy timeout at 0: a writer that found the
database locked would fail at once with "database is locked", so only the writer queue can make it wait.
ACTION: `hold` (insert NAME in a transaction, create HOME/NAME.holding, commit once HOME/NAME.go exists),
`insert` (the same without waiting), `autocommit` (an INSERT outside any transaction), `count` (prints the
rows), `increment` (COUNT transactions that each read the counter and write it back plus one).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def main() -> None:
    home, name, action = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    os.environ.update(
        AWN_HOME=str(home),
        AWN_DATABASE_URL=f"sqlite:///{home / 'awn.sqlite3'}",
        DJANGO_SETTINGS_MODULE="awn.config.settings",
    )
    import django

    django.setup()
    from django.db import connection, transaction

    connection.settings_dict["OPTIONS"]["timeout"] = 0

    if action == "hold":
        with transaction.atomic():
            connection.cursor().execute("INSERT INTO rows (who) VALUES (%s)", [name])
            (home / f"{name}.holding").touch()
            while not (home / f"{name}.go").exists():
                time.sleep(0.01)
    elif action == "insert":
        with transaction.atomic():
            connection.cursor().execute("INSERT INTO rows (who) VALUES (%s)", [name])
    elif action == "autocommit":
        connection.cursor().execute("INSERT INTO rows (who) VALUES (%s)", [name])
    elif action == "count":
        print(connection.cursor().execute("SELECT count(*) FROM rows").fetchone()[0])
    elif action == "increment":
        for _ in range(int(sys.argv[4])):
            with transaction.atomic():
                cursor = connection.cursor()
                value = cursor.execute("SELECT value FROM counter").fetchone()[0]
                cursor.execute("UPDATE counter SET value = %s", [value + 1])
                cursor.execute("INSERT INTO rows (who) VALUES (%s)", [name])
    else:
        sys.exit(f"unknown action {action}")


if __name__ == "__main__":
    main()
