"""Fill the daily and monthly totals (0016) from the entries already logged, user by user; the
services keep them exact from here on (tracking.totals)."""

from decimal import Decimal

from django.db import migrations
from django.db.models import Count, Sum

FIGURES = ("raw", "medicare", "policy")
KEY = ("date", "code_id", "location_id", "setting", "role")
MONTH_KEY = ("month", *KEY[1:])


def fill(apps, schema_editor):
    ProcedureLog = apps.get_model("tracking", "ProcedureLog")
    DailyTotal = apps.get_model("tracking", "DailyTotal")
    DailyCodeTotal = apps.get_model("tracking", "DailyCodeTotal")
    MonthlyCodeTotal = apps.get_model("tracking", "MonthlyCodeTotal")
    users = ProcedureLog.objects.values_list("user_id", flat=True).distinct().order_by()
    for user_id in users.iterator():
        rows = (
            ProcedureLog.objects.filter(user_id=user_id)
            .values(*KEY)
            .annotate(entries=Count("pk"), units=Sum("units"), **{f: Sum(f) for f in FIGURES})
            .order_by()
        )
        by_code, by_day, by_month = [], {}, {}
        for row in rows:
            by_code.append(DailyCodeTotal(user_id=user_id, **row))
            key = (row["date"].replace(day=1), *(row[k] for k in KEY[1:]))
            month = by_month.setdefault(
                key, {"entries": 0, "units": 0, **dict.fromkeys(FIGURES, Decimal(0))}
            )
            for name in ("entries", "units", *FIGURES):
                month[name] += row[name]
            day = by_day.setdefault(
                row["date"], {"entries": 0, "units": 0, **dict.fromkeys(FIGURES, Decimal(0))}
            )
            for name in ("entries", "units", *FIGURES):
                day[name] += row[name]
        DailyCodeTotal.objects.bulk_create(by_code, batch_size=2000)
        DailyTotal.objects.bulk_create(
            [DailyTotal(user_id=user_id, date=day, **sums) for day, sums in by_day.items()],
            batch_size=2000,
        )
        MonthlyCodeTotal.objects.bulk_create(
            [
                MonthlyCodeTotal(user_id=user_id, **dict(zip(MONTH_KEY, key, strict=True)), **sums)
                for key, sums in by_month.items()
            ],
            batch_size=2000,
        )


def empty(apps, schema_editor):
    apps.get_model("tracking", "MonthlyCodeTotal").objects.all().delete()
    apps.get_model("tracking", "DailyCodeTotal").objects.all().delete()
    apps.get_model("tracking", "DailyTotal").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("tracking", "0016_daily_totals")]

    operations = [migrations.RunPython(fill, empty)]
