"""Search indexes for codes.search: pg_trgm, full-text and trigram expression indexes.

The expressions must stay identical to those codes.search queries, or PostgreSQL will not use
them. Indexes on expressions are not part of the models' state, so they are plain SQL, and they
are created on PostgreSQL only (SQLite runs the simple search without them).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    # Full text over both descriptors, and trigrams over the same text for misspellings.
    "codes_code_search_vector": (
        "codes_code USING gin "
        "(to_tsvector('english'::regconfig, (short_descriptor || ' ' || long_descriptor)))"
    ),
    "codes_code_search_trgm": (
        "codes_code USING gin ((short_descriptor || ' ' || long_descriptor) gin_trgm_ops)"
    ),
    # Code prefixes ("9921", "J34"): LIKE 'x%' needs pattern ops under a non-C collation.
    "codes_code_code_prefix": "codes_code (code varchar_pattern_ops)",
    # Editorial synonyms, one per line of CodeContent.synonyms.
    "codes_codecontent_synonyms_vector": (
        "codes_codecontent USING gin (to_tsvector('english'::regconfig, synonyms))"
    ),
    "codes_codecontent_synonyms_trgm": "codes_codecontent USING gin (synonyms gin_trgm_ops)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("codes", "0002_code_content_and_locality_preference"),
    ]

    operations = [
        TrigramExtension(),  # a no-op on databases other than PostgreSQL
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
