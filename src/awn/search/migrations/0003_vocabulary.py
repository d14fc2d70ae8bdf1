"""PostgreSQL: `search_word`, every word the index holds (the lexemes of the documents' tsv), so that a prefix
can be looked up as the words it stands for (awn.search.backends.postgresql.prefix_words). A statement trigger
adds the words of the documents each INSERT or UPDATE writes, in the same transaction; this migration fills
it from the documents already indexed (a few minutes per million tickets). The table only grows: a word whose
documents are gone stays, and costs one more exact lookup that finds nothing. SQLite: nothing (FTS5 has its
own prefix lookup).

The statements are written out here, not imported, so this migration keeps doing what it did when later code
changes.
"""

from django.db import migrations

# No unique constraint: two transactions adding the same new word would otherwise wait for each other (and
# could deadlock); a word stored twice is harmless, the lookup reads distinct words.
WORDS_ADDED = (
    "CREATE FUNCTION search_words_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO search_word (word) SELECT n.word FROM "
    '(SELECT DISTINCT unnest(tsvector_to_array(tsv)) COLLATE "C" AS word FROM new_documents) n '
    "WHERE NOT EXISTS (SELECT 1 FROM search_word w WHERE w.word = n.word); "
    "RETURN NULL; END $$"
)
POSTGRESQL_FORWARD = [
    'CREATE TABLE search_word (word text COLLATE "C" NOT NULL)',
    "CREATE INDEX search_word_word ON search_word (word)",
    WORDS_ADDED,
    "CREATE TRIGGER search_words_inserted AFTER INSERT ON search_searchdocument "
    "REFERENCING NEW TABLE AS new_documents FOR EACH STATEMENT EXECUTE FUNCTION search_words_added()",
    "CREATE TRIGGER search_words_updated AFTER UPDATE ON search_searchdocument "
    "REFERENCING NEW TABLE AS new_documents FOR EACH STATEMENT EXECUTE FUNCTION search_words_added()",
    # After the triggers, inside this migration's transaction: a document written meanwhile waits for it.
    "INSERT INTO search_word (word) "
    'SELECT DISTINCT unnest(tsvector_to_array(tsv)) COLLATE "C" FROM search_searchdocument',
    "ANALYZE search_word",
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_words_inserted ON search_searchdocument",
    "DROP TRIGGER IF EXISTS search_words_updated ON search_searchdocument",
    "DROP FUNCTION IF EXISTS search_words_added()",
    "DROP TABLE IF EXISTS search_word",
]


def add_vocabulary(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_FORWARD:
            schema_editor.execute(statement, params=None)


def remove_vocabulary(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_BACKWARD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_visibility_keys")]

    operations = [migrations.RunPython(add_vocabulary, remove_vocabulary)]
