"""Copy each user's annual wRVU target and $ per wRVU from accounts.User to tracking's
Preferences, before accounts drops those columns (run_before below), so no setting is lost.

Reversible: going back copies the values onto the user again (the columns are back by then).
"""

from django.db import migrations

FIELDS = ("annual_wrvu_target", "dollars_per_wrvu")


def copy_to_preferences(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Preferences = apps.get_model("tracking", "Preferences")
    users = (
        User.objects.exclude(annual_wrvu_target__isnull=True, dollars_per_wrvu__isnull=True)
        .values_list("pk", *FIELDS)
        .order_by("pk")
    )
    for pk, target, rate in users.iterator(chunk_size=1000):
        Preferences.objects.update_or_create(
            user_id=pk, defaults={"annual_wrvu_target": target, "dollars_per_wrvu": rate}
        )


def copy_back_to_users(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Preferences = apps.get_model("tracking", "Preferences")
    rows = Preferences.objects.exclude(
        annual_wrvu_target__isnull=True, dollars_per_wrvu__isnull=True
    ).values_list("user_id", *FIELDS)
    for pk, target, rate in rows.iterator(chunk_size=1000):
        User.objects.filter(pk=pk).update(annual_wrvu_target=target, dollars_per_wrvu=rate)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_api_token"),
        ("tracking", "0005_preferences_pay_and_target"),
    ]
    # accounts knows nothing of tracking, so the ordering is declared here, on tracking's side.
    run_before = [("accounts", "0004_remove_user_pay_and_target")]

    operations = [migrations.RunPython(copy_to_preferences, copy_back_to_users)]
