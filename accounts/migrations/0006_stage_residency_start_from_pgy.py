# Existing residents: the year their PGY-1 began, from the PGY year they gave, as of today.

from django.db import migrations
from django.utils import timezone


def residency_start_from_pgy(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    today = timezone.localdate()
    this_year = today.year if today.month >= 7 else today.year - 1  # academic years start July 1
    residents = User.objects.filter(
        career_stage="resident", pgy_year__isnull=False, residency_start_year__isnull=True
    )
    for user in residents.only("pk", "pgy_year"):
        user.residency_start_year = this_year - user.pgy_year + 1
        user.save(update_fields=["residency_start_year"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_stage_residency_start_year"),
    ]

    operations = [
        migrations.RunPython(residency_start_from_pgy, migrations.RunPython.noop),
    ]
