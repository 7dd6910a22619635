"""Writes of the tracker: the procedure log (each write atomic, with a change history) and the
user's goal and pay settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from codes import coding_edits, releases
from codes.entry import release_codes
from codes.models import Code
from codes.modifiers import read_modifiers
from codes.releases import DatedRelease, Flag
from codes.wrvu import (
    LineSpec,
    PricedLine,
    fee_rows,
    line_problems,
    price_lines,
    problem_messages,
    row_for,
)
from ncci import checks
from rvuedge import rounding
from tracking import selectors, totals
from tracking.models import (
    CompensationTier,
    CreditPolicy,
    DayOff,
    Encounter,
    Favorite,
    Location,
    LogChange,
    LogTemplate,
    LogTemplateLine,
    Preferences,
    ProcedureLog,
    RepriceBatch,
    Role,
    Setting,
)

MAX_LINES = 50
AUDITED_FIELDS = (
    "date",
    "code_id",
    "modifiers",
    "units",
    "setting",
    "location_id",
    "role",
    "supervising_attending",
    "note",
    "release_id",
    "release_flag",
    "release_note",
    "work_rvu",
    "raw",
    "medicare",
    "policy",
)
# What procedure_log_update may change (the credit follows from them; never the owner).
EDITABLE_FIELDS = frozenset(
    {
        "code",
        "modifiers",
        "units",
        "date",
        "setting",
        "location",
        "role",
        "supervising_attending",
        "note",
    }
)
# What preferences_update may change (the goal and pay settings; never the owner).
PREFERENCE_FIELDS = frozenset(
    {
        "annual_wrvu_target",
        "dollars_per_wrvu",
        "fiscal_year_start_month",
        "goal_figure",
        "pay_prompt_dismissed",
        "tracking_since",
        "carried_wrvu",
    }
)


@dataclass(frozen=True)
class EntryDetails:
    """What an encounter's lines share."""

    date: dt.date
    setting: str
    location: Location | None = None
    role: str = Role.PERFORMED
    supervising_attending: str = ""
    note: str = ""


UNREAD = object()  # a policy argument not given: the service reads it (None is a policy)


def user_policy(user):
    """The user's employer policy for the engine, or None (= Medicare-style)."""
    policy = CreditPolicy.objects.filter(user=user).first()
    return policy.as_policy() if policy else None


def validate_details(user, details: EntryDetails) -> None:
    errors = {}
    if details.date > timezone.localdate():
        errors["date"] = "The date of service cannot be in the future."
    if details.setting not in Setting.values:
        errors["setting"] = "Choose facility or non-facility."
    if details.role not in Role.values:
        errors["role"] = "Choose one of the roles in the list."
    if details.location is not None and details.location.user_id != user.pk:
        errors["location"] = "Choose one of your locations."
    if errors:
        raise ValidationError(errors)


def _snapshot(log: ProcedureLog) -> dict:
    """The audited values as JSON: figures with the four places they are stored with (a figure
    just computed and the same figure read back are one value), dates as ISO text."""
    values = {}
    for name in AUDITED_FIELDS:
        value = getattr(log, name)
        if isinstance(value, Decimal):
            value = str(rounding.credit(value))
        elif isinstance(value, dt.date):
            value = value.isoformat()
        values[name] = value
    return values


def _apply_credit(
    log: ProcedureLog, priced: PricedLine, release, dated: DatedRelease | None = None
) -> None:
    """The line's credit from `release`; with `dated` (a new choice of release for the entry's
    date), its flag and note too, else the entry keeps its own."""
    log.release = release
    if dated is not None:
        log.release_flag, log.release_note = dated.flag.value, dated.note
    log.work_rvu = priced.row.work_rvu
    log.raw = priced.medicare.raw
    log.medicare = priced.medicare.credited
    log.policy = priced.policy.credited
    log.explanation = {
        "medicare": priced.medicare.explanation,
        "policy": priced.policy.explanation,
    }
    log.warnings = priced.medicare.warning_dicts


def _new_log(
    *, user, encounter, details, code, priced, dated, role, supervising_attending, note
) -> ProcedureLog:
    """An unsaved entry for one priced line, checked field by field."""
    log = ProcedureLog(
        user=user,
        encounter=encounter,
        date=details.date,
        code=code,
        modifiers="-".join(priced.spec.modifiers),
        units=priced.spec.units,
        setting=details.setting,
        location=details.location,
        role=role,
        supervising_attending=supervising_attending.strip(),
        note=note.strip(),
    )
    _apply_credit(log, priced, dated.release, dated)
    # The check constraints are the database's to enforce on insert (in the caller's
    # transaction); validating them here would cost a query per constraint and line.
    log.full_clean(
        exclude=["encounter", "code", "release", "user", "location"],
        validate_unique=False,
        validate_constraints=False,
    )
    return log


@dataclass(frozen=True)
class BulkLine:
    """One line of an encounter created in bulk; role, attending and note may differ by line."""

    spec: LineSpec
    role: str = Role.PERFORMED
    supervising_attending: str = ""
    note: str = ""


def encounter_create(
    *, user, details: EntryDetails, lines: list[LineSpec], release=None
) -> list[ProcedureLog]:
    """Log the lines of one encounter (ranked together), priced with the release of its date of
    service (see encounters_bulk_create, whose transaction it is), or with `release` when
    given."""
    return encounters_create(user=user, details=details, encounters=[lines], release=release)


def encounters_create(
    *, user, details: EntryDetails, encounters: list[list[LineSpec]], release=None, policy=UNREAD
) -> list[ProcedureLog]:
    """Log several encounters that share their details (a day's patients typed at once): the
    lines of each are ranked together, never against another encounter's. All or none (one
    transaction: encounters_bulk_create's). `policy`: user_policy(user), when the caller has
    read it (quick entry, for its preview)."""
    if not encounters:
        raise ValidationError("Add at least one procedure.")
    # Every line takes the encounter's role, attending and note.
    return encounters_bulk_create(
        user=user,
        encounters=[
            (
                details,
                [
                    BulkLine(spec, details.role, details.supervising_attending, details.note)
                    for spec in lines
                ],
            )
            for lines in encounters
        ],
        release=release,
        policy=policy,
    )


def _reprice_encounter(
    encounter: Encounter, release, policy, dated: DatedRelease | None = None, reader=None
) -> list[tuple[ProcedureLog, dict]]:
    """Re-credit every line of an encounter (lines rank together, with the coding edits of its
    date: `reader`, or one read for it); returns (log, before). With `dated`, the lines take its
    flag and note; without, each keeps its own."""
    logs = list(encounter.lines.select_related("code").order_by("pk"))
    specs = [LineSpec(log.code.code, tuple(log.modifier_list), log.units) for log in logs]
    rows = fee_rows(release, {spec.code for spec in specs})
    if reader is None:
        first, last = coding_edits.window(encounter.date)
        reader = coding_edits.Reader(
            {spec.code for spec in specs},
            selectors.coding_context(encounter.user, first, last, packages_only=True),
        )
    edits = reader.line_edits(specs=specs, rows=rows, day=encounter.date, encounter=encounter.pk)
    priced = price_lines(
        release=release,
        setting=encounter.setting,
        specs=specs,
        policy=policy,
        rows=rows,
        edits=edits,
    )
    changed = []
    for log, item in zip(logs, priced, strict=True):
        before = _credit_state(log)
        _apply_credit(log, item, release, dated)
        changed.append((log, before))
    return changed


def _credit_state(log: ProcedureLog) -> dict:
    """The audited values plus the explanation: what re-pricing changes and undo restores."""
    return _snapshot(log) | {"explanation": log.explanation, "warnings": log.warnings}


@transaction.atomic
def procedure_log_update(*, log: ProcedureLog, changes: dict) -> ProcedureLog:
    """Edit an entry's code, modifiers, units, date, setting, location, role, attending or note
    (`changes`: field name -> value; the code as text or a Code, modifiers as "50-LT" or a list).

    The entry is re-credited with the release that priced it, or, when the date of service
    changes, with the release of the new date (for_date's rule, flagged); a code that release
    does not have is refused, naming it, and its encounter is re-ranked: every line is credited
    again, and the encounter's lines share the new date and setting. The history records the
    edit, and a "re-ranked" change for each other line whose date, setting or credit moved.
    Nothing is saved when nothing changes.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not an editable field: {', '.join(sorted(unknown))}.")
    # One edit of an encounter at a time: the ranking reads every line of it.
    Encounter.objects.select_for_update().filter(pk=log.encounter_id).exists()
    # Read again: the "before" of the history is what is stored, whatever the caller's copy holds.
    log = ProcedureLog.objects.select_related("user", "code", "release", "encounter").get(pk=log.pk)
    user = log.user
    before = _snapshot(log)
    old_code, before_date = log.code.code, log.date
    others_before = {
        line.pk: _credit_state(line) for line in log.encounter.lines.exclude(pk=log.pk)
    }
    dated = None
    if "date" in changes and changes["date"] != log.date:
        # A new date of service: the encounter is priced with that date's release (flagged).
        dated = releases.for_date(changes["date"], qp=log.release.is_qp)
        log.release = dated.release
    _apply_changes(log, changes)
    if _snapshot(log) == before:
        return log
    log.save()
    encounter = log.encounter
    encounter.date, encounter.setting = log.date, log.setting
    encounter.save(update_fields=["date", "setting"])
    lines = _rerank(user, encounter, log.release, others_before, edited=log, dated=dated)
    log = lines[log.pk]
    # A procedure moved or changed: the visits its package takes in (then or now) are read again.
    rechecked = _recheck_visits(
        user,
        selectors.packages_of(
            [
                (before["release_id"], old_code, before_date),
                (log.release_id, log.code.code, log.date),
            ]
        ),
        exclude={encounter.pk},
    )
    LogChange.objects.create(
        user=user,
        log=log,
        log_pk=log.pk,
        action=LogChange.Action.UPDATE,
        before=before,
        after=_snapshot(log),
    )
    moved_from = {dt.date.fromisoformat(state["date"]) for state in others_before.values()}
    totals.days_refresh(user, {before_date, log.date} | moved_from | rechecked)
    return log


def _apply_changes(log: ProcedureLog, changes: dict) -> None:
    """Set the changed fields on the entry, each checked: ValidationError by field."""
    changes = dict(changes)
    if "code" in changes:
        changes["code"] = _code_in_release(changes["code"], log.release)
    if "modifiers" in changes:
        changes["modifiers"] = _checked_modifiers(changes["modifiers"])
    for text_field in ("supervising_attending", "note"):
        if text_field in changes:
            changes[text_field] = (changes[text_field] or "").strip()
    for name, value in changes.items():
        setattr(log, name, value)
    validate_details(
        log.user,
        EntryDetails(
            date=log.date,
            setting=log.setting,
            location=log.location,
            role=log.role,
            supervising_attending=log.supervising_attending,
            note=log.note,
        ),
    )
    log.full_clean(exclude=["encounter", "code", "release", "user", "location"])
    refuse_lines(
        release=log.release, specs=[LineSpec(log.code.code, tuple(log.modifier_list), log.units)]
    )


def _code_in_release(value, release) -> Code:
    """The Code named by `value` (text or a Code), when the release has it."""
    text = (value.code if isinstance(value, Code) else str(value or "")).strip().upper()
    if not text:
        raise ValidationError({"code": "Type a code."})
    if text not in release_codes(release):
        raise ValidationError(
            {"code": f"{text} is not a code in {release.name}, the release that priced this entry."}
        )
    return value if isinstance(value, Code) else Code.objects.get(code=text)


def _checked_modifiers(value) -> str:
    text = "-".join(value) if isinstance(value, list | tuple) else str(value or "")
    modifiers, errors = read_modifiers(text)
    if errors:
        raise ValidationError({"modifiers": errors})
    return "-".join(modifiers)


def _rerank(user, encounter, release, before: dict[int, dict], edited=None, dated=None) -> dict:
    """Credit every line of the encounter again with the release (ranked together; `dated`, the
    choice for a new date, flags the lines), save the lines that moved, and record a "re-ranked"
    change for each line other than `edited` whose audited values moved from `before` (its
    credit state as it was). Returns the lines by pk."""
    lines, records = {}, []
    try:
        repriced = _reprice_encounter(encounter, release, user_policy(user), dated)
    except KeyError as exc:  # a line's code is not in the new date's release
        raise ValidationError(f"{exc.args[0]}.") from None
    for line, _ in repriced:
        line.date, line.setting = encounter.date, encounter.setting
        lines[line.pk] = line
        old = before.get(line.pk)
        if edited is not None and line.pk == edited.pk:
            line.save()
            continue
        if old == _credit_state(line):
            continue
        line.save()
        after = _snapshot(line)
        old_snapshot = {name: old[name] for name in AUDITED_FIELDS}
        if after != old_snapshot:
            records.append(
                LogChange(
                    user=user,
                    log=line,
                    log_pk=line.pk,
                    action=LogChange.Action.RERANK,
                    before=old_snapshot,
                    after=after,
                )
            )
    LogChange.objects.bulk_create(records)
    return lines


@transaction.atomic
def procedure_logs_delete(*, user, logs) -> int:
    """Delete entries (with history); the rest of each encounter is re-ranked (recorded)."""
    logs = list(logs)
    if any(log.user_id != user.pk for log in logs):
        raise PermissionError("Entries of another user.")
    encounters = {log.encounter_id for log in logs}
    LogChange.objects.bulk_create(
        LogChange(
            user=user,
            log=None,
            log_pk=log.pk,
            action=LogChange.Action.DELETE,
            before=_snapshot(log),
        )
        for log in logs
    )
    gone = selectors.packages_of([(log.release_id, log.code.code, log.date) for log in logs])
    doomed = ProcedureLog.objects.filter(pk__in=[log.pk for log in logs])
    days = set(doomed.values_list("date", flat=True))
    doomed.delete()
    days |= _recheck_visits(user, gone, exclude=encounters)
    for encounter in Encounter.objects.filter(pk__in=encounters):
        remaining = list(encounter.lines.select_related("release"))
        if not remaining:
            encounter.delete()
            continue
        before = {line.pk: _credit_state(line) for line in remaining}
        _rerank(user, encounter, remaining[0].release, before)
        days.add(encounter.date)
    totals.days_refresh(user, days)
    return len(logs)


def reprice_preview(*, user, release, date_from, date_to) -> list[dict]:
    """What re-pricing the range with the release would change; nothing is saved."""
    return [
        {"log": log, "before": before, "after": _credit_state(log)}
        for log, before in _reprice_range(user, release, date_from, date_to)
    ]


def _reprice_range(user, release, date_from, date_to):
    """Each encounter of the range re-credited with `release`, flagged where it is not the
    release of the encounter's date."""
    policy = user_policy(user)
    choose = releases.dated_chooser(qp=release.is_qp)
    encounters = Encounter.objects.for_user(user).filter(date__gte=date_from, date__lte=date_to)
    # The coding edits of the whole range read once: the user's services around it, the codes.
    first, last = coding_edits.window(date_from)[0], coding_edits.window(date_to)[1]
    context = selectors.coding_context(user, first, last)
    reader = coding_edits.Reader({s.code for s in context}, context)
    for encounter in encounters.order_by("date", "pk"):
        dated = releases.as_chosen(release, encounter.date, choose(encounter.date))
        yield from _reprice_encounter(encounter, release, policy, dated, reader)


@transaction.atomic
def reprice_apply(*, user, release, date_from, date_to) -> RepriceBatch:
    """Re-price every entry of the range with the release; the batch can be undone."""
    if date_from > date_to:
        raise ValidationError("The start date must be on or before the end date.")
    previous = []
    count = 0
    batch = RepriceBatch.objects.create(
        user=user, release=release, date_from=date_from, date_to=date_to
    )
    for log, before in _reprice_range(user, release, date_from, date_to):
        previous.append({"log": log.pk, **before})
        log.save()
        LogChange.objects.create(
            user=user,
            log=log,
            log_pk=log.pk,
            action=LogChange.Action.REPRICE,
            before=before,
            after=_snapshot(log),
        )
        count += 1
    batch.previous = previous
    batch.entries = count
    batch.save(update_fields=["previous", "entries"])
    totals.days_refresh(user, start=date_from, end=date_to)
    return batch


@transaction.atomic
def reprice_undo(*, batch: RepriceBatch) -> int:
    """Put back exactly the values the entries had before the batch."""
    if batch.undone_at:
        raise ValidationError("This re-pricing has already been undone.")
    logs = ProcedureLog.objects.for_user(batch.user).in_bulk([p["log"] for p in batch.previous])
    restored, days = 0, set()
    for values in batch.previous:
        log = logs.get(values["log"])
        if log is None:
            continue  # deleted since
        before = _snapshot(log)
        log.release_id = values["release_id"]
        # A batch applied before entries kept a flag holds none: they had none then.
        log.release_flag = values.get("release_flag", Flag.NONE.value)
        log.release_note = values.get("release_note", "")
        for name in ("work_rvu", "raw", "medicare", "policy"):
            setattr(log, name, Decimal(values[name]))
        log.explanation = values["explanation"]
        log.warnings = values["warnings"]
        log.save()
        LogChange.objects.create(
            user=batch.user,
            log=log,
            log_pk=log.pk,
            action=LogChange.Action.REPRICE,
            before=before,
            after=_snapshot(log),
        )
        restored += 1
        days.add(log.date)
    batch.undone_at = timezone.now()
    batch.save(update_fields=["undone_at"])
    totals.days_refresh(batch.user, days)
    return restored


@transaction.atomic
def log_template_create(*, user, name: str, lines: list[LineSpec]) -> LogTemplate:
    """A named set of lines to log together."""
    name = name.strip()
    if LogTemplate.objects.for_user(user).filter(name=name).exists():
        raise ValidationError("You already have a template with this name.")
    codes = {c.code: c for c in Code.objects.filter(code__in={line.code for line in lines})}
    template = LogTemplate.objects.create(user=user, name=name)
    LogTemplateLine.objects.bulk_create(
        LogTemplateLine(
            template=template,
            code=codes[line.code],
            modifiers="-".join(line.modifiers),
            units=line.units,
            position=position,
        )
        for position, line in enumerate(lines)
    )
    return template


def refuse_lines(*, release, specs: list[LineSpec], rows=None) -> None:
    """Raise ValidationError naming each line that cannot be logged as it is (26/TC where the
    PC/TC indicator forbids them, 50 with more than one unit): never credited the global row."""
    messages = problem_messages(specs, line_problems(release=release, specs=specs, rows=rows))
    if messages:
        raise ValidationError(messages)


def _price_from_rows(rows, release, setting: str, specs: list[LineSpec], policy, edits=None):
    refuse_lines(release=release, specs=specs, rows=rows)
    try:
        return price_lines(
            release=release, setting=setting, specs=specs, policy=policy, rows=rows, edits=edits
        )
    except KeyError as exc:
        raise ValidationError(f"{exc.args[0]}.") from None


@transaction.atomic
def encounters_bulk_create(
    *,
    user,
    encounters: list[tuple[EntryDetails, list[BulkLine]]],
    release=None,
    progress=None,
    policy=UNREAD,
) -> list[ProcedureLog]:
    """Log encounters (one from quick entry, thousands from an import), validated, priced and
    recorded in the history, in one transaction: all are saved or none. Returns the entries.

    Each encounter is priced with the imported release of its date of service
    (codes.releases.for_date's rule); an entry whose release is not the one in effect on its
    date is flagged, with a note saying why. A `release` given prices every encounter instead
    (flagged where it is not the date's). Encounters and lines are written in batches;
    `progress(lines_done)` is called after each. `policy`: as for encounters_create.
    """
    wanted = _checked_lines(user, encounters)
    dated = _dated_releases(encounters, release)
    codes = _known_codes(wanted, dated)
    policy = user_policy(user) if policy is UNREAD else policy
    # Each release's rows of its encounters' codes, read once: per encounter they would cost a
    # query or two each, most of an import's time when every row is its own encounter.
    rows = _rows_by_release(encounters, dated)
    reader = _coding_reader(user, encounters, dated, rows)
    saved = []
    batch_size = 500
    for start in range(0, len(encounters), batch_size):
        chunk = encounters[start : start + batch_size]
        made = Encounter.objects.bulk_create(
            Encounter(user=user, date=d.date, setting=d.setting, location=d.location)
            for d, _ in chunk
        )
        logs = []
        for index, (encounter, (details, lines), choice) in enumerate(
            zip(made, chunk, dated[start : start + batch_size], strict=True), start=start
        ):
            specs = [line.spec for line in lines]
            release_rows = rows[choice.release.pk]
            edits = reader.line_edits(
                specs=specs, rows=release_rows, day=details.date, encounter=("new", index)
            )
            priced = _price_from_rows(
                release_rows, choice.release, details.setting, specs, policy, edits
            )
            logs += [
                _new_log(user=user, encounter=encounter, details=details,
                         code=codes[line.spec.code], priced=item, dated=choice, role=line.role,
                         supervising_attending=line.supervising_attending, note=line.note)
                for line, item in zip(lines, priced, strict=True)
            ]  # fmt: skip
        _save_with_history(user, logs)
        saved += logs
        if progress:
            progress(len(saved))
    new = {("new", index) for index in range(len(encounters))}
    procedures = [s for s in reader.context if s.encounter in new]
    rechecked = _recheck_visits(user, procedures, exclude={log.encounter_id for log in saved})
    totals.days_refresh(user, {details.date for details, _ in encounters} | rechecked)
    return saved


def _coding_reader(user, encounters, dated, rows) -> coding_edits.Reader:
    """The coding edits of encounters about to be logged: the user's services around their
    dates, and the new encounters' own lines (a visit and a procedure of one file on different
    days see each other), read once."""
    days = [details.date for details, _ in encounters]
    first, last = coding_edits.window(min(days))[0], coding_edits.window(max(days))[1]
    context = selectors.coding_context(user, first, last, packages_only=True)
    for index, ((details, lines), choice) in enumerate(zip(encounters, dated, strict=True)):
        for number, line in enumerate(lines):
            row = row_for(rows[choice.release.pk], line.spec)
            context.append(
                checks.Service(
                    key=("new", index, number),
                    code=line.spec.code,
                    day=details.date,
                    encounter=("new", index),
                    modifiers=frozenset(line.spec.modifiers),
                    units=line.spec.units,
                    global_days=row.global_days if row else "",
                    work_rvu=row.work_rvu if row else 0,
                    checked=False,
                )
            )
    codes = {line.spec.code for _, lines in encounters for line in lines}
    return coding_edits.Reader(codes, context)


def _recheck_visits(user, procedures, exclude=()) -> set[dt.date]:
    """Credit again the user's E/M visits that the procedures' global packages may now take in
    (or no longer take in, after an edit or a delete): recorded as re-ranked where they move.
    Returns the days of the encounters credited again (their totals to rewrite)."""
    days = set()
    for encounter in Encounter.objects.for_user(user).filter(
        pk__in=selectors.visits_in_packages(user, procedures, exclude)
    ):
        lines = list(encounter.lines.select_related("release"))
        before = {line.pk: _credit_state(line) for line in lines}
        _rerank(user, encounter, lines[0].release, before)
        days.add(encounter.date)
    return days


def _checked_lines(user, encounters) -> set[str]:
    """Every encounter's details checked; the codes its lines name."""
    all_codes = set()
    for details, lines in encounters:
        if not lines:
            raise ValidationError("Add at least one procedure.")
        if len(lines) > MAX_LINES:
            raise ValidationError(f"At most {MAX_LINES} lines in one encounter.")
        for line in lines:
            validate_details(
                user,
                EntryDetails(
                    date=details.date,
                    setting=details.setting,
                    location=details.location,
                    role=line.role,
                ),
            )
            all_codes.add(line.spec.code)
    return all_codes


def _dated_releases(encounters, release=None) -> list[DatedRelease]:
    """The release pricing each encounter: its date's (for_date), or `release` when given."""
    choose = releases.dated_chooser(qp=release.is_qp if release else False)
    dated = []
    for details, _ in encounters:
        choice = choose(details.date)
        if release is not None:
            choice = releases.as_chosen(release, details.date, choice)
        elif choice is None:
            raise ValidationError("No fee schedule release has been imported yet.")
        dated.append(choice)
    return dated


def _known_codes(wanted: set[str], dated: list[DatedRelease]) -> dict[str, Code]:
    """The codes by code; a ValidationError naming those no release has."""
    codes = {c.code: c for c in Code.objects.filter(code__in=wanted)}
    missing = sorted(wanted - set(codes))
    if missing:
        names = " or ".join(sorted({choice.release.name for choice in dated}))
        raise ValidationError(f"Not in {names}: {', '.join(missing)}.")
    return codes


def _rows_by_release(encounters, dated: list[DatedRelease]) -> dict[int, dict]:
    """By release id, the fee rows (codes.wrvu.fee_rows) of the codes its encounters use."""
    wanted: dict[int, tuple] = {}
    for (_, lines), choice in zip(encounters, dated, strict=True):
        _, codes = wanted.setdefault(choice.release.pk, (choice.release, set()))
        codes.update(line.spec.code for line in lines)
    return {pk: fee_rows(release, codes) for pk, (release, codes) in wanted.items()}


def _save_with_history(user, logs) -> None:
    ProcedureLog.objects.bulk_create(logs, batch_size=1000)
    LogChange.objects.bulk_create(
        (
            LogChange(
                user=user,
                log=log,
                log_pk=log.pk,
                action=LogChange.Action.CREATE,
                after=_snapshot(log),
            )
            for log in logs
        ),
        batch_size=1000,
    )


@transaction.atomic
def preferences_update(*, user, data: dict) -> Preferences:
    """Save some of the user's goal and pay settings (names in PREFERENCE_FIELDS), creating the
    row on first use; the others keep their values. Goals & pay and the tracker's first-entry
    card both write here. Raises ValidationError for a value out of range."""
    unknown = set(data) - PREFERENCE_FIELDS
    if unknown:
        raise ValueError(f"Not a preference: {', '.join(sorted(unknown))}.")
    prefs, _ = Preferences.objects.select_for_update().get_or_create(user=user)
    for name, value in data.items():
        setattr(prefs, name, value)
    prefs.full_clean()
    prefs.save()
    return prefs


# Settings and small things -----------------------------------------------------------------------
# Views hand these cleaned form data; every write of the tracker goes through this module.


def _save_unique(instance, duplicate: str):
    """Save a row whose unique constraint a person can hit; a duplicate is a ValidationError."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise ValidationError(duplicate) from None
    return instance


def location_create(*, user, location: Location) -> Location:
    location.user = user
    return _save_unique(location, "You already have a location with this name.")


def location_update(*, location: Location) -> Location:
    return _save_unique(location, "You already have a location with this name.")


def location_delete(*, location: Location) -> None:
    location.delete()


def day_off_create(*, user, day_off: DayOff) -> DayOff:
    day_off.user = user
    return _save_unique(day_off, "Day off already exists.")


def day_off_delete(*, day_off: DayOff) -> None:
    day_off.delete()


def tier_create(*, user, tier: CompensationTier) -> CompensationTier:
    tier.user = user
    return _save_unique(tier, "Tier already exists.")


def tier_delete(*, tier: CompensationTier) -> None:
    tier.delete()


def log_template_delete(*, template: LogTemplate) -> None:
    template.delete()


def credit_policy_save(*, policy: CreditPolicy) -> CreditPolicy:
    policy.save()
    return policy


@transaction.atomic
def favorite_toggle(*, user, code: Code) -> bool:
    """Star the code, or unstar it when it is starred; returns whether it is starred now."""
    favorite, created = Favorite.objects.get_or_create(user=user, code=code)
    if not created:
        favorite.delete()
    return created


def favorite_add(*, user, code: Code) -> Favorite:
    favorite, _ = Favorite.objects.get_or_create(user=user, code=code)
    return favorite
