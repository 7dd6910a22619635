"""Writes of statements: upload, choose columns and period, reconcile (a tracking.jobs job),
delete. The reading is statements.reading, the matching statements.matching and the reasons
statements.explain; this module puts them together and stores the lines and totals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rvuedge import rounding
from rvuedge.words import counted, plural
from statements import explain, matching, reading, selectors
from statements.models import Statement, StatementLine, StatementMapping
from statements.tasks import run_statement_job
from tracking import jobs
from tracking.portability.tables import read_upload

MAX_BYTES = 10 * 1024 * 1024
ASYNC_ROWS = 2_000
ZERO = Decimal(0)
# Errors listed on the page and in the API's 400: enough to fix a file, never the whole of it.
ERRORS_KEPT = 500


class RowErrors(ValidationError):
    """The statement's rows that cannot be read: [{"row": line, "errors": [...]}]."""

    def __init__(self, rows: list[dict], total: int):
        self.rows = rows[:ERRORS_KEPT]
        self.total = total
        super().__init__(
            f"{counted(total, 'row')} of the statement cannot be read: "
            f"{plural(total, 'fix it', 'fix them')} and upload the file again, or choose other "
            "columns."
        )


def async_threshold() -> int:
    return getattr(settings, "STATEMENTS_ASYNC_ROWS", ASYNC_ROWS)


def max_bytes() -> int:
    return getattr(settings, "STATEMENTS_MAX_BYTES", MAX_BYTES)


# Upload and columns -----------------------------------------------------------------------------


def statement_create(*, user, upload) -> Statement:
    """Keep an uploaded statement after checking its type, size and that it reads as a table
    with at least one row under its header; the columns are guessed (or remembered) and a
    period stated in its title block is kept."""
    name, file_type, data = read_upload(
        upload, types=tuple(Statement.FileType.values), max_bytes=max_bytes()
    )
    table = reading.read_statement(data, file_type)
    total = sum(1 for _ in table.rows)  # stops with a ValidationError past the row limit
    if total == 0:
        raise ValidationError("The statement has a header but no rows under it.")
    remembered = (
        StatementMapping.objects.filter(user=user).values_list("columns", flat=True).first()
    )
    titled = reading.period_in_title(table.preamble)
    return Statement.objects.create(
        user=user,
        filename=name[:255],
        file_type=file_type,
        data=data,
        headers=table.headers,
        columns=reading.guess_columns(table.headers, remembered),
        rows_total=total,
        period_from=titled[0] if titled else None,
        period_to=titled[1] if titled else None,
        period_note="from the statement's title" if titled else "",
    )


def check_columns(statement: Statement, columns: dict[str, str]) -> dict[str, str]:
    """The columns, checked: the required ones chosen, each a column of the file, none twice."""
    unknown_fields = [name for name in columns if name not in reading.FIELDS]
    if unknown_fields:
        raise ValidationError(f"{unknown_fields[0]!r} is not a statement field.")
    missing = [reading.FIELDS[name] for name in reading.REQUIRED if not columns.get(name)]
    if missing:
        raise ValidationError(f"Choose the column for: {', '.join(missing)}.")
    unknown = [header for header in columns.values() if header and header not in statement.headers]
    if unknown:
        raise ValidationError(f"The file has no column {unknown[0]!r}.")
    used = [header for header in columns.values() if header]
    if len(used) != len(set(used)):
        raise ValidationError("Each column can hold one field only.")
    return {name: header for name, header in columns.items() if header}


@dataclass(frozen=True)
class Period:
    start: dt.date | None = None
    end: dt.date | None = None


def statement_prepare(*, statement: Statement, columns: dict[str, str], period: Period) -> None:
    """Use these columns and period: every row is read now, and any that cannot be read (or
    falls outside the period) stops here with RowErrors, before anything is reconciled. The
    columns are remembered for the user's next statement. Without a period the statement's title
    gives it, else its first and last dates of service."""
    if statement.status != Statement.Status.MAPPING:
        raise ValidationError("This statement has already been reconciled.")
    if (period.start is None) != (period.end is None):
        raise ValidationError("Give the period's first and last days, or neither.")
    if period.start and period.start > period.end:
        raise ValidationError("The period must end on or after the day it starts.")
    statement.columns = check_columns(statement, columns)
    rows, skipped = _read_rows(statement)
    _set_period(statement, rows, period)
    bad = _outside(rows, statement) + reading.row_errors(rows)
    if bad:
        raise RowErrors(sorted(bad, key=lambda item: item["row"]), len(bad))
    if not rows:
        raise ValidationError("No row of the statement is a line (a date, a code and a wRVU).")
    statement.rows_skipped = skipped
    statement.save(
        update_fields=["columns", "period_from", "period_to", "period_note", "rows_skipped"]
    )
    StatementMapping.objects.update_or_create(
        user=statement.user, defaults={"columns": statement.columns}
    )


def _read_rows(statement: Statement, on_row=None):
    data, columns = bytes(statement.data), statement.columns
    records = reading.statement_records(data, statement.file_type, columns)
    return reading.check_rows(records, today=timezone.localdate(), on_row=on_row)


def _set_period(statement: Statement, rows: list[reading.StatementRow], period: Period) -> None:
    if period.start:
        statement.period_from, statement.period_to = period.start, period.end
        statement.period_note = ""
    elif statement.period_from is None:
        dates = [row.date for row in rows if row.date]
        if dates:
            statement.period_from, statement.period_to = min(dates), max(dates)
            statement.period_note = "from the first and last dates of service on the statement"


def _outside(rows: list[reading.StatementRow], statement: Statement) -> list[dict]:
    if statement.period_from is None:
        return []
    return [
        {
            "row": row.line,
            "errors": [f"{row.date:%Y-%m-%d} is outside the period ({statement.period_label})."],
        }
        for row in rows
        if row.ok and not statement.period_from <= row.date <= statement.period_to
    ]


def statement_start(*, statement: Statement) -> Statement:
    """Reconcile now, or queue a task when the file is large. The statement must be prepared."""
    claimed = Statement.objects.filter(
        pk=statement.pk, status=Statement.Status.MAPPING, period_from__isnull=False
    ).update(status=Statement.Status.QUEUED)
    if not claimed:
        raise ValidationError("This statement has already been reconciled.")
    statement.refresh_from_db()
    return _dispatch(statement)


def statement_again(*, statement: Statement) -> Statement:
    """Reconcile again after the worker running it died."""
    jobs.job_requeue(statement)
    return _dispatch(statement)


def _dispatch(statement: Statement) -> Statement:
    return jobs.job_dispatch(
        statement,
        task=run_statement_job,
        run=statement_reconcile,
        background=statement.rows_total > async_threshold(),
    )


def statement_delete(*, statement: Statement) -> None:
    statement.delete()


# Reconciling ------------------------------------------------------------------------------------


def statement_reconcile(*, job_pk: int) -> Statement:
    """Read the statement, match it to the log, explain each difference, and store the lines
    and totals with the outcome (tracking.jobs: safe to run twice; the file is deleted when it
    ends)."""
    return jobs.job_run(Statement, job_pk, prepare=_reconcile, write=_write)


@dataclass
class _Plan:
    lines: list[StatementLine]


def _reconcile(statement: Statement) -> _Plan | jobs.Outcome:
    rows, _ = _read_rows(statement, on_row=lambda done: _progress(statement, done))
    bad = reading.row_errors(rows) + _outside(rows, statement)
    if bad:
        message = f"{counted(len(bad), 'row')} cannot be read."
        return jobs.Outcome(Statement.Status.FAILED, message, {"errors": bad[:ERRORS_KEPT]})
    found = selectors.window(statement.user, statement.period_from, statement.period_to)
    matches = matching.match(rows, found.entries)
    differs = any(m.status != matching.Status.MATCHED for m in matches)
    context = selectors.explain_context(statement.user, found) if differs else None
    has_modifiers = bool(statement.columns.get("modifiers")) or any(r.modifiers for r in rows)
    lines = [
        _line(statement, position, found_match, context, has_modifiers)
        for position, found_match in enumerate(matches, start=1)
    ]
    return _Plan(lines)


def _progress(statement: Statement, done: int) -> None:
    if done % 200 == 0:
        jobs.progress_set(statement, min(done, statement.rows_total))


def _line(statement, position: int, found: matching.Match, context, has_modifiers) -> StatementLine:
    status = found.status
    reason = (
        explain.explain(found, context, has_modifiers=has_modifiers)
        if context is not None
        else explain.Explanation("", "")
    )
    owed, owed_medicare = _owed(found)
    first = found.rows[0] if found.rows else None
    entries = found.entries
    return StatementLine(
        statement=statement,
        position=position,
        status=status.value,
        date=found.date,
        log_date=found.log_date,
        code=found.code,
        modifiers="-".join(found.credits[0].modifiers if found.credits else entries[0].modifiers)[
            :40
        ],
        log_modifiers="-".join(entries[0].modifiers) if entries else "",
        units=found.statement_units if found.credits else found.log_units,
        log_units=found.log_units,
        statement_wrvu=found.statement_wrvu,
        log_wrvu=found.policy,
        log_medicare_wrvu=found.medicare,
        owed_wrvu=owed,
        owed_medicare_wrvu=owed_medicare,
        rule=reason.rule,
        reason=reason.reason,
        note=found.note[:300],
        release=", ".join(sorted({e.release for e in entries}))[:40],
        statement_rows=[row.line for row in found.rows],
        entries=[e.id for e in entries],
        provider=first.provider if first else "",
        location=first.location if first else "",
    )


def _owed(found: matching.Match) -> tuple[Decimal, Decimal]:
    """What the statement owes on the line, under the user's policy and Medicare-style: the log
    minus the statement where they differ (to the statement's rounding), for lines the log has;
    a line not in the log owes nothing either way."""
    if not found.entries:
        return ZERO, ZERO
    theirs = found.statement_wrvu or ZERO
    owed = []
    for ours in (found.policy, found.medicare):
        differs = not found.credits or not matching.agrees(
            theirs, ours, found.places, len(found.rows)
        )
        owed.append(rounding.credit(ours - theirs) if differs else ZERO)
    return owed[0], owed[1]


def _write(statement: Statement, plan: _Plan) -> jobs.Outcome:
    StatementLine.objects.filter(statement=statement).delete()
    StatementLine.objects.bulk_create(plan.lines)
    fields = totals(plan.lines) | {"rows_done": statement.rows_total}
    counts = fields["counts"]
    message = (
        f"Reconciled {counted(len(plan.lines), 'line')}: {counts['matched']} matched, "
        f"{counts['differs']} credited differently, {counts['missing_from_statement']} missing "
        f"from the statement, {counts['not_in_log']} not in your log."
    )
    return jobs.Outcome(Statement.Status.DONE, message, fields)


def totals(lines: list[StatementLine]) -> dict:
    """The statement's totals: sums of its stored lines."""

    def total(name):
        return sum((getattr(line, name) or ZERO for line in lines), ZERO)

    return {
        "counts": {s.value: sum(1 for line in lines if line.status == s) for s in matching.Status},
        "statement_wrvu": total("statement_wrvu"),
        "log_wrvu": total("log_wrvu"),
        "log_medicare_wrvu": total("log_medicare_wrvu"),
        "owed_wrvu": total("owed_wrvu"),
        "owed_medicare_wrvu": total("owed_medicare_wrvu"),
    }


def _with_guesses(guessed: dict[str, str], given: dict[str, str] | None) -> dict[str, str]:
    """The columns given, and the guessed ones for the other fields (unless a given field took
    their column)."""
    if not given:
        return guessed
    taken = set(given.values())
    return {k: v for k, v in guessed.items() if v not in taken and k not in given} | given


@transaction.atomic
def statement_submit(*, user, upload, columns: dict | None, period: Period) -> Statement:
    """Upload, columns and period in one step (the API): the statement is kept only if every
    row reads (else RowErrors, or a ValidationError keyed "file" or "mapping"). Start it with
    statement_start once this transaction has committed."""
    try:
        statement = statement_create(user=user, upload=upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    try:
        statement_prepare(
            statement=statement, columns=_with_guesses(statement.columns, columns), period=period
        )
    except RowErrors:
        raise
    except ValidationError as exc:
        raise ValidationError({"mapping": exc.messages}) from exc
    return statement
