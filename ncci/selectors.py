"""Which edits apply: the newest imported set of each kind in force on a date of service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q

from . import checks
from .models import AddOnEdit, EditSet, Mue, PtpEdit


def _in_force(sets: list[EditSet], day: dt.date | None) -> EditSet | None:
    """Of one kind's sets, the one in force on `day`: the newest whose first day has come;
    before every set's first day, the oldest (the closest there is); with no day, the newest.
    None before any import."""
    newest_first = sorted(sets, key=lambda s: (s.effective_on, s.pk), reverse=True)
    if day is not None:
        started = next((s for s in newest_first if s.effective_on <= day), None)
        return started or (newest_first[-1] if newest_first else None)
    return newest_first[0] if newest_first else None


@dataclass(frozen=True)
class InForce:
    """The set of each kind in force on `day`, read in one query; `next_change` is the first
    day after `day` on which another set comes into force (None when none is waiting), so a
    page cached with these sets knows when to look again."""

    day: dt.date | None
    mue: EditSet | None = None
    aoc: EditSet | None = None
    ptp: EditSet | None = None
    next_change: dt.date | None = None

    @property
    def ids(self) -> str:
        """The sets' ids, e.g. "3-4-0" (0: no set of that kind), for cache keys."""
        return "-".join(str(s.pk if s else 0) for s in (self.mue, self.aoc, self.ptp))


def sets_in_force(day: dt.date | None = None) -> InForce:
    sets = list(EditSet.objects.defer("files"))
    by_kind = {kind: [s for s in sets if s.kind == kind] for kind in EditSet.Kind.values}
    waiting = [s.effective_on for s in sets if day is not None and s.effective_on > day]
    return InForce(
        day=day,
        mue=_in_force(by_kind[EditSet.Kind.MUE], day),
        aoc=_in_force(by_kind[EditSet.Kind.AOC], day),
        ptp=_in_force(by_kind[EditSet.Kind.PTP], day),
        next_change=min(waiting, default=None),
    )


def _live(queryset, day: dt.date | None):
    """Edits not deleted by `day`."""
    if day is None:
        return queryset.filter(deleted_on__isnull=True)
    return queryset.exclude(deleted_on__lte=day)


@dataclass
class CodeEdits:
    """A code's NCCI edits for its page: each list with the set (version) it comes from."""

    mue: Mue | None = None
    mue_set: EditSet | None = None
    primaries: list[AddOnEdit] = field(default_factory=list)  # when the code is an add-on
    addons: list[AddOnEdit] = field(default_factory=list)  # when the code is a primary
    aoc_set: EditSet | None = None
    bundled_into: list[PtpEdit] = field(default_factory=list)  # code is column 2
    bundles: list[PtpEdit] = field(default_factory=list)  # code is column 1
    ptp_set: EditSet | None = None
    ptp_count: dict = field(default_factory=dict)

    @property
    def any(self) -> bool:
        return bool(self.mue_set or self.aoc_set or self.ptp_set)


PTP_LISTED = 50


def code_edits(code: str, day: dt.date | None = None, *, sets: InForce | None = None) -> CodeEdits:
    """The code's edits in force on `day` (the newest when None). `sets` (sets_in_force(day)),
    when the caller has them, saves reading them again: one query each for the MUE and the
    add-on edits, and at most three for the PTP edits."""
    sets = sets or sets_in_force(day)
    found = CodeEdits(mue_set=sets.mue, aoc_set=sets.aoc, ptp_set=sets.ptp)
    if sets.mue:
        found.mue = Mue.objects.filter(edit_set=sets.mue, code=code).first()
    if sets.aoc:
        edits = _live(AddOnEdit.objects.filter(edit_set=sets.aoc), day)
        both = list(edits.filter(Q(addon=code) | Q(primary=code)).order_by("primary", "addon"))
        found.primaries = [e for e in both if e.addon == code]
        found.addons = sorted((e for e in both if e.primary == code), key=lambda e: e.addon)
    if sets.ptp:
        _ptp(found, code, _live(PtpEdit.objects.filter(edit_set=sets.ptp), day))
    return found


def _ptp(found: CodeEdits, code: str, edits) -> None:
    mine = edits.filter(Q(column1=code) | Q(column2=code))  # by the indexes, not the whole set
    found.ptp_count = mine.aggregate(
        bundled_into=Count("pk", filter=Q(column2=code)),
        bundles=Count("pk", filter=Q(column1=code)),
    )
    if found.ptp_count["bundled_into"]:
        found.bundled_into = list(edits.filter(column2=code).order_by("column1")[:PTP_LISTED])
    if found.ptp_count["bundles"]:
        found.bundles = list(edits.filter(column1=code).order_by("column2")[:PTP_LISTED])


def sets_for(day: dt.date | None) -> tuple[EditSet | None, EditSet | None, EditSet | None]:
    """The MUE, add-on and PTP sets in force on `day` (one query)."""
    in_force = sets_in_force(day)
    return in_force.mue, in_force.aoc, in_force.ptp


def edits_for(codes: set[str], sets, day: dt.date | None = None) -> checks.Edits:
    """The edits of `sets` (sets_for) that concern `codes`, for ncci.checks: the codes' MUEs,
    the add-on edits of those that are add-ons (with all their primaries) and the PTP pairs of
    two of them. Three queries at most."""
    mue_set, aoc_set, ptp_set = sets
    mue = {}
    if mue_set:
        rows = Mue.objects.filter(edit_set=mue_set, code__in=codes)
        mue = {code: (units, mai) for code, units, mai in rows.values_list("code", "units", "mai")}
    addons: dict[str, tuple[int, set[str]]] = {}
    if aoc_set:
        rows = _live(AddOnEdit.objects.filter(edit_set=aoc_set, addon__in=codes), day)
        for addon, edit_type, primary in rows.values_list("addon", "edit_type", "primary"):
            addons.setdefault(addon, (edit_type, set()))[1].add(primary)
    ptp = {}
    if ptp_set:
        rows = _live(
            PtpEdit.objects.filter(edit_set=ptp_set, column1__in=codes, column2__in=codes), day
        )
        ptp = {(c1, c2): m for c1, c2, m in rows.values_list("column1", "column2", "modifier")}
    return checks.Edits(
        mue, {code: (kind, frozenset(primaries)) for code, (kind, primaries) in addons.items()}, ptp
    )
