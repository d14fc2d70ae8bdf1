"""PostgreSQL: the vocabulary's update trigger (0003) fired on every UPDATE of the documents, and the one
UPDATE they get is the visibility keys' (a ticket assigned or moved to another team), which changes no word:
each assignment paid for looking its documents' words up again (+0.7-1 ms a ticket at a load of 8). A row
trigger on `UPDATE OF tsv` now adds the words of a document whose text is rewritten in place, and only then.
SQLite: nothing.
"""

from django.db import migrations

WORDS_REWRITTEN = (
    "CREATE FUNCTION search_words_rewritten() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO search_word (word) SELECT n.word FROM "
    '(SELECT unnest(tsvector_to_array(NEW.tsv)) COLLATE "C" AS word) n '
    "WHERE NOT EXISTS (SELECT 1 FROM search_word w WHERE w.word = n.word); "
    "RETURN NULL; END $$"
)
POSTGRESQL_FORWARD = [
    "DROP TRIGGER IF EXISTS search_words_updated ON search_searchdocument",
    WORDS_REWRITTEN,
    "CREATE TRIGGER search_words_rewritten AFTER UPDATE OF tsv ON search_searchdocument FOR EACH ROW "
    "WHEN (OLD.tsv IS DISTINCT FROM NEW.tsv) EXECUTE FUNCTION search_words_rewritten()",
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_words_rewritten ON search_searchdocument",
    "DROP FUNCTION IF EXISTS search_words_rewritten()",
    "CREATE TRIGGER search_words_updated AFTER UPDATE ON search_searchdocument "
    "REFERENCING NEW TABLE AS new_documents FOR EACH STATEMENT EXECUTE FUNCTION search_words_added()",
]


def rewrite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_FORWARD:
            schema_editor.execute(statement, params=None)


def restore_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_BACKWARD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_vocabulary")]

    operations = [migrations.RunPython(rewrite_trigger, restore_trigger)]
