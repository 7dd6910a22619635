"""A month with planted differences of every kind, reconciled from each layout employers send:
every line ends in the right status with the right reason, and the summary's owed wRVU is the
sum of the differences."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from statements import services
from statements.models import Statement, StatementMapping
from statements.tasks import run_statement_job
from tracking.models import ProcedureLog

from . import month

pytestmark = pytest.mark.django_db

OCTOBER = services.Period(dt.date(2025, 10, 1), dt.date(2025, 10, 31))


@pytest.fixture
def logged(attending, rvu26c):
    month.log_month(attending, rvu26c)
    return attending


def upload(body: bytes, name: str):
    return SimpleUploadedFile(name, body)


NO_PERIOD = services.Period()


def reconcile(user, body, name, *, period=NO_PERIOD, columns=None) -> Statement:
    statement = services.statement_create(user=user, upload=upload(body, name))
    statement = Statement.objects.get(pk=statement.pk)
    services.statement_prepare(
        statement=statement, columns=columns or statement.columns, period=period
    )
    services.statement_start(statement=statement)
    return Statement.objects.get(pk=statement.pk)


def outcome(statement):
    return {
        (line.date.day, line.code): (line.status, line.rule, line.owed_wrvu)
        for line in statement.lines.all()
    }


LAYOUTS = [
    pytest.param(month.csv_per_line, "october.csv", OCTOBER, id="csv-a-row-per-line"),
    pytest.param(
        month.csv_per_code_and_day, "october.csv", OCTOBER, id="csv-a-row-per-code-and-day"
    ),
    pytest.param(month.xlsx_with_title, "october.xlsx", services.Period(), id="xlsx-under-a-title"),
    pytest.param(month.pdf_text_table, "october.pdf", services.Period(), id="pdf-text-table"),
]


@pytest.mark.parametrize(("make", "name", "period"), LAYOUTS)
def test_every_line_ends_in_the_right_status_with_the_right_reason(logged, make, name, period):
    statement = reconcile(logged, make(), name, period=period)

    assert statement.status == Statement.Status.DONE, statement.message
    assert (statement.period_from, statement.period_to) == (OCTOBER.start, OCTOBER.end)
    assert outcome(statement) == month.EXPECTED
    owed = sum(item[2] for item in month.EXPECTED.values())
    assert statement.owed_wrvu == owed == sum(line.owed_wrvu for line in statement.lines.all())
    assert statement.counts == {
        "matched": 9, "differs": 10, "missing_from_statement": 2, "not_in_log": 1,
    }  # fmt: skip


def test_the_totals_are_sums_of_the_stored_lines_kept_to_four_places(logged):
    statement = reconcile(logged, month.csv_per_line(), "october.csv", period=OCTOBER)
    lines = list(statement.lines.all())
    logged_total = sum(ProcedureLog.objects.filter(user=logged).values_list("medicare", flat=True))

    assert statement.statement_wrvu == sum(D(r.wrvu) for r in month.ROWS)
    assert statement.log_wrvu == logged_total  # every entry is in the period
    assert statement.log_medicare_wrvu == sum(line.log_medicare_wrvu or 0 for line in lines)
    co_surgeon = next(line for line in lines if line.code == "22551" and line.modifiers == "62")
    assert co_surgeon.log_wrvu == D("15.6250") and co_surgeon.owed_wrvu == D("3.1250")
    assert statement.owed_medicare_wrvu == statement.owed_wrvu  # no policy of their own


def test_each_line_keeps_what_both_sides_said(logged):
    statement = reconcile(logged, month.csv_per_line(), "october.csv", period=OCTOBER)
    lines = {(line.date.day, line.code): line for line in statement.lines.all()}

    late = lines[(7, "99214")]
    assert late.log_date == dt.date(2025, 10, 6) and late.off_by_one
    assert "matched a day apart" in late.note
    merged = lines[(8, "99213")]
    assert (merged.units, merged.log_units, len(merged.entries)) == (3, 3, 3)
    split = lines[(27, "22552")]
    assert (split.statement_rows, split.units, split.log_units) == ([20, 21], 2, 2)
    dropped = lines[(23, "27447")]
    assert (dropped.modifiers, dropped.log_modifiers) == ("", "50")
    assert dropped.reason.startswith("The statement drops modifier 50 from 27447")
    assert lines[(16, "47562")].release == "RVU25D"
    assert "RVU26C's work RVU" in lines[(16, "47562")].reason
    assert "Alaska (AK)" in lines[(24, "44970")].reason
    assert lines[(13, "99214")].log_wrvu is None and lines[(13, "99214")].provider == "Dr Test"
    assert lines[(9, "99213")].statement_wrvu is None


def test_the_file_is_deleted_once_reconciled_and_the_columns_remembered(logged):
    statement = reconcile(logged, month.csv_per_line(), "october.csv", period=OCTOBER)

    assert bytes(statement.data) == b""
    assert StatementMapping.objects.get(user=logged).columns == {
        "date": "Service Date", "code": "CPT", "modifiers": "Modifier", "units": "Units",
        "wrvu": "wRVU", "encounter": "Encounter #", "provider": "Provider",
    }  # fmt: skip
    # the encounter references are read to be told apart, never stored
    assert "E0001" not in str(list(statement.lines.values()))


def test_without_a_period_the_statements_first_and_last_dates_are_used(logged):
    statement = reconcile(logged, month.csv_per_line(), "october.csv")

    assert (statement.period_from, statement.period_to) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 10, 28),
    )
    assert "first and last dates of service" in statement.period_note
    assert (29, "99214") not in outcome(statement)  # after the period


def test_a_row_outside_the_period_stops_before_anything_is_reconciled(logged):
    statement = services.statement_create(user=logged, upload=upload(month.csv_per_line(), "o.csv"))
    statement = Statement.objects.get(pk=statement.pk)

    with pytest.raises(services.RowErrors) as caught:
        services.statement_prepare(
            statement=statement,
            columns=statement.columns,
            period=services.Period(dt.date(2025, 10, 2), dt.date(2025, 10, 31)),
        )

    assert caught.value.rows == [
        {"row": 2, "errors": ["2025-10-01 is outside the period (2025-10-02 to 2025-10-31)."]}
    ]
    statement.refresh_from_db()
    assert statement.status == Statement.Status.MAPPING and not statement.lines.exists()


def test_a_large_statement_is_reconciled_by_the_job_with_its_progress(
    logged, settings, django_capture_on_commit_callbacks
):
    settings.STATEMENTS_ASYNC_ROWS = 5  # queued as a task once the transaction commits
    with django_capture_on_commit_callbacks() as queued:
        statement = reconcile(logged, month.csv_per_line(), "october.csv", period=OCTOBER)
    assert statement.status == Statement.Status.QUEUED and len(queued) == 1

    assert run_statement_job(statement.pk) == {"statement": statement.pk, "status": "done"}
    assert run_statement_job(statement.pk)["status"] == "done"  # a redelivery changes nothing
    statement.refresh_from_db()

    assert statement.status == Statement.Status.DONE
    assert statement.rows_done == statement.rows_total == len(month.ROWS) + 1
    assert outcome(statement) == month.EXPECTED


def test_reconciling_twice_is_refused(logged):
    statement = reconcile(logged, month.csv_per_line(), "october.csv", period=OCTOBER)

    with pytest.raises(Exception, match="already been reconciled"):
        services.statement_start(statement=statement)
    assert statement.lines.count() == len(month.EXPECTED)


def test_an_empty_log_leaves_every_line_not_in_the_log(attending, rvu26c):
    statement = reconcile(attending, month.csv_per_line(), "october.csv", period=OCTOBER)

    assert {line.status for line in statement.lines.all()} == {"not_in_log"}
    assert statement.owed_wrvu == 0


def test_the_title_period_and_row_count_are_read_at_upload(attending, rvu26c):
    statement = services.statement_create(
        user=attending, upload=upload(month.xlsx_with_title(), "october.xlsx")
    )

    assert statement.rows_total == len(month.ROWS) + 1  # the total row is only skipped later
    assert (statement.period_from, statement.period_to) == (OCTOBER.start, OCTOBER.end)
    assert statement.period_note == "from the statement's title"
    assert statement.headers == month.HEADERS


def test_io_of_a_bytes_upload_is_read_once(attending, rvu26c):
    handle = io.BytesIO(month.csv_per_line())
    handle.name = "october.csv"
    handle.size = len(handle.getvalue())

    statement = services.statement_create(user=attending, upload=handle)

    assert statement.file_type == "csv"
