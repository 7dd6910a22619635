"""Import from CSV and XLSX: upload checks, column mapping (guessed, remembered), a message for
every bad row, likely duplicates, all-or-nothing writes, and the Celery path for large files."""

import csv
import datetime as dt
import io
import queue
from decimal import Decimal as D

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from codes.wrvu import LineSpec
from rvuedge.celery import app
from tests.tracking.workers import worker_alive
from tracking import jobs, services
from tracking.models import Encounter, ImportJob, ImportMapping, Location, LogChange, ProcedureLog
from tracking.portability import imports

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
HEADERS = ["Date", "Code", "Modifiers", "Units", "Setting", "Location", "Role", "Note"]


def csv_bytes(rows, headers=HEADERS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode()


def xlsx_bytes(rows, headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def days_ago(n) -> str:
    return (TODAY() - dt.timedelta(days=n)).isoformat()


def post_upload(client, body: bytes, name="procedures.csv"):
    handle = io.BytesIO(body)
    handle.name = name
    return client.post(reverse("tracking:import"), {"file": handle})


def uploaded(client, user, body, name="procedures.csv") -> ImportJob:
    client.force_login(user)
    response = post_upload(client, body, name)
    assert response.status_code == 302, response.content.decode()[:3000]
    return ImportJob.objects.filter(user=user).latest("pk")


def mapped(client, job, columns=None) -> ImportJob:
    columns = columns or {name: header for name, header in job.columns.items()}
    data = {name: columns.get(name, "") for name in imports.FIELDS}
    response = client.post(reverse("tracking:import_map", args=[job.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    job.refresh_from_db()
    return job


def run(client, job, mode="valid_rows", skip_duplicates=False) -> ImportJob:
    data = {"mode": mode}
    if skip_duplicates:
        data["skip_duplicates"] = "on"
    response = client.post(reverse("tracking:import_run", args=[job.pk]), data)
    assert response.status_code == 302
    job.refresh_from_db()
    return job


def preview_html(client, job) -> str:
    response = client.get(reverse("tracking:import_job", args=[job.pk]))
    assert response.status_code == 200
    return response.content.decode()


def good_rows() -> list[list[str]]:
    """Four good rows, dated from today when called (a run may cross midnight)."""
    return [
        [days_ago(3), "47562", "", "1", "facility", "Main OR", "", ""],
        [days_ago(3), "19303", "", "1", "facility", "Main OR", "", ""],
        [days_ago(5), "99213", "25", "1", "office", "Clinic", "", "follow-up"],
        [days_ago(5), "20610", "", "2", "office", "Clinic", "", ""],
    ]


# Access ----------------------------------------------------------------------------------------


@pytest.fixture
def job(client, attending, release):
    job = uploaded(client, attending, csv_bytes(good_rows()))
    client.logout()
    return job


JOB_URLS = [
    ("tracking:import_job", "get"),
    ("tracking:import_map", "get"),
    ("tracking:import_run", "post"),
    ("tracking:import_progress", "get"),
]


@pytest.mark.parametrize(("name", "method"), JOB_URLS)
def test_the_owner_reaches_each_job_page(client, attending, job, name, method):
    client.force_login(attending)

    response = getattr(client, method)(reverse(name, args=[job.pk]), {"mode": "valid_rows"})

    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert "/accounts/" not in response["Location"]


@pytest.mark.parametrize(("name", "method"), JOB_URLS)
def test_another_user_gets_404_for_each_job_page(client, other_user, job, name, method):
    client.force_login(other_user)

    response = getattr(client, method)(reverse(name, args=[job.pk]), {"mode": "valid_rows"})

    assert response.status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.MAPPING


@pytest.mark.parametrize(("name", "method"), [*JOB_URLS, ("tracking:import", "get")])
def test_anonymous_visitors_are_sent_to_sign_in(client, job, name, method):
    args = [job.pk] if name != "tracking:import" else []

    response = getattr(client, method)(reverse(name, args=args))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_owner_sees_the_upload_page_with_recent_imports(client, attending, job):
    client.force_login(attending)

    response = client.get(reverse("tracking:import"))

    assert response.status_code == 200
    assert "procedures.csv" in response.content.decode()


# Upload ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "name", "message"),
    [
        (b"date,code\n2025-01-01,99213\n", "procedures.txt", "Upload a .csv or .xlsx file."),
        (b"date,code\n2025-01-01,99213\n", "procedures.xlsx", "This is not an XLSX workbook."),
        (b"PK\x03\x04not really a zip", "procedures.xlsx", "not a readable XLSX"),
        (b"", "procedures.csv", "The submitted file is empty."),
        (b"\n\n", "procedures.csv", "The file is empty."),
        (b"date,code\n", "procedures.csv", "The file has a header but no rows."),
        (b"\x00\x01\x02binary", "procedures.csv", "not a text CSV file"),
    ],
)
def test_an_upload_that_is_not_a_table_is_refused(client, attending, release, body, name, message):
    client.force_login(attending)

    response = post_upload(client, body, name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, attending, release, settings):
    settings.TRACKING_IMPORT_MAX_BYTES = 1024 * 1024
    client.force_login(attending)
    body = csv_bytes([[days_ago(1), "99213", "", "1", "", "", "", "x" * 400]] * 3000)

    response = post_upload(client, body)

    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()


# Mapping ---------------------------------------------------------------------------------------


def test_columns_are_guessed_from_an_ehr_exports_header_names():
    headers = [
        "Patient Visit #", "Service Date", "CPT Code", "Modifier", "Qty", "Place of Service",
        "Facility Name", "Provider Role", "Supervising Physician", "Comments",
    ]  # fmt: skip

    assert imports.guess_columns(headers) == {
        "date": "Service Date",
        "code": "CPT Code",
        "modifiers": "Modifier",
        "units": "Qty",
        "setting": "Place of Service",
        "location": "Facility Name",
        "role": "Provider Role",
        "attending": "Supervising Physician",
        "note": "Comments",
        "encounter": "Patient Visit #",
    }


def test_our_own_export_headers_map_to_every_field():
    from tracking.portability.exports import COLUMNS

    columns = imports.guess_columns([header for header, _ in COLUMNS])

    assert set(columns) == set(imports.FIELDS)
    assert columns["attending"] == "Supervising attending"


def test_the_mapping_is_remembered_for_the_next_file(client, attending, release):
    headers = ["When", "What", "Extra"]
    body = csv_bytes([[days_ago(1), "99213", "x"]], headers=headers)
    job = uploaded(client, attending, body)
    assert job.columns == {}  # nothing to guess from these names

    mapped(client, job, {"date": "When", "code": "What"})
    second = uploaded(client, attending, body)

    assert ImportMapping.objects.get(user=attending).columns == {"date": "When", "code": "What"}
    assert second.columns == {"date": "When", "code": "What"}
    response = client.get(reverse("tracking:import_map", args=[second.pk]))
    assert '<option value="When" selected>' in response.content.decode()


def test_the_mapping_needs_the_date_and_code_columns_once_each(client, attending, release):
    job = uploaded(client, attending, csv_bytes(good_rows()))
    url = reverse("tracking:import_map", args=[job.pk])

    missing = client.post(url, {"date": "Date"})
    twice = client.post(url, {"date": "Date", "code": "Code", "note": "Code"})

    assert missing.status_code == 400
    assert twice.status_code == 400
    assert "Each column can hold one field only." in twice.content.decode()


# Checking rows ---------------------------------------------------------------------------------


CODES = frozenset({"99213", "27447", "20610"})


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"date": "", "code": "99213"}, "The date is missing."),
        ({"date": "2025-02-30", "code": "99213"}, "“2025-02-30” is not a date"),
        ({"date": "yesterday", "code": "99213"}, "“yesterday” is not a date"),
        ({"date": "2099-01-01", "code": "99213"}, "2099-01-01 is in the future."),
        ({"date": "2025-03-01", "code": ""}, "The code is missing."),
        ({"date": "2025-03-01", "code": "99999"}, "99999 is not a code in RVU25D."),
        ({"date": "2025-03-01", "code": "27447", "modifiers": "5O"}, "5O is not a modifier."),
        ({"date": "2025-03-01", "code": "27447", "modifiers": "50-50"}, "given twice"),
        (
            {"date": "2025-03-01", "code": "27447", "modifiers": "50 LT 59 76 77"},
            "At most 4 modifiers",
        ),
        ({"date": "2025-03-01", "code": "20610", "units": "0"}, "Units 0 are out of range"),
        ({"date": "2025-03-01", "code": "20610", "units": "100"}, "Units 100 are out of range"),
        ({"date": "2025-03-01", "code": "20610", "units": "1.5"}, "must be a whole number"),
        ({"date": "2025-03-01", "code": "20610", "units": "two"}, "must be a whole number"),
        ({"date": "2025-03-01", "code": "99213", "setting": "moon"}, "“moon” is not a place of"),
        ({"date": "2025-03-01", "code": "99213", "role": "boss"}, "“boss” is not a role"),
        ({"date": "2025-03-01", "code": "99213", "note": "x" * 501}, "longer than 500"),
        ({"date": "2025-03-01", "code": "99213", "location": "x" * 101}, "longer than 100"),
    ],
)
def test_each_bad_value_is_named_in_the_rows_errors(values, message):
    row = imports.check_row(
        7,
        values,
        codes=CODES,
        today=dt.date(2026, 6, 1),
        release_name="RVU25D",
        location_settings={},
    )

    assert not row.ok
    assert any(message in error for error in row.errors), row.errors


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"date": "03/01/2025", "code": "27447", "modifiers": "50, lt", "units": "1.0"},
            (dt.date(2025, 3, 1), "27447", ("50", "LT"), 1),
        ),
        ({"date": "3/1/25", "code": " 20610 ", "units": 2}, (dt.date(2025, 3, 1), "20610", (), 2)),
        (
            {"date": dt.datetime(2025, 3, 1, 8, 30), "code": 99213.0},
            (dt.date(2025, 3, 1), "99213", (), 1),
        ),
        (
            {"date": "2025-03-01 00:00:00", "code": "99213", "modifiers": "25"},
            (dt.date(2025, 3, 1), "99213", ("25",), 1),
        ),
    ],
)
def test_common_spellings_of_dates_codes_modifiers_and_units_are_read(values, expected):
    row = imports.check_row(
        2, values, codes=CODES, today=dt.date(2026, 6, 1), release_name="R", location_settings={}
    )

    assert row.ok, row.errors
    assert (row.date, row.code, row.modifiers, row.units) == expected


def test_a_rows_setting_defaults_to_its_locations(release):
    row = imports.check_row(
        2,
        {"date": "2025-03-01", "code": "99213", "location": "clinic"},
        codes=CODES,
        today=dt.date(2026, 6, 1),
        release_name="R",
        location_settings={"clinic": "non_facility"},
    )

    assert row.setting == "non_facility"


def test_the_preview_lists_every_bad_row_with_its_line_number(client, attending, release):
    rows = [
        [days_ago(1), "99213", "", "1", "", "", "", ""],
        [days_ago(1), "99999", "", "1", "", "", "", ""],
        ["31/12/2025", "99213", "", "1", "", "", "", ""],
        [days_ago(1), "27447", "ZZ", "1", "", "", "", ""],
        [days_ago(1), "20610", "", "150", "", "", "", ""],
        [(TODAY() + dt.timedelta(days=2)).isoformat(), "99213", "", "1", "", "", "", ""],
        [days_ago(1), "99213", "", "1", "", "", "", "MRN 12345678"],
    ]
    job = mapped(client, uploaded(client, attending, csv_bytes(rows)))

    html = preview_html(client, job)

    assert "7 rows: <strong>2 valid</strong>" in html
    for line, message in [
        (3, "99999 is not a code in RVU25D."),
        (4, "“31/12/2025” is not a date"),
        (5, "ZZ is not a modifier."),
        (6, "Units 150 are out of range (1 to 99)."),
        (7, "is in the future."),
    ]:
        assert f"<td>{line}</td>" in html
        assert message in html
    assert "may hold patient information" in html and "row 8" in html
    assert not ProcedureLog.objects.exists()


# Importing -------------------------------------------------------------------------------------


def test_valid_rows_are_saved_as_encounters_priced_like_quick_entry(client, attending, release):
    rows = [[*row, ref] for row, ref in zip(good_rows(), ["A1", "A1", "B2", "B2"], strict=True)]
    body = csv_bytes(rows, headers=[*HEADERS, "Encounter"])
    job = mapped(client, uploaded(client, attending, body))

    job = run(client, job)

    assert job.status == ImportJob.Status.DONE, job.message
    assert (job.rows_imported, job.rows_done, job.rows_total) == (4, 4, 4)
    assert "Imported 4 of 4 rows as 2 encounters with RVU25D." in job.message
    assert Encounter.objects.filter(user=attending).count() == 2
    locations = dict(Location.objects.filter(user=attending).values_list("name", "default_setting"))
    assert locations == {"Main OR": "facility", "Clinic": "non_facility"}
    # the same lines logged by hand get the same credit (47562 and 19303 ranked together)
    imported = {
        (log.code.code, log.modifiers, log.units): (log.medicare, log.policy, log.setting)
        for log in ProcedureLog.objects.filter(user=attending)
    }
    by_hand = services.encounter_create(
        user=attending,
        details=services.EntryDetails(date=TODAY(), setting="facility"),
        lines=[LineSpec("47562"), LineSpec("19303")],
        release=release,
    )
    for log in by_hand:
        assert imported[(log.code.code, "", 1)][:2] == (log.medicare, log.policy)
    assert imported[("20610", "", 2)][2] == "non_facility"
    assert LogChange.objects.filter(user=attending, action="create").count() == 4 + 2


ENCOUNTERS = [
    [LineSpec("45380"), LineSpec("45385"), LineSpec("45378")],  # endoscopy family with its base
    [LineSpec("27447", ("50",)), LineSpec("20610", (), 2), LineSpec("99213", ("25",))],
    [LineSpec("47562", ("80",)), LineSpec("19303", ("62",))],
    [LineSpec("22551"), LineSpec("22552", (), 2)],  # an add-on code
    [LineSpec("70450", ("26",))],
    [LineSpec("27447", ("22",)), LineSpec("64483", ("52",)), LineSpec("64484")],
]


@pytest.mark.parametrize("lines", ENCOUNTERS, ids=lambda lines: " ".join(map(str, lines)))
@pytest.mark.parametrize("setting", ["facility", "non_facility"])
def test_bulk_creation_credits_exactly_as_encounter_create(attending, release, lines, setting):
    from tracking.models import CreditPolicy

    CreditPolicy.objects.create(
        user=attending, modifier_22_percent=125, modifier_52_percent=60, second_procedure_percent=40
    )
    details = services.EntryDetails(date=TODAY(), setting=setting)
    by_hand = services.encounter_create(
        user=attending, details=details, lines=lines, release=release
    )

    services.encounters_bulk_create(
        user=attending,
        encounters=[(details, [services.BulkLine(spec) for spec in lines])],
        release=release,
    )

    fields = ("code_id", "modifiers", "units", "work_rvu", "raw", "medicare", "policy",
              "explanation", "warnings", "release_id", "setting")  # fmt: skip
    bulk = (
        ProcedureLog.objects.filter(user=attending)
        .exclude(encounter=by_hand[0].encounter)
        .order_by("pk")
    )
    assert [[getattr(log, f) for f in fields] for log in bulk] == [
        [getattr(log, f) for f in fields] for log in by_hand
    ]


def test_import_all_valid_rows_leaves_the_bad_ones_out(client, attending, release):
    rows = [*good_rows(), [days_ago(1), "99999", "", "1", "", "", "", ""]]
    job = mapped(client, uploaded(client, attending, csv_bytes(rows)))

    job = run(client, job, mode="valid_rows")

    assert job.status == ImportJob.Status.DONE
    assert job.rows_imported == 4
    assert job.errors == [{"row": 6, "errors": ["99999 is not a code in RVU25D."]}]
    assert ProcedureLog.objects.filter(user=attending).count() == 4
    assert "1 row with an error was left out" in preview_html(client, job)


def test_rows_the_fee_schedule_forbids_are_left_out_with_the_reason(client, attending, release):
    rows = [
        *good_rows(),
        [days_ago(1), "27447", "TC", "1", "facility", "", "", ""],
        [days_ago(1), "20610", "50", "2", "office", "", "", ""],
    ]
    job = mapped(client, uploaded(client, attending, csv_bytes(rows)))

    job = run(client, job, mode="valid_rows")

    assert job.rows_imported == 4
    assert [error["row"] for error in job.errors] == [6, 7]
    assert "Modifier TC cannot be used with 27447" in job.errors[0]["errors"][0]
    assert "Modifier 50 means both sides on one line" in job.errors[1]["errors"][0]
    assert not ProcedureLog.objects.filter(user=attending, code__code="27447").exists()


def test_import_only_if_all_valid_saves_nothing_when_one_row_is_bad(client, attending, release):
    rows = [*good_rows(), [days_ago(1), "20610", "", "0", "", "", "", ""]]
    job = mapped(client, uploaded(client, attending, csv_bytes(rows)))

    job = run(client, job, mode="all_or_nothing")

    assert job.status == ImportJob.Status.FAILED
    assert job.message == "Nothing imported: 1 of 5 rows has an error."
    assert job.errors[0]["row"] == 6
    assert not ProcedureLog.objects.filter(user=attending).exists()
    assert not Location.objects.filter(user=attending).exists()
    html = preview_html(client, job)
    assert "Row 6: Units 0 are out of range" in html


def test_import_only_if_all_valid_saves_every_row_when_all_are_good(client, attending, release):
    job = mapped(client, uploaded(client, attending, csv_bytes(good_rows())))

    job = run(client, job, mode="all_or_nothing")

    assert job.status == ImportJob.Status.DONE
    assert ProcedureLog.objects.filter(user=attending).count() == 4


def test_a_failure_while_writing_leaves_nothing_behind(client, attending, release, monkeypatch):
    rows = [[days_ago(n), "99213", "", "1", "", f"Place {n}", "", ""] for n in range(1, 700)]
    job = mapped(client, uploaded(client, attending, csv_bytes(rows)))
    calls = []
    real = services._price_from_rows

    def failing(*args):
        calls.append(1)
        if len(calls) == 600:  # after the first batch of encounters was written
            raise RuntimeError("database went away")
        return real(*args)

    monkeypatch.setattr(services, "_price_from_rows", failing)

    with pytest.raises(RuntimeError):
        run(client, job)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert not ProcedureLog.objects.filter(user=attending).exists()
    assert not Encounter.objects.filter(user=attending).exists()
    assert not Location.objects.filter(user=attending).exists()


def test_likely_duplicates_are_flagged_and_can_be_skipped(client, attending, release):
    services.encounter_create(
        user=attending,
        details=services.EntryDetails(date=TODAY() - dt.timedelta(days=5), setting="non_facility"),
        lines=[LineSpec("99213", ("25",))],
        release=release,
    )
    job = mapped(client, uploaded(client, attending, csv_bytes(good_rows())))

    html = preview_html(client, job)
    assert "1 likely duplicate." in html
    assert f"<td>4</td><td>{days_ago(5)}</td><td>99213-25</td>" in html

    job = run(client, job, skip_duplicates=True)

    assert job.rows_imported == 3
    assert "1 likely duplicate was skipped." in job.message
    assert ProcedureLog.objects.filter(user=attending, code__code="99213").count() == 1


def test_an_xlsx_from_a_spreadsheet_imports_with_real_dates_and_numbers(client, attending, release):
    day = TODAY() - dt.timedelta(days=4)
    rows = [
        [dt.datetime(day.year, day.month, day.day), 27447, 50, 1, "Facility", "Main OR", "", ""],
        [dt.datetime(day.year, day.month, day.day), 20610, None, 2, None, "Main OR", None, None],
    ]
    job = mapped(client, uploaded(client, attending, xlsx_bytes(rows), "export.xlsx"))

    job = run(client, job)

    assert job.status == ImportJob.Status.DONE, job.errors
    logs = ProcedureLog.objects.filter(user=attending).order_by("code__code")
    assert [(log.code.code, log.modifiers, log.units, log.date) for log in logs] == [
        ("20610", "", 2, day),
        ("27447", "50", 1, day),
    ]


def test_our_csv_export_imports_back_into_another_account(client, attending, other_user, release):
    main = Location.objects.create(user=attending, name="Main OR")
    for days, lines in [
        (2, [LineSpec("27447", ("50",)), LineSpec("20610")]),
        (9, [LineSpec("99213")]),
    ]:
        services.encounter_create(
            user=attending,
            details=services.EntryDetails(
                date=TODAY() - dt.timedelta(days=days), setting="facility", location=main
            ),
            lines=lines,
            release=release,
        )
    client.force_login(attending)
    body = b"".join(client.get(reverse("tracking:export", args=["csv"])).streaming_content)

    job = run(client, mapped(client, uploaded(client, other_user, body)))

    assert job.status == ImportJob.Status.DONE, job.errors

    def entries(user):
        return sorted(
            ProcedureLog.objects.filter(user=user).values_list(
                "date", "code__code", "modifiers", "units", "setting", "location__name",
                "role", "raw", "medicare", "policy", "release__name",
            )
        )  # fmt: skip

    assert entries(other_user) == entries(attending)


def test_a_job_runs_once(client, attending, release):
    job = run(client, mapped(client, uploaded(client, attending, csv_bytes(good_rows()))))

    again = imports.import_job_run(job_pk=job.pk)
    response = client.post(reverse("tracking:import_run", args=[job.pk]), {"mode": "valid_rows"})

    assert again.status == ImportJob.Status.DONE
    assert response.status_code == 302
    assert ProcedureLog.objects.filter(user=attending).count() == 4


def test_the_uploaded_file_is_deleted_when_the_import_finishes(client, attending, release):
    job = mapped(client, uploaded(client, attending, csv_bytes(good_rows())))
    assert bytes(job.data).startswith(b"Date,Code")

    job = run(client, job)

    assert job.status == ImportJob.Status.DONE
    assert bytes(ImportJob.objects.get(pk=job.pk).data) == b""


def test_a_run_whose_worker_died_is_taken_over_and_a_live_one_is_left_alone(
    client, attending, release, monkeypatch
):
    monkeypatch.setattr(jobs, "LOCK_WAIT", 0.5)
    job = mapped(client, uploaded(client, attending, csv_bytes(good_rows())))
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", started_at=timezone.now(), attempts=1, mode="valid_rows"
    )

    with worker_alive(job):  # its worker still holds the job
        assert imports.import_job_run(job_pk=job.pk).status == ImportJob.Status.RUNNING
    assert not ProcedureLog.objects.exists()

    # The worker died (its lock went with its connection): a redelivered task takes over.
    job = imports.import_job_run(job_pk=job.pk)

    assert (job.status, job.attempts) == (ImportJob.Status.DONE, 2)
    assert "It took 2 runs" in job.message
    assert ProcedureLog.objects.filter(user=attending).count() == 4


def test_the_progress_fragment_polls_until_the_job_is_finished(client, attending, release):
    job = mapped(client, uploaded(client, attending, csv_bytes(good_rows())))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    from django.core.cache import cache

    cache.set(imports.progress_key(job.pk), 3)
    url = reverse("tracking:import_progress", args=[job.pk])

    with worker_alive(job):
        running = client.get(url).content.decode()
    assert f'hx-get="{url}"' in running and "3 of 4 rows" in running

    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, message="Imported 4 of 4 rows."
    )
    done = client.get(url).content.decode()
    assert "hx-get" not in done and "Imported 4 of 4 rows." in done


# A large file through a real Celery worker -----------------------------------------------------


@pytest.fixture
def celery_worker(transactional_db):
    assert not app.conf.task_always_eager, "worker tests need REDIS_URL"
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


@pytest.fixture
def finished_tasks():
    done = queue.Queue()

    def record(sender=None, state=None, retval=None, **kwargs):
        done.put((sender.name, state, retval))

    task_postrun.connect(record, weak=False)
    yield done
    task_postrun.disconnect(record)


@pytest.mark.celery_worker
def test_a_large_file_is_imported_by_a_celery_task_with_progress(
    celery_worker, finished_tasks, client, attending, release
):
    codes = ["99213", "99214", "20610", "27447", "47562", "19303", "45380"]
    rows = [
        [days_ago(1 + i // 5), codes[i % len(codes)], "", "1", "", f"Site {i % 3}", "", ""]
        for i in range(2_500)
    ]
    job = mapped(client, uploaded(client, attending, csv_bytes(rows)))
    assert job.rows_total == 2_500 > imports.async_threshold()

    job = run(client, job)
    assert job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING, ImportJob.Status.DONE)
    page = client.get(reverse("tracking:import_job", args=[job.pk])).content.decode()
    name, state, result = finished_tasks.get(timeout=120)

    assert (name, state) == ("tracking.tasks.run_import_job", "SUCCESS"), result
    assert result == {"job": job.pk, "status": "done", "imported": 2_500}
    assert 'id="import-progress"' in page
    job.refresh_from_db()
    assert (job.rows_done, job.rows_imported) == (2_500, 2_500)
    assert ProcedureLog.objects.filter(user=attending).count() == 2_500
    progress = client.get(reverse("tracking:import_progress", args=[job.pk])).content.decode()
    assert "Imported 2500 of 2500 rows as 2500 encounters with RVU25D." in progress
    assert "hx-get" not in progress


def test_staff_see_import_jobs_in_the_admin_without_the_file(admin_client, job):
    changelist = admin_client.get(reverse("admin:tracking_importjob_changelist"))
    detail = admin_client.get(reverse("admin:tracking_importjob_change", args=[job.pk]))

    assert changelist.status_code == detail.status_code == 200
    assert "procedures.csv" in changelist.content.decode()
    assert "47562" not in detail.content.decode()  # the rows of the file are not shown


# Place of service ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "setting", "location"),
    [
        (["Date", "CPT", "Place"], "Place", None),
        (["Date", "CPT", "POS"], "POS", None),
        (["Date", "CPT", "Place of service", "Location"], "Place of service", "Location"),
        (["DOS", "CPT", "Setting", "Facility"], "Setting", "Facility"),
        (["DOS", "CPT", "Location type", "Location"], "Location type", "Location"),
        (["DOS", "CPT", "POS Code", "Site"], "POS Code", "Site"),
    ],
)
def test_a_place_or_pos_column_is_the_setting_not_the_location(headers, setting, location):
    columns = imports.guess_columns(headers)

    assert columns.get("setting") == setting
    assert columns.get("location") == location


def test_an_office_place_column_prices_every_row_in_the_office(client, attending, release):
    # The issue: a "Place" column of "Office" kept "facility" on every row.
    rows = [[days_ago(2), "99213", "Office"], [days_ago(2), "20610", "office"]]
    job = mapped(client, uploaded(client, attending, csv_bytes(rows, ["Date", "CPT", "Place"])))

    html = preview_html(client, job)
    job = run(client, job)

    assert "Office (POS 11) → non-facility" in html
    assert job.status == ImportJob.Status.DONE, job.errors
    assert set(ProcedureLog.objects.filter(user=attending).values_list("setting", flat=True)) == {
        "non_facility"
    }
    assert not Location.objects.filter(user=attending).exists()


def test_pos_codes_and_words_are_read_and_shown_with_their_names(client, attending, release):
    rows = [
        [days_ago(2), "99213", "11"],
        [days_ago(2), "27447", "21"],
        [days_ago(2), "20610", "ASC"],
        [days_ago(2), "99214", "POS 22"],
        [days_ago(2), "47562", "ED"],
        [days_ago(2), "99213", "30"],
        [days_ago(2), "99213", "Moon base"],
    ]
    job = mapped(client, uploaded(client, attending, csv_bytes(rows, ["DOS", "CPT", "POS"])))

    html = preview_html(client, job)

    for shown in [
        "11 Office → non-facility",
        "21 Inpatient hospital → facility",
        "ASC (POS 24) → facility",
        "22 On campus-outpatient hospital → facility",
        "ED (POS 23) → facility",
    ]:
        assert shown in html
    assert "“30”: 30 is not a CMS place-of-service code." in html
    assert "“Moon base” is not a place of service" in html
    job = run(client, job)
    settings = dict(
        ProcedureLog.objects.filter(user=attending).values_list("code__code", "setting")
    )
    assert settings == {
        "99213": "non_facility", "27447": "facility", "20610": "facility", "99214": "facility",
        "47562": "facility",
    }  # fmt: skip


# Encounters ------------------------------------------------------------------------------------


# Two patients the same day (one of them twice), and the first patient again another day.
def patient_rows() -> list[list[str]]:
    return [
        ["MRN-1001", days_ago(2), "19303"],
        ["MRN-1001", days_ago(2), "47562"],
        ["MRN-2002", days_ago(2), "47562"],
        ["mrn-1001 ", days_ago(3), "47562"],
    ]


def credits(user):
    return sorted(
        ProcedureLog.objects.filter(user=user).values_list("date", "code__code", "medicare")
    )


def test_rows_of_one_patient_and_date_are_one_encounter(client, attending, release):
    body = csv_bytes(patient_rows(), ["MRN", "Date of service", "CPT"])
    job = uploaded(client, attending, body)
    assert job.columns["encounter"] == "MRN"
    job = mapped(client, job)

    html = preview_html(client, job)
    job = run(client, job)

    assert "The valid rows form <strong>3 encounters</strong>" in html
    assert "rows of the same “MRN” and date" in html
    assert "Imported 4 of 4 rows as 3 encounters with RVU25D." in job.message
    assert Encounter.objects.filter(user=attending).count() == 3
    two, three = TODAY() - dt.timedelta(days=2), TODAY() - dt.timedelta(days=3)
    # 19303 and 47562 of the first patient are ranked together: 47562 at 50%.
    assert credits(attending) == [
        (three, "47562", D("10.4700")),
        (two, "19303", D("15.0000")),
        (two, "47562", D("5.2350")),
        (two, "47562", D("10.4700")),
    ]


def test_without_a_patient_column_each_row_is_its_own_encounter(client, attending, release):
    body = csv_bytes([row[1:] for row in patient_rows()], ["Date of service", "CPT"])
    job = mapped(client, uploaded(client, attending, body))

    html = preview_html(client, job)
    job = run(client, job)

    assert "The valid rows form <strong>4 encounters</strong>" in html
    assert "each row is its own encounter" in html
    assert Encounter.objects.filter(user=attending).count() == 4
    assert [medicare for _, code, medicare in credits(attending) if code == "47562"] == [
        D("10.4700")
    ] * 3


def test_patient_references_group_rows_and_are_stored_nowhere(client, attending, release):
    body = csv_bytes(
        [*patient_rows(), ["MRN-3003", days_ago(2), "99999"]], ["Patient ref", "Date", "Code"]
    )
    job = mapped(client, uploaded(client, attending, body))

    html = preview_html(client, job)
    job = run(client, job)

    assert job.status == ImportJob.Status.DONE
    assert "MRN-" not in html.replace("“MRN", "")
    stored = [
        repr(list(ImportJob.objects.filter(pk=job.pk).values("errors", "message", "columns"))),
        repr(list(ProcedureLog.objects.values("note", "supervising_attending"))),
        repr(list(LogChange.objects.values("before", "after"))),
        repr(list(ImportMapping.objects.values("columns"))),
        repr(list(Location.objects.values("name"))),
    ]
    assert not any("1001" in text or "3003" in text for text in stored), stored
    assert bytes(ImportJob.objects.get(pk=job.pk).data) == b""


def test_one_patient_and_date_in_two_settings_are_two_encounters():
    rows = [
        imports.check_row(
            line, {"date": "2026-03-01", "code": "99213", "setting": setting, "encounter": "E7"},
            codes=CODES, today=dt.date(2026, 6, 1), release_name="R", location_settings={},
        )
        for line, setting in [(2, "23"), (3, "23"), (4, "11")]
    ]  # fmt: skip

    groups = imports.encounter_groups(rows)

    assert [[row.line for row in group] for group in groups] == [[2, 3], [4]]
    assert all(row.encounter_key and "E7" not in row.encounter_key for row in rows)


# Counts in words -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (
            {"imported": 1, "rows": 1, "encounters": 1},
            "Imported 1 of 1 row as 1 encounter with RVU26C.",
        ),
        (
            {"imported": 3, "rows": 5, "encounters": 2, "bad": 1, "skipped": 1},
            "Imported 3 of 5 rows as 2 encounters with RVU26C. 1 row with an error was left out. "
            "1 likely duplicate was skipped.",
        ),
        (
            {"imported": 3, "rows": 7, "encounters": 3, "bad": 2, "skipped": 2, "attempts": 2},
            "Imported 3 of 7 rows as 3 encounters with RVU26C. 2 rows with errors were left out. "
            "2 likely duplicates were skipped. It took 2 runs: the worker of an earlier one "
            "stopped.",
        ),
    ],
)
def test_the_outcome_counts_are_worded_for_their_number(counts, message):
    assert imports.outcome_message(release_name="RVU26C", **counts) == message


@pytest.mark.parametrize(
    ("bad_rows", "shown"),
    [(1, "<strong>1 valid</strong>, <strong class=\"text-danger\">1 with an error</strong>"),
     (2, "<strong>1 valid</strong>, <strong class=\"text-danger\">2 with errors</strong>")],
)  # fmt: skip
def test_the_preview_counts_are_worded_for_their_number(
    client, attending, release, bad_rows, shown
):
    rows = [[days_ago(1), "99213"]] + [[days_ago(1), "99999"]] * bad_rows
    job = mapped(client, uploaded(client, attending, csv_bytes(rows, ["Date", "Code"])))

    html = " ".join(preview_html(client, job).split())

    assert f"{1 + bad_rows} rows: {shown}, 0 likely duplicates." in html
    assert "The valid rows form <strong>1 encounter</strong>" in html


def test_a_location_column_of_places_of_service_is_pointed_out(client, attending, release):
    # A mapping remembered from before the guess was fixed: "Place" as the location.
    ImportMapping.objects.create(user=attending, columns={"date": "Date", "location": "Place"})
    rows = [[days_ago(2), "99213", "Office"], [days_ago(2), "20610", "11"]]
    job = uploaded(client, attending, csv_bytes(rows, ["Date", "CPT", "Place"]))
    assert job.columns == {"date": "Date", "code": "CPT", "location": "Place"}
    job = mapped(client, job)

    html = preview_html(client, job)

    assert 'id="import-place-warning"' in html
    assert "holds places of service (11, Office)" in html
    remapped = mapped(client, job, {"date": "Date", "code": "CPT", "setting": "Place"})
    assert 'id="import-place-warning"' not in preview_html(client, remapped)


def test_a_location_column_of_real_names_is_left_alone():
    rows = [
        imports.check_row(
            2, {"date": "2026-03-01", "code": "99213", "location": name},
            codes=CODES, today=dt.date(2026, 6, 1), release_name="R", location_settings={},
        )
        for name in ("Office", "St Mary's")
    ]  # fmt: skip

    assert imports.places_in_location(rows, {"location": "Site"}) == []
    assert imports.places_in_location(rows[:1], {"location": "Site"}) == ["Office"]
    assert imports.places_in_location(rows[:1], {"location": "Site", "setting": "POS"}) == []


@pytest.mark.parametrize(
    ("written", "role"),
    [
        ("Surgeon Chief", "surgeon_chief"),
        ("surgeon_junior", "surgeon_junior"),
        ("Teaching Assistant", "teaching_assistant"),
        ("TA", "teaching_assistant"),
        ("First Assistant", "first_assistant"),
        ("first assist", "first_assistant"),
        ("Assistant", "assisted"),
        ("Observer", "observed"),
    ],
)
def test_case_log_roles_are_read_as_case_logs_write_them(written, role):
    row = imports.check_row(
        2,
        {"date": "2025-03-01", "code": "27447", "role": written},
        codes=CODES,
        today=dt.date(2026, 6, 1),
        release_name="RVU25D",
        location_settings={},
    )

    assert row.ok, row.errors
    assert row.role == role
