"""Benchmarks now live in the benchmarks app (resources' public page and the dashboard both read
them). Move every row of every uploaded table there, then drop tracking's table; reversed, the
rows move back."""

from django.db import migrations

FIELDS = (
    "specialty", "specialty_key", "population", "statistic", "annual_wrvu", "survey_year",
    "source", "table",
)


def move_rows(source, target):
    rows = list(source.objects.order_by("pk"))
    copies = target.objects.bulk_create(
        target(**{name: getattr(row, name) for name in FIELDS}) for row in rows
    )
    # created_at is auto_now_add: saving stamps it with now, so put the upload time back.
    for row, copy in zip(rows, copies, strict=True):
        target.objects.filter(pk=copy.pk).update(created_at=row.created_at)
    source.objects.all().delete()


def forwards(apps, schema_editor):
    move_rows(apps.get_model("tracking", "Benchmark"), apps.get_model("benchmarks", "Benchmark"))


def backwards(apps, schema_editor):
    move_rows(apps.get_model("benchmarks", "Benchmark"), apps.get_model("tracking", "Benchmark"))


class Migration(migrations.Migration):

    dependencies = [
        ("benchmarks", "0001_initial"),
        ("tracking", "0003_import_jobs"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="Benchmark"),
    ]
