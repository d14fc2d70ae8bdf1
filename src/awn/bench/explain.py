"""`awn bench explain URL --as EMAIL`: the queries one page runs, each with its time and query plan.

The request runs in-process through Django's test client against the configured database; every SELECT it
ran is then explained: EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL.
"""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from awn.accounts.models import User


def explain_page(url: str, email: str, *, api: bool = False, slowest: int = 5) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)  # apps may have gained tables since
    user = User.objects.get(email=email)
    client = Client()
    headers: dict[str, str] = {}
    if api:
        from awn.bench.scenarios import api_token_for

        headers["Authorization"] = f"Bearer {api_token_for(user)}"
    else:
        client.force_login(user)
    client.get(url, headers=headers)  # warm the caches first
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    queries = sorted(((float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries), reverse=True)
    total = sum(ms for ms, _sql in queries)
    print(f"{url} as {email}: HTTP {response.status_code}, {len(queries)} queries, {total:.1f} ms of SQL")
    for ms, sql in queries[:slowest]:
        print(f"\n--- {ms:.1f} ms\n{sql}")
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                for row in cursor.fetchall():
                    print(f"  {row[-1]}")
            else:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                for (line,) in cursor.fetchall():
                    print(f"  {line}")
    return 0 if response.status_code == 200 else 1
