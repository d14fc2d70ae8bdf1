"""PostgreSQL: each document also keeps its title's vector and its length, so a search can choose the
documents worth ranking without reading every matching document's full (TOASTed) vector; see
awn.knowledge.search._postgresql_find. Existing documents get both here: the length from their vector, the
title's vector from their translation's title, normalized as the index normalizes it. SQLite: nothing.
"""

# ruff: noqa: S608 -- constant SQL written out in this file

from django.db import migrations

ADD = [
    "ALTER TABLE knowledge_articledocument ADD COLUMN title_tsv tsvector NOT NULL DEFAULT ''::tsvector",
    "ALTER TABLE knowledge_articledocument ADD COLUMN doc_length integer NOT NULL DEFAULT 0",
    # The number of word positions, as ts_rank's length normalization counts them (a word without
    # positions counts once).
    "UPDATE knowledge_articledocument SET doc_length = "
    "(SELECT coalesce(sum(coalesce(array_length(positions, 1), 1)), 0) FROM unnest(tsv))",
]
DROP = [
    "ALTER TABLE knowledge_articledocument DROP COLUMN IF EXISTS title_tsv",
    "ALTER TABLE knowledge_articledocument DROP COLUMN IF EXISTS doc_length",
]


def add_title_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from awn.core.text import search_text

    for statement in ADD:
        schema_editor.execute(statement, params=None)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.id, t.title FROM knowledge_articledocument d "
            "JOIN knowledge_articletranslation t ON t.id = d.translation_id"
        )
        rows = [(search_text(title), document_id) for document_id, title in cursor.fetchall()]
        cursor.executemany(
            "UPDATE knowledge_articledocument SET title_tsv = setweight(to_tsvector('simple', %s), 'A') "
            "WHERE id = %s",
            rows,
        )


def drop_title_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in DROP:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_translation_updated_index")]

    operations = [migrations.RunPython(add_title_vectors, drop_title_vectors)]
