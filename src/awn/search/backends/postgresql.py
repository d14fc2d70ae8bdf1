"""PostgreSQL backend: `tsv` (tsvector) and `scope` (text[]) columns on the document table, one GIN index over
both; relevance is ts_rank.

The text is normalized in Python (`awn.core.text.search_text`) and then parsed with the 'simple'
configuration: no stemming and no stop words, since subjects and messages mix English, Arabic and Persian.
`scope` holds the visibility keys of the document's ticket (awn.search.scope), so the index answers "these
words, and one of these keys" in one scan: the posting lists of the words and of the keys are intersected
inside the GIN index, and a word common in other teams' tickets costs nothing to a user who sees none of them.
"""

# ruff: noqa: S608 -- SQL assembled from constant table names; every value is a query parameter.

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connection, transaction

from awn.core.text import search_text
from awn.search.backends.base import Document, Hit, Progress, SearchBackend, Terms
from awn.search.backends.common import (
    DOCUMENT_TABLE,
    DOCUMENTS,
    IN_ORDER,
    MESSAGE_TABLE,
    TICKET_TABLE,
    postgresql_keys,
)

# As the migration creates it; rebuild() drops it and recreates it around the bulk load.
GIN_INDEX = "search_document_tsv_scope"
CREATE_GIN_INDEX = f"CREATE INDEX {GIN_INDEX} ON {DOCUMENT_TABLE} USING gin (tsv, scope)"
TSVECTOR = "setweight(to_tsvector('simple', %s), 'A') || to_tsvector('simple', %s)"
TSQUERY = "to_tsquery('simple', %s)"
# Weights for D (message body) … A (subject): a word in the subject weighs more than one in a message body.
SCORE = "ts_rank('{0.4, 0.4, 0.4, 1.0}', d.tsv, " + TSQUERY + ", 1)"

# Finding the newest matches, two ways (see find()): walking the documents newest first and testing each,
# or asking the GIN index for every match and keeping the newest. Their costs, per document walked and per
# match the index returns (read from the table and sorted), in the same unit:
WALK_COST = 1.0
FETCH_COST = 10.0
FIRST_WALK = 10_000  # documents walked before choosing (a few days' worth at a million tickets a year)
MAX_STEPS = 6
# Memory for the bitmaps of one search. A prefix ("invoice" as typed is also the prefix 'invoice':*) makes
# the GIN index gather the matches of every word it expands to in a bitmap before it intersects them with the
# other posting lists. A bitmap that outgrows work_mem turns lossy (whole pages instead of rows), and every
# row of every such page is then read and its tsvector tested again: with the stock 4 MB, a common word at a
# million tickets (~200,000 matches on as many pages) rechecks much of the table, 10-20x the time of the
# lookup itself. An exact bitmap costs under ~80 bytes per page of the document table, so 64 MB keeps it exact
# up to a table of ~6 GB. Raised for the search's own statements only, never lowered.
SEARCH_WORK_MEM = "64MB"
# A prefix standing for more words than this is left to the GIN index's partial match (index_lookup_query).
MAX_PREFIX_WORDS = 200


def tsquery_expression(terms: Terms) -> str:
    """tsquery syntax with every word quoted, so no user input is read as an operator (&, |, !, <->, :*)."""
    groups = []
    for position, forms in enumerate(terms.words, start=1):
        star = ":*" if terms.prefix and position == len(terms.words) else ""
        quoted = ["'" + form.replace("\\", "\\\\").replace("'", "''") + "'" + star for form in forms]
        groups.append(quoted[0] if len(quoted) == 1 else "(" + " | ".join(quoted) + ")")
    return " & ".join(groups)


def choose_next_step(*, found: int, walked: int, remaining: int, window: int) -> int | None:
    """How many more documents to walk, or None to ask the index for all the older matches instead.

    `found` matches among the `walked` newest documents; `remaining` older documents. At the density seen
    so far, walking on finds the missing matches after (window - found) / density documents, while the
    index would return density x remaining matches. The cheaper way wins; a density of zero (a rare word,
    or one the user sees little of) goes to the index, which then returns few.
    """
    need = window - found
    if found == 0 or walked == 0:
        return None
    density = found / walked
    walk = WALK_COST * need / density
    fetch = FETCH_COST * density * remaining
    if fetch <= walk:
        return None
    return min(remaining, math.ceil(1.25 * need / density))


def _quoted(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _prefix_end(prefix: str) -> str | None:
    """The smallest string above every string starting with `prefix`, in code point order (collation "C")."""
    code = ord(prefix[-1]) + 1
    if 0xD800 <= code <= 0xDFFF:
        code = 0xE000  # surrogates are no characters of their own
    return prefix[:-1] + chr(code) if code <= 0x10FFFF else None


def prefix_words(cursor, prefixes: Sequence[str]) -> list[str] | None:
    """The indexed words (search_word) starting with any of `prefixes`; None to leave the prefixes to the GIN
    index's partial match: more than MAX_PREFIX_WORDS of them, or a prefix the text search parser would not
    keep as one lexeme (the index matches what the parser makes of it)."""
    words: set[str] = set()
    for prefix in prefixes:
        end = _prefix_end(prefix)
        if end is None:
            return None
        cursor.execute(
            "SELECT to_tsquery('simple', %s)::text = %s, ARRAY(SELECT DISTINCT word FROM search_word "
            'WHERE word >= %s COLLATE "C" AND word < %s COLLATE "C" ORDER BY word LIMIT %s)',
            [_quoted(prefix) + ":*", _quoted(prefix) + ":*", prefix, end, MAX_PREFIX_WORDS + 1],
        )
        one_lexeme, found = cursor.fetchone()
        if not one_lexeme or len(found) > MAX_PREFIX_WORDS:
            return None
        words.update(found)
    return sorted(words)


def index_lookup_query(cursor, terms: Terms) -> tuple[str, list[str]] | None:
    """SQL for the tsquery the GIN index is asked, with its parameters: the query itself, with the prefix
    replaced by the words it stands for when there are few; None when nothing can match.

    A prefix makes the GIN index gather every match of every word it expands to in a bitmap before it can
    intersect anything: a common word's 200,000 matches at a million tickets, ~250 ms, even when the user may
    see a handful of them. The same words looked up exactly let the index skip through the posting lists (a
    one-team agent's 'invoice':* 270 ms, 'invoice' 74 ms, at a load of 11). The words come from search_word,
    which the documents' trigger keeps complete, so the matches are the same; the rank is still computed
    with the prefix, so it is the same too.
    """
    if not terms.prefix:
        return TSQUERY, [tsquery_expression(terms)]
    words = prefix_words(cursor, terms.words[-1])
    if words is None:
        return TSQUERY, [tsquery_expression(terms)]
    if not words:
        return None
    expanded = " | ".join(_quoted(word) for word in words)
    if len(terms.words) == 1:
        return "%s::tsquery", [expanded]
    rest = tsquery_expression(Terms(words=terms.words[:-1], prefix=False))
    return f"({TSQUERY} && %s::tsquery)", [rest, expanded]


@contextmanager
def search_work_mem(cursor) -> Iterator[None]:
    """Run the block with work_mem at least SEARCH_WORK_MEM; the caller holds a transaction (SET LOCAL).

    Put back as it was at the end: inside a caller's transaction the block is a savepoint, whose release would
    otherwise keep the setting for the rest of that transaction. An error rolls the savepoint back, and the
    setting with it.
    """
    cursor.execute(
        "SELECT current_setting('work_mem'), set_config('work_mem', CASE WHEN "
        "pg_size_bytes(current_setting('work_mem')) < pg_size_bytes(%s) THEN %s "
        "ELSE current_setting('work_mem') END, true)",
        [SEARCH_WORK_MEM, SEARCH_WORK_MEM],
    )
    (before, _now) = cursor.fetchone()
    yield
    cursor.execute("SELECT set_config('work_mem', %s, true)", [before])


class PostgreSQLBackend(SearchBackend):
    vendor = "postgresql"

    def add_documents(self, documents: Sequence[Document], *, new_tickets: bool = False) -> None:
        if not documents:
            return
        with connection.cursor() as cursor:
            if not new_tickets:
                # Lock the tickets as the ticket services' own update will: a concurrent change of team or
                # assignee then waits for this transaction, and its trigger sees these documents (or this
                # transaction waits for it, and reads the keys it left). A ticket created in this
                # transaction is seen by no other one before it commits: nothing to wait for.
                cursor.execute(
                    f"SELECT id FROM {TICKET_TABLE} WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE",
                    [sorted({doc.ticket_id for doc in documents})],
                )
            rows = [
                (doc.message_id, doc.internal, search_text(doc.subject), search_text(doc.body), doc.ticket_id)
                for doc in documents
            ]
            sql = (
                f"INSERT INTO {DOCUMENT_TABLE} (ticket_id, message_id, internal, tsv, scope) "
                f"SELECT t.id, %s, %s, {TSVECTOR}, {postgresql_keys('t')} FROM {TICKET_TABLE} t "
                "WHERE t.id = %s"
            )
            if len(rows) == 1:
                cursor.execute(sql, rows[0])
            else:
                cursor.executemany(sql, rows)

    def find(
        self, *, terms: Terms, keys: Sequence[str] | None, include_internal: bool, window: int
    ) -> list[Hit]:
        if keys is not None and not keys:
            return []
        query = tsquery_expression(terms)

        def condition(tsquery: str, tsquery_params: list[str]) -> tuple[str, list]:
            # The keys first: a cheap array test that spares the tsquery test of rows the user may not see.
            where, params = f"d.tsv @@ {tsquery}", tsquery_params
            if keys is not None:
                where, params = f"d.scope && %s::text[] AND {where}", [list(keys), *tsquery_params]
            if not include_internal:
                where += " AND NOT d.internal"
            return where, params

        where, params = condition(TSQUERY, [query])
        # Left to itself PostgreSQL guesses how many documents match and plans from the guess, and for words
        # it has no statistics on (most prefixes) a wrong guess walks every row for a word that matches
        # nothing, or reads every match of a common word only to keep the newest. So the plan is chosen here
        # (choose_next_step, from what a first bounded walk over the newest documents found), and each
        # statement is written so that it has only the plan meant for it: a walk tests its conditions as
        # `(…) IS TRUE`, which no index can answer, leaving the primary key's range scan backwards; an index
        # lookup sorts by `id + 0`, which the primary key cannot deliver in order, leaving the GIN index.
        rank = f"SELECT d.ticket_id, {SCORE}, d.id FROM hits JOIN {DOCUMENT_TABLE} d ON d.id = hits.id"
        rows: list[tuple[int, float, int]] = []
        with transaction.atomic(), connection.cursor() as cursor, search_work_mem(cursor):
            # The first walk also reads where the documents end, in the same statement.
            cursor.execute(
                f"WITH last AS MATERIALIZED (SELECT coalesce(max(id), 0) AS id FROM {DOCUMENT_TABLE}), "
                f"hits AS MATERIALIZED (SELECT d.id FROM {DOCUMENT_TABLE} d "
                f"WHERE d.id > (SELECT id FROM last) - %s AND d.id <= (SELECT id FROM last) "
                f"AND ({where}) IS TRUE ORDER BY d.id DESC LIMIT %s), "
                f"ranked AS ({rank}) "
                "SELECT last.id, ranked.* FROM last LEFT JOIN ranked ON true",
                [FIRST_WALK, *params, window, query],
            )
            found = cursor.fetchall()
            last = found[0][0]
            rows.extend(row[1:] for row in found if row[1] is not None)
            high = max(0, last - FIRST_WALK)
            for _ in range(MAX_STEPS):
                if len(rows) >= window or high <= 0:
                    break
                step = choose_next_step(found=len(rows), walked=last - high, remaining=high, window=window)
                if step is None:
                    break
                cursor.execute(
                    f"WITH hits AS MATERIALIZED (SELECT d.id FROM {DOCUMENT_TABLE} d WHERE d.id > %s "
                    f"AND d.id <= %s AND ({where}) IS TRUE ORDER BY d.id DESC LIMIT %s) {rank}",
                    [high - step, high, *params, window - len(rows), query],
                )
                rows.extend(cursor.fetchall())
                high -= step
            if len(rows) < window and high > 0:
                lookup = index_lookup_query(cursor, terms)
                if lookup is not None:
                    lookup_where, lookup_params = condition(*lookup)
                    cursor.execute(
                        f"WITH hits AS MATERIALIZED (SELECT d.id FROM {DOCUMENT_TABLE} d "
                        f"WHERE {lookup_where} AND d.id <= %s ORDER BY d.id + 0 DESC LIMIT %s) {rank}",
                        [*lookup_params, high, window - len(rows), query],
                    )
                    rows.extend(cursor.fetchall())
        return [Hit(ticket_id, score, document_id) for ticket_id, score, document_id in rows]

    def rebuild(self, *, batch_size: int, progress: Progress | None = None) -> int:
        # Rows are written once, with their tsvector, in created_at order: no UPDATE (which would leave a dead
        # copy of every row behind), and the GIN index is built once at the end, several times faster than
        # growing it row by row.
        with transaction.atomic(), connection.cursor() as cursor:
            # Inside a caller's transaction, deferred foreign-key checks of rows written earlier are pending,
            # and PostgreSQL neither truncates nor indexes a table with pending trigger events: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {DOCUMENT_TABLE} RESTART IDENTITY")
            cursor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
            cursor.execute("DROP TABLE IF EXISTS search_rebuild_order")
            cursor.execute(
                "CREATE TEMP TABLE search_rebuild_order AS "
                f"SELECT row_number() OVER ({IN_ORDER}) AS id, ticket_id, message_id, internal "
                f"FROM ({DOCUMENTS}) documents"
            )
            cursor.execute("CREATE INDEX ON search_rebuild_order (id)")
            cursor.execute("SELECT count(*) FROM search_rebuild_order")
            (total,) = cursor.fetchone()
            # Documents the services write meanwhile are numbered after the ones being loaded.
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{DOCUMENT_TABLE}', 'id'), %s + 1, false)", [total]
            )
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS search_rebuild "
                "(id bigint, ticket_id bigint, message_id bigint, internal boolean, subject text, body text)"
            )
        done = 0
        subjects: dict[str, str] = {}
        for low in range(1, total + 1, batch_size):
            high = min(low + batch_size - 1, total)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT o.id, o.ticket_id, o.message_id, o.internal, t.subject, m.body "
                    f"FROM search_rebuild_order o JOIN {TICKET_TABLE} t ON t.id = o.ticket_id "
                    f"LEFT JOIN {MESSAGE_TABLE} m ON m.id = o.message_id WHERE o.id BETWEEN %s AND %s",
                    [low, high],
                )
                rows = cursor.fetchall()
                if len(subjects) > 10_000:
                    subjects.clear()
                cursor.execute("TRUNCATE search_rebuild")
                with cursor.copy(
                    "COPY search_rebuild (id, ticket_id, message_id, internal, subject, body) FROM STDIN"
                ) as copy:
                    for document_id, ticket_id, message_id, internal, subject, body in rows:
                        if subject not in subjects:
                            subjects[subject] = search_text(subject)
                        copy.write_row(
                            (
                                document_id,
                                ticket_id,
                                message_id,
                                internal,
                                subjects[subject],
                                search_text(body or ""),
                            )
                        )
                cursor.execute(
                    f"INSERT INTO {DOCUMENT_TABLE} (id, ticket_id, message_id, internal, tsv, scope) "
                    "SELECT r.id, r.ticket_id, r.message_id, r.internal, "
                    "setweight(to_tsvector('simple', r.subject), 'A') || to_tsvector('simple', r.body), "
                    # The keys as the ticket is now; the trigger keeps them in step from here on.
                    f"{postgresql_keys('t')} "
                    f"FROM search_rebuild r JOIN {TICKET_TABLE} t ON t.id = r.ticket_id "
                    # A message the services indexed since the rebuild started keeps the row they wrote.
                    "ORDER BY r.id ON CONFLICT DO NOTHING"
                )
            done += high - low + 1
            if progress:
                progress(done, total)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS search_rebuild_order")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as above, for the rows just loaded
            cursor.execute(CREATE_GIN_INDEX)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction (tests, or a caller's atomic block): ANALYZE still can.
            # VACUUM also marks the pages all-visible, which PostgreSQL's index scans make use of.
            cursor.execute(
                f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM ANALYZE'} {DOCUMENT_TABLE}"
            )
        return total
