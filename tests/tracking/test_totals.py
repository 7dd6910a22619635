"""The daily totals (tracking.totals) stay equal to a fresh aggregate of the entries after every
kind of write: quick entry, encounters, the API, an import, an edit (a new day, code, location),
a delete, a re-pricing and its undo, a restore, a deleted location, the admin's delete; the
migration fills them for entries logged before; the history pages through them exactly as
LIMIT/OFFSET over the entries would."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from codes.wrvu import LineSpec
from rvuedge import periods
from tests.tracking.test_import import csv_bytes, mapped, run, uploaded
from tracking import selectors, services, totals
from tracking.models import (
    DailyCodeTotal,
    DailyTotal,
    Location,
    MonthlyCodeTotal,
    ProcedureLog,
)
from tracking.portability import backup

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def ago(days: int) -> dt.date:
    return TODAY() - dt.timedelta(days=days)


def log(user, release, *specs, days=1, setting="facility", location=None):
    return services.encounter_create(
        user=user,
        details=services.EntryDetails(date=ago(days), setting=setting, location=location),
        lines=list(specs),
        release=release,
    )


def assert_exact(user):
    assert totals.mismatches(user) == []


@pytest.fixture
def logged(attending, release):
    """Three days of entries at two places, one encounter a knee and a joint injection."""
    main = Location.objects.create(user=attending, name="Main OR")
    clinic = Location.objects.create(user=attending, name="Clinic")
    knee = log(attending, release, LineSpec("27447", ("RT",)), LineSpec("20610"), location=main)
    log(attending, release, LineSpec("99213", ("25",)), LineSpec("20610", (), 2), days=3,
        setting="non_facility", location=clinic)  # fmt: skip
    log(attending, release, LineSpec("45380"), LineSpec("45385"), days=40)
    return {"knee": knee, "main": main, "clinic": clinic}


def test_a_new_encounter_is_in_its_days_totals(attending, logged):
    knee, injection = logged["knee"]
    day = DailyTotal.objects.get(user=attending, date=knee.date)

    assert (day.entries, day.units) == (2, 2)
    assert day.medicare == knee.medicare + injection.medicare
    assert day.policy == knee.policy + injection.policy
    assert DailyCodeTotal.objects.filter(user=attending, date=knee.date).count() == 2
    assert_exact(attending)


def test_an_edit_that_moves_the_encounter_to_another_day_moves_its_totals(attending, logged):
    knee, _ = logged["knee"]

    services.procedure_log_update(log=knee, changes={"date": ago(10), "code": "27130"})

    assert not DailyTotal.objects.filter(user=attending, date=ago(1)).exists()
    assert DailyTotal.objects.get(user=attending, date=ago(10)).entries == 2
    assert_exact(attending)


@pytest.mark.parametrize(
    "changes",
    [
        {"units": 3, "code": "20610"},
        {"modifiers": "50"},
        {"setting": "non_facility"},
        {"role": "assisted"},
    ],
)
def test_each_kind_of_edit_keeps_the_totals_exact(attending, logged, changes):
    knee, injection = logged["knee"]
    target = injection if "units" in changes else knee

    services.procedure_log_update(log=target, changes=changes)

    assert_exact(attending)


def test_an_edit_of_location_keeps_the_totals_exact(attending, logged):
    services.procedure_log_update(log=logged["knee"][0], changes={"location": logged["clinic"]})

    assert_exact(attending)


def test_deleting_a_line_and_a_whole_encounter_keeps_the_totals_exact(attending, logged):
    knee, injection = logged["knee"]

    services.procedure_logs_delete(user=attending, logs=[injection])
    assert_exact(attending)
    services.procedure_logs_delete(user=attending, logs=[knee])

    assert not DailyTotal.objects.filter(user=attending, date=knee.date).exists()
    assert_exact(attending)


def test_re_pricing_and_its_undo_keep_the_totals_exact(attending, logged, newer_release):
    batch = services.reprice_apply(
        user=attending, release=newer_release, date_from=ago(60), date_to=TODAY()
    )
    assert batch.entries == 6
    assert_exact(attending)

    services.reprice_undo(batch=batch)

    assert_exact(attending)


def test_a_restore_with_replace_keeps_the_totals_exact(attending, logged, release):
    data = backup.backup_build(attending)
    log(attending, release, LineSpec("47562"), days=5)

    backup.backup_restore(user=attending, data=data, replace=True)

    assert not DailyTotal.objects.filter(user=attending, date=ago(5)).exists()
    assert DailyTotal.objects.filter(user=attending).count() == 3
    assert_exact(attending)


def test_a_deleted_location_leaves_totals_without_it(attending, logged):
    services.location_delete(location=logged["clinic"])

    assert_exact(attending)
    _, by_setting = selectors.splits(attending, ago(60), TODAY(), "policy")
    by_location, _ = selectors.splits(attending, ago(60), TODAY(), "policy")
    assert {row["location__name"] for row in by_location} == {"Main OR", None}
    assert sum(row["entries"] for row in by_setting) == 6


def test_quick_entry_the_api_and_an_import_keep_the_totals_exact(client, attending, release):
    client.force_login(attending)
    data = {"text": "99214 20610", "date": ago(2).isoformat(), "setting": "facility"}
    assert client.post(reverse("tracking:tracker"), data).status_code == 302
    assert_exact(attending)

    api = APIClient()
    api.force_authenticate(attending)
    response = api.post(
        reverse("api-logs-list"),
        [{"date": ago(2).isoformat(), "code": "47562", "setting": "facility"}],
        format="json",
    )
    assert response.status_code == 201, response.json()
    url = reverse("api-logs-detail", args=[response.json()[0]["id"]])
    assert api.patch(url, {"date": ago(4).isoformat()}, format="json").status_code == 200
    assert_exact(attending)

    rows = [
        [ago(6).isoformat(), "19303", "", "1", "facility", "Main OR", "", ""],
        [ago(7).isoformat(), "99213", "", "1", "office", "Clinic", "", ""],
    ]
    job = run(client, mapped(client, uploaded(client, attending, csv_bytes(rows))))
    assert job.rows_imported == 2, job.errors
    assert_exact(attending)
    assert DailyTotal.objects.filter(user=attending).count() == 4


def test_the_admins_delete_goes_through_the_service(admin_client, attending, logged):
    knee, _ = logged["knee"]
    url = reverse("admin:tracking_procedurelog_delete", args=[knee.pk])

    response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not ProcedureLog.objects.filter(pk=knee.pk).exists()
    assert_exact(attending)


def test_totals_are_per_user(attending, other_user, logged, release):
    log(other_user, release, LineSpec("27447", ("RT",)))

    assert_exact(attending)
    assert_exact(other_user)
    assert DailyTotal.objects.get(user=other_user).entries == 1


def test_the_migration_fills_the_totals_of_entries_logged_before(attending, logged):
    fill = importlib.import_module("tracking.migrations.0017_fill_daily_totals").fill
    for model in (MonthlyCodeTotal, DailyCodeTotal, DailyTotal):
        model.objects.all().delete()
    assert totals.mismatches(attending) != []

    fill(apps, None)

    assert_exact(attending)


def test_the_pages_figures_equal_sums_of_the_entries(client, attending, logged):
    entries = ProcedureLog.objects.for_user(attending)
    by_figure = {
        name: sum((getattr(e, name) for e in entries), Decimal(0))
        for name in ("raw", "medicare", "policy")
    }

    found = selectors.totals(attending)

    assert found.entries == entries.count() == 6
    assert (found.raw, found.medicare, found.policy) == tuple(by_figure.values())
    client.force_login(attending)
    report = client.get(reverse("tracking:reports")).context["totals"]
    assert (report.entries, report.units, report.first, report.last) == (6, 7, ago(40), ago(1))
    assert report.policy == by_figure["policy"]
    injections = entries.filter(code__code="20610")
    query = {"code": "20610", "setting": "non_facility", "location": logged["clinic"].pk}
    report = client.get(reverse("tracking:reports"), query).context["totals"]
    assert (report.entries, report.units, report.first) == (1, 2, ago(3))
    assert report.medicare == injections.get(setting="non_facility").medicare


# The history's pages --------------------------------------------------------------------------


@pytest.mark.parametrize("query", [{}, {"code": "20610"}, {"setting": "facility"}])
def test_every_history_page_holds_what_limit_offset_would(
    client, attending, release, monkeypatch, query
):
    monkeypatch.setattr("tracking.views.entry.HISTORY_PAGE_SIZE", 3)
    for days in (1, 1, 2, 5, 5, 5, 9):
        log(attending, release, LineSpec("99213"), LineSpec("20610"), days=days)
    reference = ProcedureLog.objects.for_user(attending)
    if "code" in query:
        reference = reference.filter(code__code=query["code"])
    if "setting" in query:
        reference = reference.filter(setting=query["setting"])
    expected = Paginator(list(reference.values_list("pk", flat=True)), 3)
    client.force_login(attending)

    for number in [*expected.page_range, expected.num_pages + 5]:
        page = client.get(reverse("tracking:history"), {**query, "page": number}).context["page"]
        wanted = expected.get_page(number)
        assert page.paginator.count == expected.count
        assert page.number == wanted.number
        assert [log.pk for log in page.object_list] == list(wanted.object_list)


# Whole months and days at either end ----------------------------------------------------------


@pytest.mark.parametrize("first, last", [(130, 0), (45, 2), (75, 35), (3, 1), (40, 40)])
def test_sums_over_months_and_days_equal_sums_over_the_entries(
    attending, logged, release, first, last
):
    for days in (70, 100, 125):
        log(attending, release, LineSpec("47562"), LineSpec("99213", ("25",)), days=days)
    start = periods.month_start(ago(first)) if first == 130 else ago(first)
    end = periods.month_end(ago(last)) if last == 35 else ago(last)
    entries = ProcedureLog.objects.for_user(attending).filter(date__range=(start, end))
    expected = {
        (row["code_id"], row["location_id"], row["setting"]): (row["n"], row["u"], row["w"])
        for row in entries.values("code_id", "location_id", "setting")
        .annotate(n=Count("pk"), u=Sum("units"), w=Sum("policy"))
        .order_by()
    }

    found = selectors.period_sums(
        attending,
        start,
        end,
        ("code_id", "location_id", "setting"),
        n=Sum("entries"),
        u=Sum("units"),
        w=Sum("policy"),
    )

    assert {(r["code_id"], r["location_id"], r["setting"]): (r["n"], r["u"], r["w"])
            for r in found} == expected  # fmt: skip
    assert_exact(attending)
