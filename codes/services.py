"""Writes to the fee schedule: importing CMS files and choosing the current release.

`release_import` is the one entry point, used by `manage.py import_fee_schedule`,
`manage.py load_bundled_data`, the admin and the Celery refresh. How it keeps data safe:

- Files are read and checked (codes.parsing) before anything is written.
- A lock per release (rvuedge.locks: a PostgreSQL advisory lock) keeps two processes from
  importing the same release at once. The lock dies with its connection, so a release left in
  "loading" by a killed process is simply loaded again by the next run.
- Everything is written in one transaction: the rows, the checks on them, the source file records
  and, when asked, the switch of the current release. Pages read the current release only, so
  they see the old data or the new, never half of it; a failure rolls everything back and the
  error is recorded on the release.
- Each file's SHA-256 is recorded: importing the same file again does nothing and says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from rvuedge import locks
from rvuedge.downloads import DownloadError, downloaded

from . import cache as codes_cache
from . import categories, parsing
from .changes import summarize
from .models import Code, Locality, OppsCap, RelativeValue, Release, SourceFile

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
TOP_WORK_CHANGES = 200  # work RVU changes kept in the summary, largest first


class FeeScheduleImportError(Exception):
    """An import could not be done; the message names the file, line and column when it can."""

    def __init__(self, message, *, release=None):
        super().__init__(message)
        self.release = release


class ImportInProgress(FeeScheduleImportError):
    """Another process holds the lock for this release; try again when it has finished."""


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did: `imported` is False when every file had been imported before."""

    release: Release | None  # None for an HCPCS-only import
    imported: bool
    message: str
    releases: tuple[Release, ...] = field(default=())  # every release touched (QP and non-QP)


ProgressCallback = Callable[[int, int], None]


# --- The import -------------------------------------------------------------------------------


def release_import(
    *,
    source: str | Path,
    name: str | None = None,
    make_current: bool = False,
    progress: ProgressCallback | None = None,
    source_url: str | None = None,
) -> ImportOutcome:
    """Import a CMS release zip, a folder of its files, or one file, atomically and once.

    `source` is a path (a zip as CMS publishes it, a folder, a PPRRVU/GPCI/LOCCO/ANES/OPPSCAP
    csv, txt or xlsx, the HCPCS xlsx; any of them may be gzipped) or an http(s) URL, which is
    downloaded first. `name` (RVU26C) overrides the release named by the files. `make_current`
    makes the release the one pages price from once it is loaded; the first release ever loaded
    becomes current anyway. `progress(done, total)` is called as rows are written.
    `source_url` records where a downloaded file came from.

    Raises FeeScheduleImportError (ImportInProgress when another process is importing the same
    release) with a message naming the file, line and column.
    """
    if _is_url(str(source)):
        with _downloaded(str(source)) as path:
            return release_import(
                source=path,
                name=name,
                make_current=make_current,
                progress=progress,
                source_url=str(source),
            )
    try:
        source_name, members = parsing.read_source(source)
    except parsing.ParseError as exc:
        raise FeeScheduleImportError(str(exc)) from None
    label = source_url or str(Path(source).resolve())

    known = {f.sha256: f for f in SourceFile.objects.filter(sha256__in=[m.sha256 for m in members])}
    todo = [m for m in members if m.sha256 not in known]
    if not todo:
        return _already_imported(members, known, make_current=make_current)
    try:
        for member in todo:
            member.kind = parsing.recognise(member)
    except parsing.ParseError as exc:
        raise FeeScheduleImportError(str(exc)) from None
    companions = [f.release for f in known.values() if f.release_id and f.kind == "PPRRVU"]
    plan = _plan(todo, source_name=source_name, name=name, companions=companions)

    releases = _import_plan(plan, make_current=make_current, progress=progress, source=label)
    skipped = [m.file_name for m in members if m.sha256 in known]
    return ImportOutcome(
        release=releases[0] if releases else None,
        imported=True,
        message=_outcome_message(todo, releases, skipped),
        releases=tuple(releases),
    )


def _import_plan(plan, *, make_current, progress, source) -> list[Release]:
    """Write every release of the plan under its lock (HCPCS alone when there is none)."""
    releases = []
    with release_locks(plan.release_keys or [(parsing.HCPCS, False)]):
        for index, key in enumerate(plan.release_keys):
            releases.append(
                _import_release(
                    key,
                    plan.infos[key],
                    plan.by_release[key],
                    plan.hcpcs if index == 0 else [],
                    # Each QP flag has its own current release; pages price from non-QP.
                    make_current=make_current,
                    progress=progress,
                    source=source,
                )
            )
        if not plan.release_keys:
            _import_hcpcs_only(plan.hcpcs, progress=progress)
    return releases


def _outcome_message(todo, releases, skipped) -> str:
    primary = releases[0] if releases else None
    parts = [f"Imported {', '.join(m.file_name for m in todo)}"]
    if primary:
        counts = f"{primary.rvu_count:,} RVU rows" if primary.rvu_count else "locality files only"
        if primary.locality_count:
            counts += f", {primary.locality_count} localities"
        parts.append(f"into {', '.join(str(r) for r in releases)} ({counts}).")
        if primary.status == Release.Status.CURRENT:
            parts.append(f"{primary} is current.")
    else:
        parts[0] += "."
    if skipped:
        parts.append(f"Already imported before: {', '.join(skipped)}.")
    return " ".join(parts)


def release_check(*, source: str | Path, name: str | None = None) -> list[str]:
    """Read and check every file of a source as an import would, writing nothing.

    Returns one line per file; raises FeeScheduleImportError like release_import.
    """
    try:
        source_name, members = parsing.read_source(source)
        for member in members:
            member.kind = parsing.recognise(member)
        plan = _plan(members, source_name=source_name, name=name)
        lines = []
        for member in members:
            result = parsing.PARSERS[member.kind](member)
            line = f"{member.name}: {member.kind}, {len(result.rows):,} rows"
            if member.kind == parsing.PPRRVU:
                line += f", conversion factor {result.conversion_factor}"
            lines.append(line)
    except parsing.ParseError as exc:
        raise FeeScheduleImportError(str(exc)) from None
    for key in plan.release_keys:
        lines.append(f"Release {key[0]}{' (QP)' if key[1] else ''}: files check out.")
    return lines


@dataclass
class _Plan:
    release_keys: list[tuple[str, bool]]  # (name, is_qp), non-QP first
    by_release: dict[tuple[str, bool], list[parsing.Member]]
    infos: dict[tuple[str, bool], parsing.ReleaseInfo]
    hcpcs: list[parsing.Member]


def _plan(members, *, source_name, name, companions=()) -> _Plan:
    """Which release each file belongs to, from --name, the zip/folder name or the file itself."""
    given = None
    if name:
        given = parsing.release_from_name(name)
        if not given or given.name != name.strip().upper():
            raise FeeScheduleImportError(
                f"{name!r} is not a release name like RVU26C (RVU, year, quarter A-D)"
            )
    from_source = parsing.release_from_name(source_name)
    pprrvus = [m for m in members if m.kind == parsing.PPRRVU]
    others = [m for m in members if m.kind in parsing.RELEASE_KINDS and m.kind != parsing.PPRRVU]
    hcpcs = [m for m in members if m.kind == parsing.HCPCS]

    infos: dict[tuple[str, bool], parsing.ReleaseInfo] = {}
    by_release: dict[tuple[str, bool], list] = {}
    for member in pprrvus:
        info = _peek_pprrvu_info(member)
        chosen = given or from_source
        if chosen:
            if info.year and info.year != chosen.year:
                raise FeeScheduleImportError(
                    f"{member.name}: a {info.year} file cannot be release {chosen.name}"
                )
            info.name, info.year, info.quarter = chosen.name, chosen.year, chosen.quarter
            info.revised = chosen.revised
        if not info.name:
            raise FeeScheduleImportError(
                f"{member.name}: cannot tell which release this is from its name or preamble; "
                "pass --name RVU26C"
            )
        key = (info.name, info.is_qp)
        if key in by_release:
            raise FeeScheduleImportError(
                f"{member.name}: two PPRRVU files for {info.name}"
                f"{' (QP)' if info.is_qp else ''} in one import"
            )
        infos[key] = info
        by_release[key] = [member]
    if others:
        key = _release_for_others(others, infos, given or from_source, companions)
        by_release.setdefault(key, []).extend(others)
        if key not in infos:
            release = Release.objects.filter(name=key[0], is_qp=key[1]).first()
            infos[key] = parsing.ReleaseInfo(
                name=key[0],
                year=release.year if release else (given or from_source).year,
                quarter=release.quarter if release else (given or from_source).quarter,
                revised=release.revised if release else (given or from_source).revised,
            )
    keys = sorted(by_release, key=lambda k: (k[1], k[0]))
    return _Plan(release_keys=keys, by_release=by_release, infos=infos, hcpcs=hcpcs)


def _peek_pprrvu_info(member: parsing.Member) -> parsing.ReleaseInfo:
    table = parsing.read_table(member)
    found = parsing.find_header(table)
    preamble = [cells for _, cells in table.rows[: found[0]]] if found else []
    return parsing.pprrvu_release_info(member.file_name, preamble)


def _release_for_others(others, infos, named, companions) -> tuple[str, bool]:
    """GPCI, LOCCO, ANES and OPPSCAP files go with the non-QP release they came with.

    Alone, they go to the release given by --name or the zip name, or to the release of a
    PPRRVU file imported before from the same zip, or else to the newest loaded release of the
    year in their file name (GPCI2025.csv: the newest 2025 release).
    """
    non_qp = [key for key in infos if not key[1]]
    if non_qp:
        return non_qp[0]
    if infos:
        return next(iter(infos))
    if named:
        return (named.name, False)
    if companions:
        return (min(companions, key=lambda r: r.is_qp).name, False)
    years = {parsing.year_in_name(m.file_name) for m in others}
    year = years.pop() if len(years) == 1 else None
    release = Release.objects.loaded().filter(year=year, is_qp=False).first() if year else None
    if not release:
        files = ", ".join(m.name for m in others)
        raise FeeScheduleImportError(
            f"{files}: no loaded {year or ''} release to add this to; pass --name RVU25D".replace(
                "  ", " "
            )
        )
    return (release.name, False)


def _already_imported(members, known, *, make_current) -> ImportOutcome:
    releases = sorted(
        {f.release for f in known.values() if f.release_id}, key=lambda r: (r.is_qp, r.name)
    )
    primary = releases[0] if releases else None
    where = ", ".join(
        f"{m.file_name} (in {known[m.sha256].release or 'the code list'})" for m in members
    )
    message = f"Nothing to import: already imported, same SHA-256: {where}."
    if make_current and primary and primary.status != Release.Status.CURRENT:
        release_make_current(release=primary)
        primary.refresh_from_db()
        message += f" {primary} is now current."
    return ImportOutcome(release=primary, imported=False, message=message, releases=tuple(releases))


def _import_release(key, info, members, hcpcs, *, make_current, progress, source) -> Release:
    """Load one release's files in one transaction; on failure record why and re-raise."""
    name, is_qp = key
    release = _claim(name, is_qp, info, source)
    parsed = {}
    try:
        for member in [*members, *hcpcs]:
            parsed[member.kind] = (member, parsing.PARSERS[member.kind](member))
    except parsing.ParseError as exc:
        _record_failure(release, str(exc))
        raise FeeScheduleImportError(str(exc), release=release) from None

    total = sum(len(result.rows) for _, result in parsed.values())
    counter = _Progress(release, total, progress)
    try:
        with transaction.atomic():
            _load_members(release, parsed, counter)
            _finish(release, counter)
            no_current = not Release.objects.filter(
                status=Release.Status.CURRENT, is_qp=is_qp
            ).exists()
            if (make_current or no_current) and release.rvu_count:
                release_make_current(release=release)
    except parsing.ParseError as exc:
        _record_failure(release, str(exc))
        raise FeeScheduleImportError(str(exc), release=release) from None
    except FeeScheduleImportError as exc:
        _record_failure(release, str(exc))
        exc.release = release
        raise
    except Exception as exc:
        _record_failure(release, f"{type(exc).__name__}: {exc}")
        raise
    finally:
        codes_cache.progress_clear(release.pk)
    _analyze()
    release.refresh_from_db()
    return release


def _load_members(release, parsed: dict, counter) -> None:
    """Each parsed file into the release, codes first (PPRRVU creates them), in file order."""
    codes = _code_ids()
    loaders = {
        parsing.PPRRVU: lambda member, result: _load_pprrvu(
            release, member, result, codes, counter
        ),
        parsing.GPCI: lambda member, result: _load_gpci(release, member, result, counter),
        parsing.LOCCO: lambda member, result: _load_locco(release, member, result, counter),
        parsing.ANES: lambda member, result: _load_anes(release, member, result, counter),
        parsing.OPPSCAP: lambda member, result: _load_oppscap(
            release, member, result, codes, counter
        ),
        parsing.HCPCS: lambda member, result: _load_hcpcs(member, result, codes, counter),
    }
    for kind, load in loaders.items():
        if kind in parsed:
            load(*parsed[kind])


def _import_hcpcs_only(members, *, progress):
    parsed = []
    try:
        for member in members:
            parsed.append((member, parsing.parse_hcpcs(member)))
    except parsing.ParseError as exc:
        raise FeeScheduleImportError(str(exc)) from None
    total = sum(len(result.rows) for _, result in parsed)
    counter = _Progress(None, total, progress)
    with transaction.atomic():
        codes = _code_ids()
        for member, result in parsed:
            _load_hcpcs(member, result, codes, counter)


def _claim(name, is_qp, info, source) -> Release:
    """The release row, created or reclaimed as "loading" (committed, so the admin sees it).

    The caller holds the release's lock, so a release found in "loading" was left by a process
    that died: it is taken over. A loaded release keeps its status while files are added to it.
    """
    with transaction.atomic():
        release, _ = Release.objects.select_for_update().get_or_create(
            name=name,
            is_qp=is_qp,
            defaults={"year": info.year, "quarter": info.quarter, "revised": info.revised},
        )
        if not release.is_loaded:
            release.status = Release.Status.LOADING
        release.error = ""
        release.rows_loaded = 0
        if not release.is_loaded or not release.source:
            release.source = source[:500]  # a file added later does not replace the source
        if info.released_on:
            release.released_on = info.released_on
        release.effective_on = release.effective_on or info.effective_on
        release.save()
    return release


def _record_failure(release: Release, message: str) -> None:
    logger.warning("Import of %s failed: %s", release, message)
    updates = {"error": message, "updated_at": timezone.now()}
    if not Release.objects.filter(
        pk=release.pk, status__in=[Release.Status.READY, Release.Status.CURRENT]
    ).exists():
        updates["status"] = Release.Status.FAILED
    Release.objects.filter(pk=release.pk).update(**updates)
    release.refresh_from_db()


class _Progress:
    """Counts rows written; tells the caller and, through the cache, the admin page."""

    def __init__(self, release, total, callback):
        self.release = release
        self.total = total
        self.done = 0
        self.callback = callback
        self.tick(0)

    def tick(self, rows: int) -> None:
        self.done += rows
        if self.release is not None:
            codes_cache.progress_set(self.release.pk, self.done, self.total)
        if self.callback:
            self.callback(self.done, self.total)


def _code_ids() -> dict[str, int]:
    return dict(Code.objects.values_list("code", "id"))


def _ensure_codes(codes: dict[str, int], wanted: dict[str, str]) -> None:
    """Create the codes not seen before (wanted: code -> short descriptor)."""
    new = [
        Code(
            code=code,
            kind=categories.code_kind(code),
            category=categories.code_category(code),
            short_descriptor=descriptor[:100],
        )
        for code, descriptor in wanted.items()
        if code not in codes
    ]
    if new:
        # ignore_conflicts: another release's import may create the same new code meanwhile.
        Code.objects.bulk_create(new, batch_size=BATCH_SIZE, ignore_conflicts=True)
        codes.update(Code.objects.filter(code__in=[c.code for c in new]).values_list("code", "id"))


def _is_newest(release: Release) -> bool:
    newer = (
        Release.objects.filter(status__in=[Release.Status.READY, Release.Status.CURRENT])
        .exclude(pk=release.pk)
        .order_by("-year", "-quarter", "-revised")
        .first()
    )
    return newer is None or newer.sort_key() <= release.sort_key()


def _load_pprrvu(release, member, parsed: parsing.ParsedPPRRVU, codes, counter) -> None:
    fields = parsing.PPRRVU_FIELDS
    code_i = fields.index("code")
    mod_i = fields.index("modifier")
    desc_i = fields.index("description")
    descriptors: dict[str, str] = {}
    for row in parsed.rows:
        # The global row's descriptor wins over the 26/TC rows'.
        if row[mod_i] == "" or row[code_i] not in descriptors:
            descriptors[row[code_i]] = row[desc_i]
    _ensure_codes(codes, descriptors)
    if _is_newest(release):
        _update_short_descriptors(codes, descriptors)

    RelativeValue.objects.filter(release=release).delete()
    for start in range(0, len(parsed.rows), BATCH_SIZE):
        batch = parsed.rows[start : start + BATCH_SIZE]
        objs = []
        for row in batch:
            values = dict(zip(fields, row, strict=True))
            code = values.pop("code")
            objs.append(RelativeValue(release=release, code_id=codes[code], **values))
        RelativeValue.objects.bulk_create(objs)
        counter.tick(len(batch))

    loaded = RelativeValue.objects.filter(release=release).count()
    if loaded != len(parsed.rows):
        raise FeeScheduleImportError(
            f"{member.name}: {len(parsed.rows)} rows read but {loaded} stored"
        )
    release.conversion_factor = parsed.conversion_factor
    if parsed.info.released_on:
        release.released_on = parsed.info.released_on
    release.source_sha256 = member.sha256
    release.rvu_count = loaded
    release.code_count = len(descriptors)
    _record_source(release, member, parsing.PPRRVU, loaded)


def _update_short_descriptors(codes, descriptors) -> None:
    current = dict(
        Code.objects.filter(code__in=list(descriptors)).values_list("code", "short_descriptor")
    )
    changed = [
        (descriptor[:100], code)
        for code, descriptor in descriptors.items()
        if current.get(code) is not None and current[code] != descriptor[:100]
    ]
    if changed:
        table = Code._meta.db_table
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET short_descriptor = %s WHERE code = %s",
                changed,
            )


def _load_gpci(release, member, parsed: parsing.ParsedTable, counter) -> None:
    Locality.objects.filter(release=release).delete()
    Locality.objects.bulk_create(
        [Locality(release=release, **row) for row in parsed.dicts()], batch_size=BATCH_SIZE
    )
    counter.tick(len(parsed.rows))
    release.locality_count = len(parsed.rows)
    _record_source(release, member, parsing.GPCI, len(parsed.rows))


def _localities_by_key(release, member) -> dict[tuple[str, str], Locality]:
    localities = {(loc.mac, loc.locality_number): loc for loc in release.localities.all()}
    if not localities:
        raise FeeScheduleImportError(
            f"{member.name}: {release} has no localities yet; import its GPCI file with it"
        )
    return localities


def _load_locco(release, member, parsed: parsing.ParsedTable, counter) -> None:
    """Counties per locality. A locality listed twice (two carriers) gets its counties once."""
    localities = _localities_by_key(release, member)
    areas: dict[tuple, list[str]] = {}
    counties: dict[tuple, list[str]] = {}
    for line, row in zip(parsed.lines, parsed.dicts(), strict=True):
        key = (row["mac"], row["locality_number"])
        if key not in localities:
            raise FeeScheduleImportError(
                f"{member.name}, line {line}: locality {key[0]}-{key[1]} is not in the GPCI file"
            )
        for target, value in ((areas, row["fee_schedule_area"]), (counties, row["counties"])):
            values = target.setdefault(key, [])
            if value and value.rstrip("* ") not in [v.rstrip("* ") for v in values]:
                values.append(value)
    for key, locality in localities.items():
        locality.fee_schedule_area = "; ".join(areas.get(key, []))[:200]
        locality.counties = "; ".join(counties.get(key, []))
    Locality.objects.bulk_update(localities.values(), ["fee_schedule_area", "counties"])
    counter.tick(len(parsed.rows))
    _record_source(release, member, parsing.LOCCO, len(parsed.rows))


def _load_anes(release, member, parsed: parsing.ParsedTable, counter) -> None:
    localities = _localities_by_key(release, member)
    for line, row in zip(parsed.lines, parsed.dicts(), strict=True):
        key = (row["mac"], row["locality_number"])
        if key not in localities:
            raise FeeScheduleImportError(
                f"{member.name}, line {line}: locality {key[0]}-{key[1]} is not in the GPCI file"
            )
        localities[key].anesthesia_conversion_factor = row["anesthesia_conversion_factor"]
        localities[key].qp_anesthesia_conversion_factor = row["qp_anesthesia_conversion_factor"]
    Locality.objects.bulk_update(
        localities.values(), ["anesthesia_conversion_factor", "qp_anesthesia_conversion_factor"]
    )
    release.anesthesia_conversion_factor = parsed.extra.get("national_conversion_factor")
    release.qp_anesthesia_conversion_factor = parsed.extra.get("qp_national_conversion_factor")
    counter.tick(len(parsed.rows))
    _record_source(release, member, parsing.ANES, len(parsed.rows))


def _load_oppscap(release, member, parsed: parsing.ParsedTable, codes, counter) -> None:
    rows = parsed.dicts()
    _ensure_codes(codes, {row["code"]: "" for row in rows})
    OppsCap.objects.filter(release=release).delete()
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        OppsCap.objects.bulk_create(
            [OppsCap(release=release, code_id=codes[row.pop("code")], **row) for row in batch]
        )
        counter.tick(len(batch))
    release.opps_cap_count = len(rows)
    _record_source(release, member, parsing.OPPSCAP, len(rows))


def _load_hcpcs(member, parsed: parsing.ParsedTable, codes, counter) -> None:
    """Long descriptors and dates for Level II codes; new codes are created from the file."""
    rows = parsed.dicts()
    _ensure_codes(codes, {row["code"]: row["short_descriptor"] for row in rows})
    table = Code._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET long_descriptor = %s, hcpcs_added_on = %s, "
            "hcpcs_effective_on = %s, hcpcs_terminated_on = %s, "
            "short_descriptor = CASE WHEN short_descriptor = '' THEN %s "
            "ELSE short_descriptor END WHERE code = %s",
            [
                (
                    row["long_descriptor"],
                    row["added_on"],
                    row["effective_on"],
                    row["terminated_on"],
                    row["short_descriptor"][:100],
                    row["code"],
                )
                for row in rows
            ],
        )
    counter.tick(len(rows))
    _record_source(None, member, parsing.HCPCS, len(rows))


def _record_source(release, member, kind, rows) -> None:
    SourceFile.objects.update_or_create(
        sha256=member.sha256,
        defaults={
            "release": release,
            "kind": kind,
            "file_name": member.file_name,
            "row_count": rows,
        },
    )


def _analyze() -> None:
    """Refresh PostgreSQL's statistics after a bulk load, so search and pages are planned for
    the rows that are there now rather than before autovacuum notices (outside the import's
    transaction: ANALYZE sees committed rows)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Code, RelativeValue, Locality, OppsCap):
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')


def _finish(release: Release, counter: _Progress) -> None:
    if release.status in (Release.Status.LOADING, Release.Status.FAILED):
        release.status = Release.Status.READY
    release.rows_loaded = counter.done
    release.rows_total = counter.total
    release.loaded_at = timezone.now()
    release.error = ""
    release.full_clean(validate_unique=False, validate_constraints=False)
    release.save()


# --- Locks ------------------------------------------------------------------------------------


def release_lock_key(name: str, is_qp: bool) -> str:
    """The name of the lock (rvuedge.locks) a process holds while it imports a release."""
    return f"codes.release:{name}:{is_qp}"


@contextmanager
def release_locks(keys) -> Iterator[None]:
    """Hold the import lock of each (name, is_qp) release, or raise ImportInProgress."""
    with ExitStack() as held:
        for name, is_qp in keys:
            if not held.enter_context(locks.try_lock(release_lock_key(name, is_qp))):
                raise ImportInProgress(
                    f"{name}{' (QP)' if is_qp else ''} is being imported by another process; "
                    "try again when it has finished"
                )
        yield


# --- Current release and change summary -------------------------------------------------------


@transaction.atomic
def release_make_current(*, release: Release) -> Release:
    """Make a loaded release the one pages price from, and summarise what changed.

    The previous current release (same QP flag) goes back to "ready" and stays queryable.
    """
    release = Release.objects.select_for_update().get(pk=release.pk)
    if release.status == Release.Status.CURRENT:
        return release
    if release.status != Release.Status.READY or not release.rvu_count:
        raise FeeScheduleImportError(
            f"{release} cannot be made current: it is {release.get_status_display().lower()}"
            f"{'' if release.rvu_count else ' and has no RVU rows'}",
            release=release,
        )
    previous = (
        Release.objects.select_for_update()
        .filter(status=Release.Status.CURRENT, is_qp=release.is_qp)
        .first()
    )
    if previous:
        previous.status = Release.Status.READY
        previous.save(update_fields=["status", "updated_at"])
        release.change_summary = change_summary(previous=previous, release=release)
    release.status = Release.Status.CURRENT
    release.made_current_at = timezone.now()
    release.save(update_fields=["status", "made_current_at", "change_summary", "updated_at"])
    transaction.on_commit(codes_cache.current_release_name_clear)
    return release


def change_summary(*, previous: Release, release: Release) -> dict:
    """Codes added and removed, and work RVU changes, from `previous` to `release`."""

    def rows(r):
        return RelativeValue.objects.filter(release=r).values_list(
            "code__code", "modifier", "work_rvu"
        )

    return summarize(
        previous_name=str(previous),
        old=rows(previous),
        new=rows(release),
        top=TOP_WORK_CHANGES,
    )


# --- Re-running and downloads -----------------------------------------------------------------


def release_reimport(
    *, release: Release, progress: ProgressCallback | None = None
) -> ImportOutcome:
    """Run a failed import again from the source it was imported from (path or URL)."""
    if not release.source:
        raise FeeScheduleImportError(f"{release} has no recorded source to import again")
    source = release.source
    if not _is_url(source):
        path = Path(source)
        if not path.is_absolute():
            path = Path(settings.CMS_DATA_DIR) / source
        if not path.exists():
            raise FeeScheduleImportError(
                f"{release}: the source {source} is no longer there; import the file again"
            )
        source = path
    return release_import(source=source, name=release.name, progress=progress)


def _is_url(text: str) -> bool:
    return urlsplit(text).scheme in ("http", "https")


@contextmanager
def _downloaded(url: str) -> Iterator[Path]:
    """The file at url, downloaded with the refresh's limits and retries (rvuedge.downloads)."""
    try:
        with downloaded(url) as path:
            yield path
    except DownloadError as exc:
        raise FeeScheduleImportError(str(exc)) from None
