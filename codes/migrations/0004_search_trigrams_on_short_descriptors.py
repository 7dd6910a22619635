"""Misspellings are looked for in short descriptors only: trigram matching on long descriptors
(up to 4,500 characters) cost tens of milliseconds for a common word, and full text still covers
the long descriptors. Replaces the trigram index of 0003 with one on the short descriptor.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS codes_code_search_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS codes_code_short_trgm "
        "ON codes_code USING gin (short_descriptor gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS codes_code_short_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS codes_code_search_trgm "
        "ON codes_code USING gin ((short_descriptor || ' ' || long_descriptor) gin_trgm_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("codes", "0003_search_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
