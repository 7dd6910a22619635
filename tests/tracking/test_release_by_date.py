"""Each entry is priced with the imported release in effect on its date of service, across the
RVU25D/RVU26C boundary with the real bundled releases (tests.release_fixtures: RVU25D in effect
from 2025-10-01, RVU26C from 2026-07-01 and current; RVU26A and RVU26B not imported).

27447 (total knee arthroplasty) has a work RVU of 19.60 in RVU25D and 19.11 in RVU26C, so the
figure says which release priced an entry: on every surface that logs one (services, quick entry
and its preview, the API, imports) and through a backup and restore, which keeps the release an
entry recorded.
"""

# The release fixtures are imported by name, so the tests' parameters redefine them.
# ruff: noqa: F811

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from codes.releases import Flag
from codes.services import release_import
from codes.wrvu import LineSpec
from tests import cms_files
from tests.release_fixtures import rvu25d, rvu26c  # noqa: F401 (fixtures used by name)
from tracking import services
from tracking.models import ImportJob, ProcedureLog, RestoreJob
from tracking.portability import backup, imports

pytestmark = pytest.mark.django_db

D = dt.date
# "Today" for these tests: a day after RVU26C took effect, in its year.
TODAY = dt.datetime(2026, 12, 1, 15, tzinfo=dt.UTC)
RVU25D_27447, RVU26C_27447 = Decimal("19.60"), Decimal("19.11")


@pytest.fixture(autouse=True)
def _today():
    # The clock ticks on: a release's loaded_at keys its cached code set (codes.entry), and
    # SQLite gives the next test's release the same id.
    with time_machine.travel(TODAY, tick=True):
        yield


def log_27447(user, day, **kwargs) -> ProcedureLog:
    (log,) = services.encounter_create(
        user=user,
        details=services.EntryDetails(date=day, setting="facility"),
        lines=[LineSpec("27447")],
        **kwargs,
    )
    return log


# Services: the rule on a logged entry -------------------------------------------------------------

# (date of service, release, work RVU of 27447, flag, how the note begins)
BY_DATE = [
    # The release in effect: RVU25D from October 2025, RVU26C from July 2026.
    (D(2025, 11, 14), "RVU25D", RVU25D_27447, Flag.NONE, ""),
    (D(2025, 12, 31), "RVU25D", RVU25D_27447, Flag.NONE, ""),
    (D(2026, 7, 1), "RVU26C", RVU26C_27447, Flag.NONE, ""),
    (D(2026, 11, 30), "RVU26C", RVU26C_27447, Flag.NONE, ""),
    # 2026 Q1/Q2: RVU26A/B are not imported; the nearest release of 2026 (its conversion factor
    # and indices), RVU26C, not RVU25D of the year before; flagged.
    (D(2026, 1, 1), "RVU26C", RVU26C_27447, Flag.SAME_YEAR,
     "RVU26A (in effect on 2026-01-01) is not imported; priced with RVU26C, the nearest "
     "imported release of 2026."),
    (D(2026, 5, 5), "RVU26C", RVU26C_27447, Flag.SAME_YEAR,
     "RVU26B (in effect on 2026-05-05) is not imported; priced with RVU26C"),
    # 2025 before October: RVU25D, the only release of 2025; flagged.
    (D(2025, 8, 1), "RVU25D", RVU25D_27447, Flag.SAME_YEAR,
     "RVU25C (in effect on 2025-08-01) is not imported; priced with RVU25D"),
    # Before every imported year: the oldest, flagged.
    (D(2024, 6, 3), "RVU25D", RVU25D_27447, Flag.BEFORE,
     "2024-06-03 is before every imported release; priced with the oldest, RVU25D."),
]  # fmt: skip


@pytest.mark.parametrize(("day", "name", "work_rvu", "flag", "note"), BY_DATE)
def test_an_entry_is_priced_with_the_release_of_its_date_of_service(
    attending, rvu26c, day, name, work_rvu, flag, note
):
    log = log_27447(attending, day)

    log.refresh_from_db()
    assert (log.release.name, log.work_rvu, log.raw) == (name, work_rvu, work_rvu)
    assert log.release_flag == flag.value
    assert log.release_note.startswith(note) and bool(log.release_note) == bool(note)


def test_encounters_of_many_dates_read_each_releases_rows_once(attending, rvu26c):
    days = [D(2024, 6, 3), D(2025, 11, 14), D(2026, 2, 10), D(2026, 7, 15), D(2026, 11, 2)]
    encounters = [
        (
            services.EntryDetails(date=day + dt.timedelta(days=n % 7), setting="facility"),
            [services.BulkLine(LineSpec(code)) for code in ("27447", "99213", "47562")],
        )
        for n, day in enumerate(days * 40)
    ]

    with CaptureQueriesContext(connection) as queries:
        logs = services.encounters_bulk_create(user=attending, encounters=encounters)

    rows_read = [q for q in queries if q["sql"].startswith('SELECT "codes_relativevalue".')]
    assert len(rows_read) == 2  # one per release, not one per encounter or date
    knees = {
        (log.date.year, log.release.name, log.work_rvu) for log in logs if log.code.code == "27447"
    }
    assert knees == {
        (2024, "RVU25D", RVU25D_27447),
        (2025, "RVU25D", RVU25D_27447),
        (2026, "RVU26C", RVU26C_27447),
    }
    assert len(logs) == 600


def test_a_release_given_prices_every_encounter_flagged_where_the_date_has_another(
    attending, rvu26c
):
    log = log_27447(attending, D(2025, 11, 14), release=rvu26c)

    assert (log.release.name, log.work_rvu, log.release_flag) == ("RVU26C", RVU26C_27447, "chosen")
    assert log.release_note == (
        "Priced with RVU26C, chosen in place of RVU25D (the release for 2025-11-14)."
    )


def test_re_pricing_with_another_release_flags_it_and_undo_puts_the_flag_back(
    attending, rvu25d, rvu26c
):
    log = log_27447(attending, D(2026, 2, 10))
    assert log.release_flag == Flag.SAME_YEAR

    batch = services.reprice_apply(
        user=attending, release=rvu25d, date_from=D(2026, 2, 1), date_to=D(2026, 2, 28)
    )
    log.refresh_from_db()
    assert (log.release.name, log.work_rvu, log.release_flag) == ("RVU25D", RVU25D_27447, "chosen")
    assert "chosen in place of RVU26C" in log.release_note

    services.reprice_undo(batch=batch)
    log.refresh_from_db()
    assert (log.release.name, log.work_rvu, log.release_flag) == (
        "RVU26C",
        RVU26C_27447,
        Flag.SAME_YEAR,
    )
    assert log.release_note.startswith("RVU26A (in effect on 2026-02-10) is not imported")


def test_editing_the_date_of_service_prices_the_entry_with_the_new_dates_release(attending, rvu26c):
    log = log_27447(attending, D(2026, 7, 15))

    log = services.procedure_log_update(log=log, changes={"date": D(2025, 11, 14)})

    assert (log.release.name, log.work_rvu, log.release_flag) == ("RVU25D", RVU25D_27447, "")
    log = services.procedure_log_update(log=log, changes={"note": "kept"})
    assert log.release.name == "RVU25D"  # an edit keeping the date keeps the release


def test_nothing_is_logged_before_any_release_is_imported(attending):
    with pytest.raises(ValidationError, match="No fee schedule release has been imported yet"):
        services.encounter_create(
            user=attending,
            details=services.EntryDetails(date=D(2025, 11, 14), setting="facility"),
            lines=[LineSpec("27447")],
        )
    assert not ProcedureLog.objects.exists()


# Quick entry ----------------------------------------------------------------------------------


def quick_entry(client, user, day, text="27447", view="tracking:tracker"):
    client.force_login(user)
    data = {"text": text, "setting": "facility", "role": "performed"}
    data["date"] = day.isoformat()
    return client.post(reverse(view), data, follow=view == "tracking:tracker")


def test_quick_entry_saves_a_backdated_entry_with_the_release_of_its_date(
    client, attending, rvu26c
):
    response = quick_entry(client, attending, D(2025, 11, 14))

    log = ProcedureLog.objects.get(user=attending)
    assert (log.date, log.release.name, log.medicare) == (D(2025, 11, 14), "RVU25D", RVU25D_27447)
    assert (
        "Saved 1 entry in 1 encounter: 19.60 wRVU (Medicare-style, RVU25D)."
        in response.content.decode()
    )


def test_quick_entry_on_todays_date_uses_rvu26c(client, attending, rvu26c):
    quick_entry(client, attending, D(2026, 12, 1))  # the form's date, today unless changed

    log = ProcedureLog.objects.get(user=attending)
    assert (log.date, log.release.name, log.medicare) == (D(2026, 12, 1), "RVU26C", RVU26C_27447)
    assert log.release_flag == ""


def test_quick_entry_says_when_the_entry_is_flagged(client, attending, rvu26c):
    response = quick_entry(client, attending, D(2026, 2, 10))

    log = ProcedureLog.objects.get(user=attending)
    assert (log.release.name, log.release_flag) == ("RVU26C", Flag.SAME_YEAR)
    html = response.content.decode()
    assert (
        "Saved 1 entry in 1 encounter: 19.11 wRVU (Medicare-style, RVU26C). RVU26A (in effect on "
        in html
    )
    assert "the nearest imported release of 2026." in html


@pytest.mark.parametrize(
    ("day", "says", "credit"),
    [
        (D(2025, 11, 14), "Priced with <strong>RVU25D</strong>, the release in effect on "
         "2025-11-14.", "19.60"),
        (D(2026, 7, 15), "Priced with <strong>RVU26C</strong>, the release in effect on "
         "2026-07-15.", "19.11"),
        (D(2026, 2, 10), "Priced with RVU26C: nearest release of the year.</strong> RVU26A (in "
         "effect on 2026-02-10) is not imported", "19.11"),
        (D(2024, 6, 3), "Priced with RVU25D: before every imported release.</strong> 2024-06-03 "
         "is before every imported release; priced with the oldest, RVU25D.", "19.60"),
    ],
)  # fmt: skip
def test_the_preview_shows_the_release_the_chosen_date_uses(
    client, attending, rvu26c, day, says, credit
):
    response = quick_entry(client, attending, day, view="tracking:preview")

    html = response.content.decode()
    assert response.status_code == 200
    assert says in html
    assert f'data-label="Medicare-style" role="cell">{credit}</td>' in html
    assert ('role="note"' in html) == (day in (D(2026, 2, 10), D(2024, 6, 3)))


def test_the_preview_shows_the_release_before_any_code_is_typed(client, attending, rvu26c):
    response = quick_entry(client, attending, D(2025, 11, 14), text="", view="tracking:preview")

    assert "Priced with <strong>RVU25D</strong>" in response.content.decode()


def test_the_preview_is_rendered_again_when_the_date_changes(client, attending, rvu26c):
    client.force_login(attending)

    html = client.get(reverse("tracking:tracker")).content.decode()

    assert "change from:#id_date" in html
    assert "Priced with <strong>RVU26C</strong>, the release in effect on 2026-12-01." in html


# History and entry page -------------------------------------------------------------------------


def test_history_and_the_entry_page_show_the_note_of_a_flagged_entry(client, attending, rvu26c):
    flagged = log_27447(attending, D(2026, 2, 10))
    plain = log_27447(attending, D(2025, 11, 14))
    client.force_login(attending)

    history = client.get(reverse("tracking:history")).content.decode()
    detail = client.get(reverse("tracking:entry", args=[flagged.pk])).content.decode()
    plain_detail = client.get(reverse("tracking:entry", args=[plain.pk])).content.decode()

    assert history.count('class="badge text-bg-warning"') == 1
    assert 'title="RVU26A (in effect on 2026-02-10) is not imported; priced with RVU26C' in history
    assert '<span class="visually-hidden">: RVU26A (in effect on 2026-02-10)' in history
    assert 'role="note" id="release-note"><strong>Nearest release of the year.</strong> RVU26A' in (
        detail
    )
    assert 'id="release-note"' not in plain_detail


# API --------------------------------------------------------------------------------------------


@pytest.fixture
def api(attending):
    client = APIClient()
    client.force_authenticate(attending)
    return client


@pytest.mark.parametrize(
    ("day", "release", "work_rvu", "flag"),
    [
        ("2025-11-14", "RVU25D", "19.6000", ""),
        ("2026-11-30", "RVU26C", "19.1100", ""),
        ("2026-02-10", "RVU26C", "19.1100", "same-year"),
        ("2024-06-03", "RVU25D", "19.6000", "before"),
    ],
)
def test_the_api_prices_with_the_release_of_the_date_and_says_so(
    api, rvu26c, day, release, work_rvu, flag
):
    response = api.post(
        reverse("api-logs-list"),
        {"date": day, "code": "27447", "setting": "facility"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["release"], body["work_rvu"], body["release_flag"]) == (release, work_rvu, flag)
    assert bool(body["release_note"]) == bool(flag)
    read = api.get(reverse("api-logs-detail", args=[body["id"]])).json()
    assert (read["release"], read["release_flag"], read["release_note"]) == (
        release,
        flag,
        body["release_note"],
    )


def test_the_quick_entry_api_prices_with_the_release_of_the_date(api, rvu26c):
    response = api.post(
        reverse("api-logs-quick"),
        {"text": "27447", "date": "2026-02-10", "setting": "facility"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    (line,) = response.json()
    assert (line["release"], line["work_rvu"], line["release_flag"]) == (
        "RVU26C",
        "19.1100",
        "same-year",
    )
    assert line["release_note"].startswith("RVU26A (in effect on 2026-02-10) is not imported")


def test_an_api_edit_moving_the_date_checks_the_code_against_the_new_dates_release(
    api, attending, rvu26c
):
    log = log_27447(attending, D(2026, 7, 15))

    response = api.patch(
        reverse("api-logs-detail", args=[log.pk]), {"date": "2025-11-14"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["release"], response.json()["work_rvu"]) == ("RVU25D", "19.6000")


def test_the_schema_documents_the_release_flag_and_note(api, rvu26c):
    schema = api.get(reverse("api-schema"), {"format": "json"}).json()["components"]["schemas"]

    log = schema["Log"]["properties"]
    assert log["release"]["readOnly"] and "priced the entry" in log["release"]["description"]
    assert log["release_flag"]["readOnly"]
    assert "Empty when `release` is the release in effect" in log["release_flag"]["description"]
    assert schema["ReleaseFlagEnum"]["enum"] == [
        "same-year",
        "before",
        "after",
        "other-year",
        "chosen",
    ]
    assert log["release_note"]["readOnly"] and log["release_note"]["type"] == "string"


# Import ------------------------------------------------------------------------------------------

ROWS = [
    ["2025-11-14", "27447"],
    ["2026-02-10", "27447"],
    ["2026-07-15", "27447"],
    ["2024-06-03", "27447"],
    ["2026-02-11", "27447"],
]


def import_file(client, user, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Date", "Code"])
    writer.writerows(rows)
    upload = io.BytesIO(out.getvalue().encode())
    upload.name = "procedures.csv"
    client.force_login(user)
    assert client.post(reverse("tracking:import"), {"file": upload}).status_code == 302
    job = ImportJob.objects.filter(user=user).latest("pk")
    mapped = client.post(
        reverse("tracking:import_map", args=[job.pk]), {"date": "Date", "code": "Code"}
    )
    assert mapped.status_code == 302
    return job


def test_the_import_preview_shows_the_release_and_flag_of_each_row_and_group(
    client, attending, rvu26c
):
    job = import_file(client, attending, ROWS)

    html = client.get(reverse("tracking:import_job", args=[job.pk])).content.decode()

    table = html[html.index('id="import-releases"') :]
    groups = table[table.index("<tbody>") + len("<tbody>") : table.index("</tbody>")]
    assert [line.strip() for line in groups.split("<tr")[1:]] == [
        'class="table-warning"><td>RVU25D</td><td class="text-nowrap">2024-06-03</td>'
        '<td class="num">1</td><td>Before every imported release</td></tr>',
        '><td>RVU25D</td><td class="text-nowrap">2025-11-14</td><td class="num">1</td>'
        "<td>In effect</td></tr>",
        'class="table-warning"><td>RVU26C</td><td class="text-nowrap">2026-02-10 to 2026-02-11'
        '</td><td class="num">2</td><td>Nearest release of the year</td></tr>',
        '><td>RVU26C</td><td class="text-nowrap">2026-07-15</td><td class="num">1</td>'
        "<td>In effect</td></tr>",
    ]
    assert "Row 3 (2026-02-10): RVU26A (in effect on 2026-02-10) is not imported" in html
    sample = html[html.index('id="import-sample"') :]
    assert (
        '<td class="position-relative">RVU26C <span class="badge text-bg-warning" '
        'title="RVU26A (in effect' in sample
    )
    assert '<td class="position-relative">RVU25D</td></tr>' in sample


def test_an_import_prices_each_row_with_the_release_of_its_date(client, attending, rvu26c):
    job = import_file(client, attending, ROWS)

    client.post(reverse("tracking:import_run", args=[job.pk]), {"mode": "all_or_nothing"})

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.message
    assert job.message == (
        "Imported 5 of 5 rows as 5 encounters with RVU25D and RVU26C. 3 rows are priced with a "
        "release not in effect on their date (the one in effect is not imported): each entry "
        "says why."
    )
    logs = ProcedureLog.objects.filter(user=attending).order_by("date")
    assert [(str(log.date), log.release.name, log.work_rvu, log.release_flag) for log in logs] == [
        ("2024-06-03", "RVU25D", RVU25D_27447, "before"),
        ("2025-11-14", "RVU25D", RVU25D_27447, ""),
        ("2026-02-10", "RVU26C", RVU26C_27447, "same-year"),
        ("2026-02-11", "RVU26C", RVU26C_27447, "same-year"),
        ("2026-07-15", "RVU26C", RVU26C_27447, ""),
    ]


def test_a_rows_code_is_checked_against_the_release_of_its_date():
    def release_for(day):
        if day.year < 2026:
            return imports.RowRelease("RVU25D", frozenset({"99213"}))
        return imports.RowRelease("RVU26C", frozenset({"99213", "27447"}), "same-year", "why")

    def check(day):
        return imports.check_row(
            2,
            {"date": day, "code": "27447"},
            today=D(2026, 12, 1),
            location_settings={},
            release_for=release_for,
        )

    old, new = check("2025-11-14"), check("2026-02-10")

    assert old.errors == ["27447 is not a code in RVU25D."]
    assert (new.ok, new.release, new.release_flag, new.release_note) == (
        True,
        "RVU26C",
        "same-year",
        "why",
    )


# Restore -----------------------------------------------------------------------------------------


def restore(client, user, data: dict) -> RestoreJob:
    upload = io.BytesIO(json.dumps(data).encode())
    upload.name = "backup.json"
    client.force_login(user)
    response = client.post(reverse("tracking:restore"), {"file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    return RestoreJob.objects.filter(user=user).latest("pk")


def recorded(user) -> list[tuple]:
    return [
        (str(log.date), log.release.name, log.work_rvu, log.release_flag, log.release_note)
        for log in ProcedureLog.objects.filter(user=user).order_by("date", "pk")
    ]


def test_a_restore_keeps_each_entrys_recorded_release_and_flag(
    client, attending, other_user, rvu25d, rvu26c
):
    log_27447(attending, D(2025, 11, 14))
    log_27447(attending, D(2026, 2, 10))
    # Re-priced by choice: its date's release would be RVU25D, a restore must not choose again.
    log_27447(attending, D(2025, 12, 1), release=rvu26c)
    data = backup.backup_build(attending)

    job = restore(client, other_user, data)

    assert job.status == RestoreJob.Status.DONE, job.message
    assert recorded(other_user) == recorded(attending)
    assert [row[1:4] for row in recorded(other_user)] == [
        ("RVU25D", RVU25D_27447, ""),
        ("RVU26C", RVU26C_27447, "chosen"),
        ("RVU26C", RVU26C_27447, "same-year"),
    ]


def test_a_backup_from_before_entries_kept_a_flag_restores_them_unflagged(
    client, attending, other_user, rvu26c
):
    log_27447(attending, D(2026, 2, 10))
    data = backup.backup_build(attending)
    for encounter in data["encounters"]:
        for line in encounter["lines"]:
            del line["release_flag"], line["release_note"]

    job = restore(client, other_user, data)

    assert job.status == RestoreJob.Status.DONE, job.message
    assert recorded(other_user) == [("2026-02-10", "RVU26C", RVU26C_27447, "", "")]


# A code one release has and the other has not ---------------------------------------------------


@pytest.fixture
def only_in_26c(release, tmp_path):
    """RVU25D (conftest's `release`) and an RVU26C that also holds 99215, which RVU25D lacks."""
    path = tmp_path / cms_files.PPRRVU_FILES["RVU26C"][1]
    codes = cms_files.SLICE_CODES | {"99215"}
    release_import(source=cms_files.write_release_slice(path, "RVU26C", codes), make_current=True)
    return "99215"


def test_a_code_is_checked_against_the_release_of_its_date_on_every_surface(
    client, api, attending, only_in_26c
):
    assert quick_entry(client, attending, D(2026, 7, 15), text="99215").status_code == 200
    assert ProcedureLog.objects.get(user=attending).release.name == "RVU26C"

    preview = quick_entry(client, attending, D(2025, 11, 14), "99215", view="tracking:preview")
    api_line = api.post(
        reverse("api-logs-list"),
        {"date": "2025-11-14", "code": "99215", "setting": "facility"},
        format="json",
    )

    assert "99215 is not a code in this fee schedule release." in preview.content.decode()
    assert api_line.status_code == 400
    assert api_line.json() == {"code": ["99215 is not a code in RVU25D."]}
    assert ProcedureLog.objects.filter(user=attending).count() == 1


def test_moving_an_entry_to_a_date_whose_release_lacks_its_code_is_refused(attending, only_in_26c):
    (log,) = services.encounter_create(
        user=attending,
        details=services.EntryDetails(date=D(2026, 7, 15), setting="facility"),
        lines=[LineSpec("99215")],
    )

    with pytest.raises(ValidationError, match="99215 is not in RVU25D"):
        services.procedure_log_update(log=log, changes={"date": D(2025, 11, 14)})

    log.refresh_from_db()
    assert (log.date, log.release.name) == (D(2026, 7, 15), "RVU26C")


def test_an_import_checks_each_rows_code_against_the_release_of_its_date(
    client, attending, only_in_26c
):
    job = import_file(client, attending, [["2025-11-14", "99215"], ["2026-07-15", "99215"]])

    html = client.get(reverse("tracking:import_job", args=[job.pk])).content.decode()
    client.post(reverse("tracking:import_run", args=[job.pk]), {"mode": "valid_rows"})

    assert "99215 is not a code in RVU25D." in html
    job.refresh_from_db()
    assert job.errors == [{"row": 2, "errors": ["99215 is not a code in RVU25D."]}]
    assert [log.release.name for log in ProcedureLog.objects.filter(user=attending)] == ["RVU26C"]
