"""Visibility keys in the index (awn/search/scope.py): a `scope` column beside the text, kept in step with
the tickets by a trigger. The statements are written out here, not imported, so this migration keeps doing
what it did when later code changes.

Existing documents get their keys from their tickets: on SQLite the FTS5 table is recreated with the third
column and filled from the old one (no text is normalized again); on PostgreSQL the column is filled by one
UPDATE before the index is built. Expect a few minutes per million tickets.
"""

# ruff: noqa: S608 -- constant SQL written out in this file

from django.db import migrations

SQLITE_KEYS_NEW = (
    "'t' || coalesce(new.team_id, 0) || ' r' || new.requester_id || coalesce(' a' || new.assignee_id, '')"
    " || coalesce(' o' || new.organization_id, '') || ' k' || new.id"
)
SQLITE_SCOPE_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS search_ticket_scope "
    "AFTER UPDATE OF team_id, assignee_id, requester_id, organization_id ON tickets_ticket "
    "WHEN old.team_id IS NOT new.team_id OR old.assignee_id IS NOT new.assignee_id "
    "OR old.requester_id IS NOT new.requester_id OR old.organization_id IS NOT new.organization_id "
    f"BEGIN UPDATE search_fts SET scope = {SQLITE_KEYS_NEW} "
    "WHERE rowid IN (SELECT id FROM search_searchdocument WHERE ticket_id = new.id); END"
)
SQLITE_DELETE_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS search_document_deleted AFTER DELETE ON search_searchdocument "
    "BEGIN DELETE FROM search_fts WHERE rowid = old.id; END"
)
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE search_fts_keyed USING fts5(subject, body, scope, "
    "tokenize = 'unicode61 remove_diacritics 2')",
    "INSERT INTO search_fts_keyed (rowid, subject, body, scope) "
    "SELECT f.rowid, f.subject, f.body, 't' || coalesce(t.team_id, 0) || ' r' || t.requester_id"
    " || coalesce(' a' || t.assignee_id, '') || coalesce(' o' || t.organization_id, '') || ' k' || t.id "
    "FROM search_fts f JOIN search_searchdocument d ON d.id = f.rowid "
    "JOIN tickets_ticket t ON t.id = d.ticket_id ORDER BY f.rowid",
    "DROP TRIGGER IF EXISTS search_document_deleted",
    "DROP TABLE search_fts",
    "ALTER TABLE search_fts_keyed RENAME TO search_fts",
    SQLITE_DELETE_TRIGGER,
    SQLITE_SCOPE_TRIGGER,
    "INSERT INTO search_fts (search_fts) VALUES ('optimize')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_ticket_scope",
    "CREATE VIRTUAL TABLE search_fts_plain USING fts5(subject, body, "
    "tokenize = 'unicode61 remove_diacritics 2')",
    "INSERT INTO search_fts_plain (rowid, subject, body) SELECT rowid, subject, body FROM search_fts",
    "DROP TRIGGER IF EXISTS search_document_deleted",
    "DROP TABLE search_fts",
    "ALTER TABLE search_fts_plain RENAME TO search_fts",
    SQLITE_DELETE_TRIGGER,
]

POSTGRESQL_FORWARD = [
    "DROP INDEX IF EXISTS search_document_tsv",
    "ALTER TABLE search_searchdocument ADD COLUMN scope text[] NOT NULL DEFAULT '{}'",
    "UPDATE search_searchdocument d SET scope = array_remove(ARRAY['t' || coalesce(t.team_id, 0), "
    "'r' || t.requester_id, 'a' || t.assignee_id, 'o' || t.organization_id, 'k' || t.id], NULL) "
    "FROM tickets_ticket t WHERE t.id = d.ticket_id",
    "CREATE INDEX search_document_tsv_scope ON search_searchdocument USING gin (tsv, scope)",
    "CREATE FUNCTION search_ticket_scope() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "UPDATE search_searchdocument SET scope = array_remove(ARRAY['t' || coalesce(NEW.team_id, 0), "
    "'r' || NEW.requester_id, 'a' || NEW.assignee_id, 'o' || NEW.organization_id, 'k' || NEW.id], NULL) "
    "WHERE ticket_id = NEW.id; RETURN NULL; END $$",
    "CREATE TRIGGER search_ticket_scope "
    "AFTER UPDATE OF team_id, assignee_id, requester_id, organization_id ON tickets_ticket FOR EACH ROW "
    "WHEN (OLD.team_id IS DISTINCT FROM NEW.team_id OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id "
    "OR OLD.requester_id IS DISTINCT FROM NEW.requester_id "
    "OR OLD.organization_id IS DISTINCT FROM NEW.organization_id) "
    "EXECUTE FUNCTION search_ticket_scope()",
    "ANALYZE search_searchdocument",
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_ticket_scope ON tickets_ticket",
    "DROP FUNCTION IF EXISTS search_ticket_scope()",
    "DROP INDEX IF EXISTS search_document_tsv_scope",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS scope",
    "CREATE INDEX search_document_tsv ON search_searchdocument USING gin (tsv)",
]


def _run(schema_editor, statements_by_vendor):
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def add_keys(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD})


def remove_keys(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("tickets", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_keys, remove_keys)]
