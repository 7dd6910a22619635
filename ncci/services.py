"""Importing NCCI edit files: each set of files complete in one transaction, or nothing.

The same files (by SHA-256) import once; a second run says so and changes nothing. Two
processes never load the same set at once (a named lock). `progress(done, total)` is called as
rows are written, and the numbers are kept in the cache for the admin page.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.core.cache import cache
from django.db import transaction

from rvuedge import locks
from rvuedge.downloads import DownloadError, downloaded

from . import files
from .models import AddOnEdit, EditSet, Mue, PtpEdit

logger = logging.getLogger(__name__)
BATCH_ROWS = 5000
PTP_PARTS = 4


class EditImportError(Exception):
    """An import that changed nothing; the message names the file, line and column."""


@dataclass(frozen=True)
class Outcome:
    edit_set: EditSet
    imported: bool  # False: these files were imported before

    @property
    def message(self) -> str:
        s = self.edit_set
        if not self.imported:
            return f"{s} is already imported ({s.rows:,} edits); nothing changed."
        return f"Imported {s} ({s.rows:,} edits, in force from {s.effective_on:%Y-%m-%d})."


def edits_import(*, source: str | Path, source_url: str = "", progress=None) -> list[Outcome]:
    """Import the edit files in `source` (a file, zip or folder, or an http(s) URL): one set per
    kind and version found. Raises EditImportError naming the problem; nothing is written then."""
    if str(source).startswith(("http://", "https://")):
        try:
            with downloaded(str(source)) as path:
                return edits_import(source=path, source_url=str(source), progress=progress)
        except DownloadError as exc:
            raise EditImportError(str(exc)) from None
    try:
        members = files.read_source(source)
    except files.EditFileError as exc:
        raise EditImportError(str(exc)) from None
    groups: dict[tuple[str, str, object], list[files.Member]] = defaultdict(list)
    for member in members:
        identity = files.identify(member.file_name)
        groups[(identity.kind, identity.version, identity.effective_on)].append(member)
    return [
        _import_set(kind, version, effective_on, group, source_url, progress)
        for (kind, version, effective_on), group in sorted(groups.items())
    ]


def _content_hash(members: list[files.Member]) -> str:
    return hashlib.sha256("".join(sorted(m.sha256 for m in members)).encode()).hexdigest()


def _import_set(kind, version, effective_on, members, source_url, progress) -> Outcome:
    content_hash = _content_hash(members)
    with locks.try_lock(f"ncci:{kind}:{content_hash}") as acquired:
        if not acquired:
            raise EditImportError(f"{members[0].name}: another process is importing these files.")
        existing = EditSet.objects.filter(kind=kind, content_hash=content_hash).first()
        if existing:
            return Outcome(existing, imported=False)
        if kind == files.PTP:
            parts = sorted(files.identify(m.file_name).part for m in members)
            if parts != list(range(1, PTP_PARTS + 1)):
                raise EditImportError(
                    f"{members[0].name}: a quarter's PTP edits come in {PTP_PARTS} parts "
                    f"(f1 to f{PTP_PARTS}); found part(s) {', '.join(map(str, parts))}. "
                    "Nothing was imported."
                )
        parsed = []
        for member in members:
            try:
                parsed.append((member, files.parse(member).rows))
            except files.EditFileError as exc:
                raise EditImportError(f"{exc} Nothing was imported.") from None
        edit_set = _write(kind, version, effective_on, parsed, content_hash, source_url, progress)
    logger.info("Imported %s: %s edits", edit_set, edit_set.rows)
    return Outcome(edit_set, imported=True)


ROW_MODELS = {
    files.MUE: lambda s, r: Mue(
        edit_set=s, code=r.code, units=r.units, mai=r.mai, rationale=r.rationale[:120]
    ),
    files.AOC: lambda s, r: AddOnEdit(
        edit_set=s, edit_type=r.edit_type, addon=r.addon, primary=r.primary,
        effective_on=r.effective_on, deleted_on=r.deleted_on, notes=r.notes[:300],
    ),
    files.PTP: lambda s, r: PtpEdit(
        edit_set=s, column1=r.column1, column2=r.column2, effective_on=r.effective_on,
        deleted_on=r.deleted_on, modifier=r.modifier, rationale=r.rationale[:200],
    ),
}  # fmt: skip
MODELS = {files.MUE: Mue, files.AOC: AddOnEdit, files.PTP: PtpEdit}


def progress_key(kind: str) -> str:
    return f"ncci:progress:{kind}"


@transaction.atomic
def _write(kind, version, effective_on, parsed, content_hash, source_url, progress) -> EditSet:
    total = sum(len(rows) for _, rows in parsed)
    edit_set = EditSet.objects.create(
        kind=kind,
        version=version,
        effective_on=effective_on,
        content_hash=content_hash,
        source_url=source_url,
        rows=total,
        files=[{"name": m.name, "sha256": m.sha256, "rows": len(rows)} for m, rows in parsed],
    )
    make, model = ROW_MODELS[kind], MODELS[kind]
    done = 0
    rows = [row for _, member_rows in parsed for row in member_rows]
    for start in range(0, total, BATCH_ROWS):
        model.objects.bulk_create(make(edit_set, row) for row in rows[start : start + BATCH_ROWS])
        done = min(total, start + BATCH_ROWS)
        cache.set(progress_key(kind), {"version": version, "done": done, "total": total}, 3600)
        if progress:
            progress(done, total)
    cache.delete(progress_key(kind))
    return edit_set
