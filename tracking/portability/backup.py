"""A JSON backup of everything a user owns in tracking, and its restore.

The backup names codes, releases and locations by their natural keys (never database ids), and
keeps every stored value as it is: the credit each entry was given and the release that priced
it (with its flag when that is not the release in effect on the date; a restore never chooses
the release again), explanations, timestamps. Restoring it into an empty account gives the same
data; restore is all-or-nothing and never merges into an account that already has tracking data
unless the user asks to replace it (deleted first, in the same transaction).

The history of changes (LogChange) and re-pricing batches are not part of it: they refer to
entries by id and describe the old account, not the data.

An uploaded backup is kept as a RestoreJob (tracking.jobs): checked at once as far as its first
bytes tell, then restored in the request when small, else by a Celery task, with progress.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Prefetch
from django.utils import timezone

from codes.models import Code, Release
from tracking import jobs, totals
from tracking.models import (
    CompensationTier,
    CreditPolicy,
    DayOff,
    Encounter,
    Favorite,
    Location,
    LogTemplate,
    LogTemplateLine,
    Preferences,
    ProcedureLog,
    RestoreJob,
)
from tracking.tasks import run_restore_job

FORMAT = "rvuedge-tracking-backup"
VERSION = 1
BATCH = 2000
ENCOUNTER_BATCH = 500  # encounters written between two progress reports
MAX_BYTES = 200 * 1024 * 1024
ASYNC_BYTES = 1024 * 1024  # about 1,500 entries: restored in the request in a second or two
HEAD_BYTES = 4096
# How every backup this site writes begins (backup_stream).
HEAD = re.compile(rb'^\{\s*"format"\s*:\s*"([^"]*)"\s*,\s*"version"\s*:\s*(-?\d+)\s*[,}]')


class _Encoder(json.JSONEncoder):
    """Decimals keep their scale ("1.2300"), datetimes their microseconds."""

    def default(self, o):
        if isinstance(o, Decimal):
            return str(o)
        if isinstance(o, dt.datetime | dt.date):
            return o.isoformat()
        return super().default(o)


def _dumps(value) -> str:
    return json.dumps(value, cls=_Encoder, ensure_ascii=False, separators=(",", ":"))


def _plain_fields(model, exclude=()):
    """The model's own values: every concrete field but the id, the owner and the relations
    each section writes by natural key."""
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and not field.is_relation and field.name not in exclude
    ]


def _values(obj, fields) -> dict:
    return {field.name: field.value_from_object(obj) for field in fields}


def _from_values(model, data: dict, fields, **extra):
    values = {field.attname: field.to_python(data[field.name]) for field in fields}
    return model(**values, **extra)


LOG_FIELDS = _plain_fields(ProcedureLog)
# Entry fields added since backups of this version were first written, with the value a backup
# without them restores: an entry logged before releases were chosen by date carries no flag.
LOG_FIELDS_ADDED = {
    name: ProcedureLog._meta.get_field(name).get_default()
    for name in ("release_flag", "release_note")
}
ENCOUNTER_FIELDS = _plain_fields(Encounter)
LOCATION_FIELDS = _plain_fields(Location)
DAY_OFF_FIELDS = _plain_fields(DayOff)
TIER_FIELDS = _plain_fields(CompensationTier)
POLICY_FIELDS = _plain_fields(CreditPolicy)
PREFERENCES_FIELDS = _plain_fields(Preferences)
TEMPLATE_FIELDS = _plain_fields(LogTemplate)
TEMPLATE_LINE_FIELDS = _plain_fields(LogTemplateLine)
FAVORITE_FIELDS = _plain_fields(Favorite)


def _encounter_rows(user) -> Iterator[dict]:
    lines = ProcedureLog.objects.select_related("code", "release", "location").only(
        "encounter_id",
        "code__code",
        "release__name",
        "release__is_qp",
        "location__name",
        *(field.name for field in LOG_FIELDS),
    )
    encounters = (
        Encounter.objects.for_user(user)
        .select_related("location")
        .prefetch_related(Prefetch("lines", queryset=lines.order_by("pk")))
        .order_by("date", "pk")
    )
    for encounter in encounters.iterator(chunk_size=1000):
        yield {
            **_values(encounter, ENCOUNTER_FIELDS),
            "location": encounter.location.name if encounter.location else None,
            "lines": [
                {
                    **_values(log, LOG_FIELDS),
                    "code": log.code.code,
                    "location": log.location.name if log.location else None,
                    "release": {"name": log.release.name, "is_qp": log.release.is_qp},
                }
                for log in encounter.lines.all()
            ],
        }


def backup_sections(user) -> dict:
    """Everything but the entries (small)."""
    policy = CreditPolicy.objects.filter(user=user).first()
    preferences = Preferences.objects.filter(user=user).first()
    templates = LogTemplate.objects.for_user(user).prefetch_related("lines__code")
    return {
        "preferences": _values(preferences, PREFERENCES_FIELDS) if preferences else None,
        "credit_policy": _values(policy, POLICY_FIELDS) if policy else None,
        "locations": [_values(loc, LOCATION_FIELDS) for loc in Location.objects.for_user(user)],
        "days_off": [_values(day, DAY_OFF_FIELDS) for day in DayOff.objects.for_user(user)],
        "compensation_tiers": [
            _values(tier, TIER_FIELDS) for tier in CompensationTier.objects.for_user(user)
        ],
        "favorites": [
            {**_values(fav, FAVORITE_FIELDS), "code": fav.code.code}
            for fav in Favorite.objects.for_user(user).select_related("code")
        ],
        "templates": [
            {
                **_values(template, TEMPLATE_FIELDS),
                "lines": [
                    {**_values(line, TEMPLATE_LINE_FIELDS), "code": line.code.code}
                    for line in template.lines.all()
                ],
            }
            for template in templates
        ],
    }


def backup_stream(user) -> Iterator[str]:
    """The backup as JSON text chunks; entries are read encounter by encounter in batches, so a
    large log streams without being held in memory."""
    head = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now(),
        "account": user.email,
        **backup_sections(user),
    }
    text = _dumps(head)
    yield text[:-1] + ',"encounters":['
    first = True
    batch = []
    for row in _encounter_rows(user):
        batch.append(("" if first else ",") + _dumps(row))
        first = False
        if len(batch) >= 200:
            yield "".join(batch)
            batch = []
    batch.append("]}")
    yield "".join(batch)


def backup_build(user) -> dict:
    """The backup as a dict (tests, small accounts)."""
    return json.loads("".join(backup_stream(user)))


# Restore ---------------------------------------------------------------------------------------


def owned_counts(user) -> dict[str, int]:
    """What the user already has that a restore would collide with, by label."""
    counts = {
        "entries": ProcedureLog.objects.for_user(user).count(),
        "locations": Location.objects.for_user(user).count(),
        "templates": LogTemplate.objects.for_user(user).count(),
        "favourites": Favorite.objects.for_user(user).count(),
        "days off": DayOff.objects.for_user(user).count(),
        "pay tiers": CompensationTier.objects.for_user(user).count(),
    }
    return {label: count for label, count in counts.items() if count}


def tracking_data_delete(user) -> None:
    """Delete what a backup holds (not the change history)."""
    ProcedureLog.objects.for_user(user).delete()
    Encounter.objects.for_user(user).delete()
    for model in (Location, LogTemplate, Favorite, DayOff, CompensationTier):
        model.objects.for_user(user).delete()
    CreditPolicy.objects.filter(user=user).delete()
    Preferences.objects.filter(user=user).delete()


def backup_read(handle) -> dict:
    try:
        data = json.load(handle)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError("This is not a JSON file.") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationError("This is not an RVU Edge tracking backup.")
    if data.get("version") != VERSION:
        raise ValidationError(f"Backup version {data.get('version')!r} is not supported.")
    return data


def _restore_timestamps(model, objects, sources, names):
    """bulk_create stamps auto_now(_add) fields with now; put the backup's values back.

    One UPDATE per batch joined to the values: bulk_update's CASE with a branch per row costs
    time in the square of the batch (it was most of a large restore's time)."""
    names = [name for name in names if any(name in source for source in sources)]
    if not objects or not names:
        return
    fields = [model._meta.get_field(name) for name in names]
    for obj, source in zip(objects, sources, strict=True):
        for field in fields:
            setattr(obj, field.attname, field.to_python(source[field.name]))
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    columns = [quote(field.column) for field in fields]
    row = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    for start in range(0, len(objects), BATCH):
        batch = objects[start : start + BATCH]
        params = [
            value
            for obj in batch
            for value in (
                obj.pk,
                *(
                    field.get_db_prep_value(getattr(obj, field.attname), connection)
                    for field in fields
                ),
            )
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH v (pk, {', '.join(columns)}) AS (VALUES {', '.join([row] * len(batch))}) "
                f"UPDATE {table} SET {', '.join(f'{c} = v.{c}' for c in columns)} "
                f"FROM v WHERE {table}.{pk} = v.pk",
                params,
            )


def _auto_fields(model) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]


def _clean(obj, exclude):
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
        )
        raise ValidationError(
            f"The backup holds an invalid {obj._meta.verbose_name} ({obj}): {problems}"
        ) from exc


def _refuse_merge(user, replace: bool) -> None:
    existing = owned_counts(user)
    if existing and not replace:
        have = ", ".join(f"{count} {label}" for label, count in existing.items())
        raise ValidationError(
            f"Your account already has tracking data ({have}). Choose “replace” to delete it "
            "and restore the backup, or restore into an empty account."
        )


@transaction.atomic
def backup_restore(
    *, user, data: dict, replace: bool = False, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Restore a backup into the user's account, all or nothing. Returns counts by section;
    `progress(entries_written)` is called after each batch of encounters.

    Raises ValidationError when the backup names a release or code this site does not have,
    is damaged, or when the account has tracking data and `replace` is false.
    """
    _refuse_merge(user, replace)
    try:
        counts = _restore(user, data, replace, progress)
        totals.rebuild(user)
        return counts
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValidationError(f"The backup is damaged or incomplete ({exc!r}).") from exc
    except IntegrityError as exc:
        raise ValidationError(f"The backup holds conflicting rows: {exc}") from exc


def _restore_preferences(user, source: dict, current: Preferences | None) -> None:
    """The backup's preferences over the account's own: a backup made before target and pay
    moved into preferences does not hold them, and the account keeps its values of those. The
    account's row, if it still has one (restore without replace), is updated in place."""
    merged = {**_values(current or Preferences(), PREFERENCES_FIELDS), **source}
    prefs = _from_values(Preferences, merged, PREFERENCES_FIELDS, user=user)
    prefs.pk = Preferences.objects.filter(user=user).values_list("pk", flat=True).first()
    _clean(prefs, ["user"])
    prefs.save()


def _restore(user, data, replace, progress) -> dict[str, int]:
    codes, releases = _references(data)
    current_preferences = Preferences.objects.filter(user=user).first()
    if replace:
        tracking_data_delete(user)
    counts = _restore_settings(user, data, current_preferences)
    locations = _restore_locations(user, data["locations"])
    counts["locations"] = len(locations)
    for key, model, fields in (
        ("days_off", DayOff, DAY_OFF_FIELDS),
        ("compensation_tiers", CompensationTier, TIER_FIELDS),
    ):
        objects = [_from_values(model, source, fields, user=user) for source in data[key]]
        for obj in objects:
            _clean(obj, ["user"])
        model.objects.bulk_create(objects)
        counts[key] = len(objects)
    favorites = [
        _from_values(Favorite, source, FAVORITE_FIELDS, user=user, code=codes[source["code"]])
        for source in data["favorites"]
    ]
    Favorite.objects.bulk_create(favorites)
    _restore_timestamps(Favorite, favorites, data["favorites"], _auto_fields(Favorite))
    counts["favorites"] = len(favorites)
    counts["templates"] = _restore_templates(user, data["templates"], codes)
    counts["encounters"], counts["entries"] = 0, 0
    encounters = data["encounters"]
    for start in range(0, len(encounters), ENCOUNTER_BATCH):
        made, logs = _restore_encounters(
            user, encounters[start : start + ENCOUNTER_BATCH], codes, releases, locations
        )
        counts["encounters"] += made
        counts["entries"] += logs
        if progress:
            progress(counts["entries"])
    return counts


def _references(data) -> tuple[dict, dict]:
    """The codes and releases the backup names, by code and by (name, is_qp); a ValidationError
    listing every release, code or location this site or the backup does not hold."""
    encounters = data["encounters"]
    wanted_codes = {line["code"] for enc in encounters for line in enc["lines"]}
    wanted_codes |= {fav["code"] for fav in data["favorites"]}
    wanted_codes |= {line["code"] for tpl in data["templates"] for line in tpl["lines"]}
    codes = {c.code: c for c in Code.objects.filter(code__in=wanted_codes)}
    wanted_releases = {
        (line["release"]["name"], bool(line["release"]["is_qp"]))
        for enc in encounters
        for line in enc["lines"]
    }
    names = {name for name, _ in wanted_releases}
    releases = {
        (r.name, r.is_qp): r for r in Release.objects.filter(name__in=names).defer("change_summary")
    }
    problems = []
    missing_releases = sorted(
        f"{name}{' (QP)' if qp else ''}" for name, qp in wanted_releases - set(releases)
    )
    if missing_releases:
        problems.append(f"Releases not loaded on this site: {', '.join(missing_releases)}.")
    missing_codes = sorted(wanted_codes - set(codes))
    if missing_codes:
        shown = ", ".join(missing_codes[:20]) + (" …" if len(missing_codes) > 20 else "")
        problems.append(f"Codes not known to this site: {shown}.")
    location_names = {loc["name"] for loc in data["locations"]}
    used = {enc["location"] for enc in encounters} | {
        line["location"] for enc in encounters for line in enc["lines"]
    }
    unknown = sorted(name for name in used - location_names if name is not None)
    if unknown:
        problems.append(f"Entries name locations the backup does not hold: {', '.join(unknown)}.")
    if problems:
        raise ValidationError(problems)
    return codes, releases


def _restore_settings(user, data, current_preferences) -> dict[str, int]:
    counts = {}
    if data["preferences"] is not None:
        _restore_preferences(user, data["preferences"], current_preferences)
        counts["preferences"] = 1
    if data["credit_policy"] is not None:
        policy = _from_values(CreditPolicy, data["credit_policy"], POLICY_FIELDS, user=user)
        _clean(policy, ["user"])
        policy.save()
        _restore_timestamps(CreditPolicy, [policy], [data["credit_policy"]], ["updated_at"])
        counts["credit_policy"] = 1
    return counts


def _restore_locations(user, sources) -> dict[str, Location]:
    locations = {}
    for source in sources:
        location = _from_values(Location, source, LOCATION_FIELDS, user=user)
        _clean(location, ["user"])
        locations[location.name] = location
    Location.objects.bulk_create(locations.values())
    _restore_timestamps(Location, list(locations.values()), sources, _auto_fields(Location))
    return locations


def _restore_templates(user, sources, codes) -> int:
    templates, template_lines = [], []
    for source in sources:
        template = _from_values(LogTemplate, source, TEMPLATE_FIELDS, user=user)
        _clean(template, ["user"])
        templates.append(template)
    LogTemplate.objects.bulk_create(templates)
    _restore_timestamps(LogTemplate, templates, sources, _auto_fields(LogTemplate))
    for template, source in zip(templates, sources, strict=True):
        for line in source["lines"]:
            obj = _from_values(
                LogTemplateLine,
                line,
                TEMPLATE_LINE_FIELDS,
                template=template,
                code=codes[line["code"]],
            )
            _clean(obj, ["template", "code"])
            template_lines.append(obj)
    LogTemplateLine.objects.bulk_create(template_lines)
    return len(templates)


def _restore_encounters(user, chunk, codes, releases, locations) -> tuple[int, int]:
    """One batch of encounters and their entries; returns how many of each were written."""
    made = []
    for source in chunk:
        encounter = _from_values(
            Encounter,
            source,
            ENCOUNTER_FIELDS,
            user=user,
            location=locations.get(source["location"]),
        )
        _clean(encounter, ["user", "location"])
        made.append(encounter)
    Encounter.objects.bulk_create(made)
    _restore_timestamps(Encounter, made, chunk, _auto_fields(Encounter))
    logs, log_sources = [], []
    for encounter, source in zip(made, chunk, strict=True):
        for line in source["lines"]:
            release = line["release"]
            line = {**LOG_FIELDS_ADDED, **line}
            log = _from_values(
                ProcedureLog,
                line,
                LOG_FIELDS,
                user=user,
                encounter=encounter,
                code=codes[line["code"]],
                location=locations.get(line["location"]),
                release=releases[(release["name"], bool(release["is_qp"]))],
            )
            _clean(log, ["user", "encounter", "code", "location", "release"])
            logs.append(log)
            log_sources.append(line)
    ProcedureLog.objects.bulk_create(logs, batch_size=BATCH)
    _restore_timestamps(ProcedureLog, logs, log_sources, _auto_fields(ProcedureLog))
    return len(made), len(logs)


# Restore as a job ------------------------------------------------------------------------------


def restore_async_bytes() -> int:
    return getattr(settings, "TRACKING_RESTORE_ASYNC_BYTES", ASYNC_BYTES)


def backup_check_head(head: bytes) -> None:
    """What the first bytes of an upload tell at once: a JSON object, and, where it begins as
    this site's backups do, their format and version. The job reads and checks the rest."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"{"):
        raise ValidationError("This is not a JSON file.")
    match = HEAD.match(text)
    if match is None:
        return
    if match.group(1) != FORMAT.encode():
        raise ValidationError("This is not an RVU Edge tracking backup.")
    if int(match.group(2)) != VERSION:
        raise ValidationError(f"Backup version {int(match.group(2))} is not supported.")


def restore_job_start(*, user, upload, replace: bool) -> RestoreJob:
    """Keep an uploaded backup as a job (gzip-compressed) after the checks that can be made at
    once: its size, that it begins as a backup, that it would not merge into the account's
    data. Then restore it: in the request when small, else by a Celery task."""
    if upload.size > MAX_BYTES:
        raise ValidationError(f"The backup is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    backup_check_head(head)
    _refuse_merge(user, replace)
    compressed = io.BytesIO()
    with gzip.GzipFile(fileobj=compressed, mode="wb", compresslevel=1, mtime=0) as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job = RestoreJob.objects.create(
        user=user,
        filename=(upload.name or "backup.json")[:255],
        size=upload.size,
        replace=replace,
        data=compressed.getvalue(),
    )
    return _dispatch(job)


def restore_job_again(*, job: RestoreJob) -> RestoreJob:
    """Run the restore again after the worker running it died: the same file and choice."""
    jobs.job_requeue(job)
    return _dispatch(job)


def _dispatch(job: RestoreJob) -> RestoreJob:
    return jobs.job_dispatch(
        job, task=run_restore_job, run=restore_job_run, background=job.size > restore_async_bytes()
    )


def restore_job_run(*, job_pk: int) -> RestoreJob:
    """Read and check the job's backup, then restore it all or nothing (backup_restore), the
    outcome committed with the rows (tracking.jobs). The file is deleted when the job ends."""
    return jobs.job_run(RestoreJob, job_pk, prepare=_read_job_backup, write=_write_job_backup)


def _read_job_backup(job: RestoreJob) -> dict:
    with gzip.GzipFile(fileobj=io.BytesIO(bytes(job.data))) as handle:
        data = backup_read(handle)
    try:
        entries = sum(len(encounter["lines"]) for encounter in data["encounters"])
    except (KeyError, TypeError) as exc:
        raise ValidationError(f"The backup is damaged or incomplete ({exc!r}).") from exc
    jobs.job_update(job, rows_total=entries)
    return data


RESTORED = (
    ("entries", "entry|entries"),
    ("locations", "location|locations"),
    ("templates", "template|templates"),
)


def _count(number: int, noun: str) -> str:
    one, many = noun.split("|")
    return f"{number} {one if number == 1 else many}"


def _write_job_backup(job: RestoreJob, data: dict) -> jobs.Outcome:
    counts = backup_restore(
        user=job.user,
        data=data,
        replace=job.replace,
        progress=lambda done: jobs.progress_set(job, done),
    )
    message = "Restored {}, {} and {}.".format(
        *(_count(counts[key], noun) for key, noun in RESTORED)
    )
    if job.attempts > 1:
        message += f" It took {job.attempts} runs: the worker of an earlier one stopped."
    return jobs.Outcome(
        RestoreJob.Status.DONE, message, {"counts": counts, "rows_done": counts["entries"]}
    )
