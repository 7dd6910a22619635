"""Import procedures from a CSV or XLSX file (an EHR export, another tracker's file, our own
export): read the table, map its columns to our fields, check every row, then save the rows
through the same validation and pricing as quick entry, all in one transaction.

Reading and checking rows are pure functions; `import_job_run` does the writing, as a job of
tracking.jobs. A file with more rows than TRACKING_IMPORT_ASYNC_ROWS is imported by a Celery task
(tracking.tasks).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from codes import releases
from codes.entry import release_codes
from codes.modifiers import read_modifiers
from codes.place_of_service import UnknownPlace, read_place
from codes.quick_entry import MAX_UNITS
from codes.wrvu import LineSpec, fee_rows, spec_problems
from rvuedge.words import counted, plural
from tracking import jobs, services
from tracking.models import ImportJob, ImportMapping, Location, ProcedureLog, Role, Setting
from tracking.phi import identifier_warnings
from tracking.portability.tables import cell_text, read_table, read_upload, table_records
from tracking.tasks import run_import_job

MAX_BYTES = 10 * 1024 * 1024
ASYNC_ROWS = 2_000

FIELDS = OrderedDict(
    [
        ("date", "Date of service"),
        ("code", "Code (CPT/HCPCS)"),
        ("modifiers", "Modifiers"),
        ("units", "Units"),
        ("setting", "Setting"),
        ("location", "Location"),
        ("role", "Role"),
        ("attending", "Supervising attending"),
        ("note", "Note"),
        ("encounter", "Encounter or patient reference"),
    ]
)
# What each field's select says on the mapping page, where the field needs explaining.
FIELD_HELP = {
    "setting": "A place-of-service code (11, 21, 22...) or words such as office, hospital, ASC.",
    "encounter": "Rows of the same patient or encounter and date are ranked together. Used only "
    "to group the rows: never stored.",
}
REQUIRED = ("date", "code")
# Normalised header names (letters and digits only) that name each field, best first.
SYNONYMS = {
    "date": [
        "date", "dateofservice", "dos", "servicedate", "proceduredate", "dateperformed",
        "encounterdate", "visitdate", "casedate", "surgerydate",
    ],
    "code": [
        "code", "cpt", "cptcode", "hcpcs", "hcpcscode", "cpthcpcs", "procedurecode",
        "cptcodes", "billingcode", "procedure",
    ],
    "modifiers": ["modifiers", "modifier", "mod", "mods", "cptmodifier", "modifier1"],
    "units": ["units", "unit", "qty", "quantity", "serviceunits", "count"],
    "setting": [
        "setting", "placeofservice", "pos", "place", "locationtype", "poscode",
        "placeofservicecode", "facilitytype", "servicesetting", "sitetype", "servicelocationtype",
    ],
    "location": ["location", "site", "hospital", "facility", "facilityname", "clinic"],
    "role": ["role", "myrole", "surgeonrole", "participation", "residentrole"],
    "attending": [
        "supervisingattending", "attending", "supervisor", "supervising", "attendingname",
        "staff", "supervisingphysician",
    ],
    "note": ["note", "notes", "comment", "comments", "remarks"],
    # Read only to group rows into encounters (encounters_from_rows); the values are never kept.
    "encounter": [
        "encounter", "encounterid", "encounternumber", "visit", "visitid", "visitnumber",
        "patient", "patientid", "patientref", "patientreference", "mrn", "medicalrecordnumber",
        "account", "accountnumber", "acct", "fin", "csn", "case", "caseid", "casenumber",
    ],
}  # fmt: skip
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d", "%m-%d-%Y", "%d-%b-%Y", "%b %d %Y")
ROLES = {
    "performed": Role.PERFORMED,
    "perform": Role.PERFORMED,
    "primary": Role.PERFORMED,
    "surgeon": Role.PERFORMED,
    "primarysurgeon": Role.PERFORMED,
    "assisted": Role.ASSISTED,
    "assist": Role.ASSISTED,
    "assistant": Role.ASSISTED,
    # The case-log roles (ACGME), as exports of case-log systems write them.
    "surgeonchief": Role.SURGEON_CHIEF,
    "chief": Role.SURGEON_CHIEF,
    "surgeonjunior": Role.SURGEON_JUNIOR,
    "junior": Role.SURGEON_JUNIOR,
    "teachingassistant": Role.TEACHING_ASSISTANT,
    "ta": Role.TEACHING_ASSISTANT,
    "firstassist": Role.FIRST_ASSISTANT,
    "firstassistant": Role.FIRST_ASSISTANT,
    "observed": Role.OBSERVED,
    "observe": Role.OBSERVED,
    "observer": Role.OBSERVED,
    "teaching": Role.TEACHING,
    "teacher": Role.TEACHING,
    "taught": Role.TEACHING,
}


def async_threshold() -> int:
    return getattr(settings, "TRACKING_IMPORT_ASYNC_ROWS", ASYNC_ROWS)


def _key(text) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


# Reading ---------------------------------------------------------------------------------------


def guess_columns(
    headers: list[str],
    remembered: dict[str, str] | None = None,
    *,
    fields: dict[str, str] = FIELDS,
    synonyms: dict[str, list[str]] = SYNONYMS,
) -> dict[str, str]:
    """Our field -> the file's header: what the user chose last time where those headers are
    present, otherwise the header whose name says it (exact names first, then partial).
    `fields` and `synonyms` are the procedure import's unless given (an employer's statement
    has fields of its own: statements.reading)."""
    chosen: dict[str, str] = {}
    for name, header in (remembered or {}).items():
        if name in fields and header in headers:
            chosen[name] = header
    keys = {header: _key(header) for header in headers}
    for exact in (True, False):
        for name, words in synonyms.items():
            if name in chosen:
                continue
            taken = set(chosen.values())
            for word in words:
                match = next(
                    (
                        header
                        for header, key in keys.items()
                        if header not in taken
                        and (key == word if exact else _names_partly(name, word, key))
                    ),
                    None,
                )
                if match:
                    chosen[name] = match
                    break
    return {name: chosen[name] for name in fields if name in chosen}


# A header holding one of these is a date ("Encounter Date", "Patient DOB"): it names no other
# field, however it starts.
DATE_WORDS = ("date", "dob", "birth")


def _names_partly(name: str, word: str, key: str) -> bool:
    if name != "date" and any(part in key for part in DATE_WORDS):
        return False
    return len(word) > 3 and word in key


# Checking --------------------------------------------------------------------------------------


@dataclass
class RowCheck:
    """One row as read, with what is wrong with it."""

    line: int
    date: dt.date | None = None
    code: str = ""
    modifiers: tuple[str, ...] = ()
    units: int = 1
    setting: str = ""
    location: str = ""
    role: str = Role.PERFORMED
    attending: str = ""
    note: str = ""
    # How the setting was read, for the preview: "11 Office → non-facility".
    place: str = ""
    # A digest of the row's patient or encounter reference (the value itself is never kept):
    # rows sharing it and their date form one encounter. Empty: the row is its own encounter.
    encounter_key: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    duplicate: bool = False
    # The release pricing the row (that of its date of service), flagged when it is not the one
    # in effect on that date, with the reason.
    release: str = ""
    release_flag: str = ""
    release_note: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def label(self) -> str:
        return "-".join((self.code, *self.modifiers)) if self.code else ""

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role in Role.values else ""


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if re.match(r"^\d{4}-\d{2}-\d{2}[ T]", text):  # a date with a time of day
        text = text[:10]
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.replace(",", ""), fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


@dataclass(frozen=True)
class RowRelease:
    """The release that prices a row: its name and code set, and its flag for the row's date."""

    name: str
    codes: Iterable[str]
    flag: str = ""
    note: str = ""


def check_row(
    line: int,
    values: dict,
    *,
    today: dt.date,
    location_settings: dict[str, str],
    codes: Iterable[str] = (),
    release_name: str = "",
    release_for: Callable[[dt.date], RowRelease] | None = None,
) -> RowCheck:
    """Read one row; every problem is an error message naming the value. No database access:
    `release_for(date)` gives the release pricing a date of service (today's for a row without a
    readable date), or `codes` and `release_name` are the one release's code set and name;
    `location_settings` the user's locations (lower-cased name -> default setting)."""
    row = RowCheck(line)
    if any("\x00" in str(value) for value in values.values() if value is not None):
        row.errors.append(
            "A cell holds a NUL character (a damaged or binary export); retype the row."
        )
        return row
    _check_date(row, values.get("date"), today)
    release = release_for(row.date or today) if release_for else RowRelease(release_name, codes)
    row.release, row.release_flag, row.release_note = release.name, release.flag, release.note
    _check_code(row, values.get("code"), release.codes, release.name)
    _check_modifiers(row, values.get("modifiers"))
    _check_units(row, values.get("units"))
    _check_place(row, values, location_settings)
    _check_people(row, values)
    row.encounter_key = encounter_key(values.get("encounter"))
    return row


def encounter_key(value) -> str:
    """A digest standing for a patient or encounter reference ("" for none): enough to tell
    rows of the same patient apart from others, without keeping the reference (PHI)."""
    text = " ".join(cell_text(value).split()).casefold()
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest() if text else ""


def _check_date(row: RowCheck, raw, today: dt.date) -> None:
    if not cell_text(raw):
        row.errors.append("The date is missing.")
        return
    try:
        row.date = parse_date(raw)
    except ValueError:
        row.errors.append(f"“{cell_text(raw)}” is not a date (use YYYY-MM-DD or MM/DD/YYYY).")
        return
    if row.date > today:
        row.errors.append(f"{row.date:%Y-%m-%d} is in the future.")


def _check_code(row: RowCheck, raw, codes: Iterable[str], release_name: str) -> None:
    row.code = cell_text(raw).upper()
    if not row.code:
        row.errors.append("The code is missing.")
    elif row.code not in codes:
        row.errors.append(f"{row.code} is not a code in {release_name}.")


def _check_modifiers(row: RowCheck, raw) -> None:
    row.modifiers, errors = read_modifiers(cell_text(raw))
    row.errors += errors


def _check_units(row: RowCheck, raw) -> None:
    units = cell_text(raw)
    if not units:
        return
    try:
        number = Decimal(units)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        row.errors.append(f"Units “{units}” must be a whole number.")
    elif not 1 <= number <= MAX_UNITS:
        row.errors.append(f"Units {int(number)} are out of range (1 to {MAX_UNITS}).")
    else:
        row.units = int(number)


def _check_place(row: RowCheck, values: dict, location_settings: dict[str, str]) -> None:
    """Location and setting: a setting the row does not give is its location's default."""
    row.location = cell_text(values.get("location"))
    if len(row.location) > Location._meta.get_field("name").max_length:
        row.errors.append("The location name is longer than 100 characters.")
    setting = cell_text(values.get("setting"))
    if not setting:
        row.setting = location_settings.get(row.location.lower(), Setting.FACILITY)
        source = f"{row.location}'s default" if row.location.lower() in location_settings else ""
        row.place = f"{Setting(row.setting).label}{f' ({source})' if source else ''}"
        return
    try:
        reading = read_place(setting)
    except UnknownPlace as exc:
        row.errors.append(str(exc))
        return
    row.setting, row.place = reading.setting, str(reading)


def _check_people(row: RowCheck, values: dict) -> None:
    """Role, supervising attending and note (with a warning when it looks like patient data)."""
    role = cell_text(values.get("role"))
    if role:
        row.role = ROLES.get(_key(role), "")
        if not row.role:
            row.errors.append(
                f"“{role}” is not a role (surgeon chief, surgeon junior, teaching assistant, "
                "first assistant, performed, assisted, observed or teaching)."
            )
    row.attending = cell_text(values.get("attending"))
    if len(row.attending) > ProcedureLog._meta.get_field("supervising_attending").max_length:
        row.errors.append("The supervising attending is longer than 120 characters.")
    row.note = cell_text(values.get("note"))
    if len(row.note) > ProcedureLog._meta.get_field("note").max_length:
        row.errors.append("The note is longer than 500 characters.")
    row.warnings = [f"The note seems to hold {kind}." for kind in identifier_warnings(row.note)]


def places_in_location(rows: list[RowCheck], columns: dict[str, str]) -> list[str]:
    """The values of the location column when every one of them is a place of service ("Office",
    "21") and no column is chosen for the setting: the columns were most likely mapped the wrong
    way round (the preview says so). Empty otherwise."""
    if columns.get("setting") or not columns.get("location"):
        return []
    values = sorted({row.location for row in rows if row.location})
    for value in values:
        try:
            read_place(value)
        except UnknownPlace:
            return []
    return values


def refuse_forbidden_lines(rows: list[RowCheck], release_rows: dict) -> None:
    """Add an error to each row the fee schedule forbids as it is: 26/TC where the PC/TC
    indicator forbids them, 50 with more than one unit (`release_rows` from codes.wrvu.fee_rows)."""
    for row in rows:
        if row.ok:
            spec = LineSpec(row.code, row.modifiers, row.units)
            row.errors += [problem.message for problem in spec_problems(release_rows, spec)]


class RowReleases:
    """check_row's `release_for`: the release of each date of service (codes.releases.for_date's
    rule), the loaded releases read once; `used` holds those given, by name."""

    def __init__(self):
        self.choose = releases.dated_chooser()
        self.used = {}
        self.by_date: dict[dt.date, RowRelease] = {}

    def __call__(self, day: dt.date) -> RowRelease:
        if day not in self.by_date:
            self.by_date[day] = self._release(day)
        return self.by_date[day]

    def _release(self, day: dt.date) -> RowRelease:
        dated = self.choose(day)
        if dated is None:
            return RowRelease("no fee schedule release", frozenset())
        self.used[dated.release.name] = dated.release
        return RowRelease(
            dated.release.name, release_codes(dated.release), dated.flag.value, dated.note
        )


@dataclass(frozen=True)
class ReleaseGroup:
    """Valid rows priced alike: by one release, with one flag (the import preview lists them)."""

    release: str
    flag: str
    rows: int
    first: dt.date
    last: dt.date

    @property
    def label(self) -> str:
        """Why the release is not the one in effect on the rows' dates; "" when it is."""
        return releases.Flag(self.flag).label if self.flag else ""


def release_groups(rows: list[RowCheck]) -> list[ReleaseGroup]:
    """The valid rows by release and flag, with their count and dates, oldest first."""
    dates: dict[tuple[str, str], list[dt.date]] = {}
    for row in rows:
        if row.ok:
            dates.setdefault((row.release, row.release_flag), []).append(row.date)
    groups = [
        ReleaseGroup(name, flag, len(days), min(days), max(days))
        for (name, flag), days in dates.items()
    ]
    return sorted(groups, key=lambda group: (group.first, group.release))


def _by_release(rows: list[RowCheck]) -> dict[str, list[RowCheck]]:
    """The valid rows by the name of the release pricing them."""
    groups: dict[str, list[RowCheck]] = {}
    for row in rows:
        if row.ok:
            groups.setdefault(row.release, []).append(row)
    return groups


def check_rows(user, job: ImportJob) -> list[RowCheck]:
    """Every row of the job's file checked against the release of its date of service and the
    user's log; rows like an existing entry (same date, code and modifiers) are flagged as
    likely duplicates."""
    release_for = RowReleases()
    location_settings = {
        name.lower(): setting
        for name, setting in Location.objects.for_user(user).values_list("name", "default_setting")
    }
    today = timezone.localdate()
    rows = [
        check_row(
            number,
            values,
            today=today,
            location_settings=location_settings,
            release_for=release_for,
        )
        for number, values in table_records(bytes(job.data), job.file_type, job.columns)
    ]
    for name, group in _by_release(rows).items():
        rows_of = fee_rows(release_for.used[name], {row.code for row in group})
        refuse_forbidden_lines(group, rows_of)
    dated = [row for row in rows if row.ok]
    if dated:
        existing = set(
            ProcedureLog.objects.for_user(user)
            .filter(
                date__gte=min(row.date for row in dated),
                date__lte=max(row.date for row in dated),
                code__code__in={row.code for row in dated},
            )
            .values_list("date", "code__code", "modifiers")
        )
        for row in dated:
            row.duplicate = (row.date, row.code, "-".join(row.modifiers)) in existing
    return rows


# Upload and mapping ----------------------------------------------------------------------------


def import_job_create(*, user, upload, release) -> ImportJob:
    """Keep an uploaded file as a job after checking its type, size and that it reads as a
    table with at least one row; the columns are guessed (or remembered)."""
    limit = getattr(settings, "TRACKING_IMPORT_MAX_BYTES", MAX_BYTES)
    name, extension, data = read_upload(upload, types=("csv", "xlsx"), max_bytes=limit)
    headers, rows = read_table(data, extension)
    total = sum(1 for _ in rows)  # stops with a ValidationError past MAX_ROWS
    if total == 0:
        raise ValidationError("The file has a header but no rows.")
    remembered = ImportMapping.objects.filter(user=user).values_list("columns", flat=True).first()
    return ImportJob.objects.create(
        user=user,
        filename=name[:255],
        file_type=extension,
        data=data,
        headers=headers,
        columns=guess_columns(headers, remembered),
        rows_total=total,
        release=release,
    )


@transaction.atomic
def import_mapping_save(*, job: ImportJob, columns: dict[str, str]) -> ImportJob:
    """Use these columns for the job, and remember them for the user's next file."""
    missing = [FIELDS[name] for name in REQUIRED if not columns.get(name)]
    if missing:
        raise ValidationError(f"Choose the column for: {', '.join(missing)}.")
    unknown = [header for header in columns.values() if header and header not in job.headers]
    if unknown:
        raise ValidationError(f"The file has no column {unknown[0]!r}.")
    used = [header for header in columns.values() if header]
    if len(used) != len(set(used)):
        raise ValidationError("Each column can hold one field only.")
    job.columns = {name: header for name, header in columns.items() if header and name in FIELDS}
    job.status = ImportJob.Status.PREVIEW
    job.save(update_fields=["columns", "status"])
    ImportMapping.objects.update_or_create(user=job.user, defaults={"columns": job.columns})
    return job


# Running ---------------------------------------------------------------------------------------


def progress_key(job_pk: int) -> str:
    return jobs.progress_key(ImportJob, job_pk)


def import_job_start(*, job: ImportJob, mode: str, skip_duplicates: bool) -> ImportJob:
    """Import now, or queue a task when the file is large. The job must have been previewed."""
    if mode not in ImportJob.Mode.values:
        raise ValidationError("Choose how to import.")
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(
        mode=mode, skip_duplicates=skip_duplicates, status=ImportJob.Status.QUEUED
    )
    if not claimed:
        raise ValidationError("This import has already been started.")
    job.refresh_from_db()
    return _dispatch(job)


def import_job_again(*, job: ImportJob) -> ImportJob:
    """Run the import again after the worker running it died: the same file, mode and options."""
    jobs.job_requeue(job)
    return _dispatch(job)


def _dispatch(job: ImportJob) -> ImportJob:

    return jobs.job_dispatch(
        job,
        task=run_import_job,
        run=import_job_run,
        background=job.rows_total > async_threshold(),
    )


def import_job_run(*, job_pk: int) -> ImportJob:
    """Check every row again and write the rows in one transaction, as the job's mode says.

    Safe to run twice, and after a worker died mid-import (tracking.jobs): the job is claimed
    by one run at a time, and its outcome is committed with its rows. The uploaded file is
    deleted when the job finishes.
    """
    return jobs.job_run(ImportJob, job_pk, prepare=_check, write=_write)


@dataclass
class _Plan:
    rows: list[RowCheck]
    bad: list[RowCheck]
    good: list[RowCheck]
    skipped: int

    @property
    def errors(self) -> list[dict]:
        return [{"row": row.line, "errors": row.errors} for row in self.bad]


def _check(job: ImportJob) -> _Plan | jobs.Outcome:
    """Every row checked; an outcome at once when nothing is to be written."""
    rows = check_rows(job.user, job)
    bad = [row for row in rows if not row.ok]
    good = [row for row in rows if row.ok and not (job.skip_duplicates and row.duplicate)]
    skipped = sum(1 for row in rows if row.ok and row.duplicate and job.skip_duplicates)
    plan = _Plan(rows, bad, good, skipped)
    if bad and job.mode == ImportJob.Mode.ALL_OR_NOTHING:
        message = (
            f"Nothing imported: {len(bad)} of {counted(len(rows), 'row')} "
            f"{plural(len(bad), 'has an error', 'have errors')}."
        )
    elif not good:
        message = "Nothing imported: no row is valid." if bad else "Nothing imported: no new rows."
    else:
        return plan
    fields = {"errors": plan.errors, "rows_done": len(rows)}
    return jobs.Outcome(ImportJob.Status.FAILED, message, fields)


def _write(job: ImportJob, plan: _Plan) -> jobs.Outcome:
    def progress(done):
        jobs.progress_set(job, len(plan.bad) + plan.skipped + done)

    locations = _locations_for(job.user, plan.good)
    encounters = encounters_from_rows(plan.good, locations)
    imported = len(
        services.encounters_bulk_create(user=job.user, encounters=encounters, progress=progress)
    )
    message = outcome_message(
        imported=imported,
        rows=len(plan.rows),
        encounters=len(encounters),
        release_name=" and ".join(sorted({row.release for row in plan.good})),
        bad=len(plan.bad),
        skipped=plan.skipped,
        attempts=job.attempts,
        flagged=sum(1 for row in plan.good if row.release_flag),
    )
    fields = {"errors": plan.errors, "rows_imported": imported, "rows_done": len(plan.rows)}
    return jobs.Outcome(ImportJob.Status.DONE, message, fields)


def outcome_message(
    *,
    imported: int,
    rows: int,
    encounters: int,
    release_name: str,
    bad=0,
    skipped=0,
    attempts=1,
    flagged=0,
) -> str:
    """What a finished import says, each count with its words in the right number."""
    parts = [
        f"Imported {imported} of {counted(rows, 'row')} as "
        f"{counted(encounters, 'encounter')} with {release_name}."
    ]
    if flagged:
        parts.append(
            f"{counted(flagged, 'row')} {plural(flagged, 'is', 'are')} priced with a release not "
            f"in effect on {plural(flagged, 'its', 'their')} date (the one in effect is not "
            "imported): each entry says why."
        )
    if bad:
        parts.append(
            f"{counted(bad, 'row with an error', 'rows with errors')} "
            f"{plural(bad, 'was', 'were')} left out."
        )
    if skipped:
        parts.append(
            f"{counted(skipped, 'likely duplicate')} {plural(skipped, 'was', 'were')} skipped."
        )
    if attempts > 1:
        parts.append(f"It took {attempts} runs: the worker of an earlier one stopped.")
    return " ".join(parts)


def _locations_for(user, rows: list[RowCheck]) -> dict[str, Location]:
    """The user's locations by lower-cased name; names the file introduces are created."""
    locations = {loc.name.lower(): loc for loc in Location.objects.for_user(user)}
    for row in rows:
        key = row.location.lower()
        if row.location and key not in locations:
            locations[key] = Location.objects.create(
                user=user, name=row.location, default_setting=row.setting
            )
    return locations


def encounter_groups(rows: list[RowCheck]) -> list[list[RowCheck]]:
    """The rows ranked together, in file order: rows of the same patient or encounter reference,
    date, location and setting form one encounter, and a row without a reference is its own
    (a day's clinic of different patients is never reduced as one encounter). An encounter is
    split after services.MAX_LINES lines."""
    groups: dict[tuple, list[RowCheck]] = {}
    for row in rows:
        key = (
            (row.encounter_key, row.date, row.location.lower(), row.setting)
            if row.encounter_key
            else (row.line,)
        )
        groups.setdefault(key, []).append(row)
    size = services.MAX_LINES
    return [
        members[start : start + size]
        for members in groups.values()
        for start in range(0, len(members), size)
    ]


def encounters_from_rows(rows: list[RowCheck], locations: dict[str, Location]):
    """(details, lines) of each encounter the rows form (encounter_groups)."""
    encounters = []
    for members in encounter_groups(rows):
        first = members[0]
        details = services.EntryDetails(
            date=first.date,
            setting=first.setting,
            location=locations.get(first.location.lower()) if first.location else None,
        )
        lines = [
            services.BulkLine(
                spec=LineSpec(row.code, row.modifiers, row.units),
                role=row.role,
                supervising_attending=row.attending,
                note=row.note,
            )
            for row in members
        ]
        encounters.append((details, lines))
    return encounters


def job_progress(job: ImportJob) -> int:
    """Rows done so far (tracking.jobs)."""
    return jobs.job_progress(job)
