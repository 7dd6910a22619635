"""Which edits apply: the newest imported set of each kind in force on a date of service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import checks
from .models import AddOnEdit, EditSet, Mue, PtpEdit


def edit_set_for(kind: str, day: dt.date | None = None) -> EditSet | None:
    """The set of `kind` in force on `day` (today when None): the newest whose first day has
    come; before every set's first day, the oldest (the closest there is). None before any
    import."""
    sets = EditSet.objects.filter(kind=kind).order_by("-effective_on", "-pk")
    if day is not None:
        started = sets.filter(effective_on__lte=day).first()
        return started or sets.order_by("effective_on", "pk").first()
    return sets.first()


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


def code_edits(code: str, day: dt.date | None = None) -> CodeEdits:
    found = CodeEdits()
    if mue_set := edit_set_for(EditSet.Kind.MUE, day):
        found.mue_set = mue_set
        found.mue = Mue.objects.filter(edit_set=mue_set, code=code).first()
    if aoc_set := edit_set_for(EditSet.Kind.AOC, day):
        found.aoc_set = aoc_set
        edits = _live(AddOnEdit.objects.filter(edit_set=aoc_set), day)
        found.primaries = list(edits.filter(addon=code).order_by("primary"))
        found.addons = list(edits.filter(primary=code).order_by("addon"))
    if ptp_set := edit_set_for(EditSet.Kind.PTP, day):
        found.ptp_set = ptp_set
        edits = _live(PtpEdit.objects.filter(edit_set=ptp_set), day)
        found.bundled_into = list(edits.filter(column2=code).order_by("column1")[:PTP_LISTED])
        found.bundles = list(edits.filter(column1=code).order_by("column2")[:PTP_LISTED])
        found.ptp_count = {
            "bundled_into": edits.filter(column2=code).count(),
            "bundles": edits.filter(column1=code).count(),
        }
    return found


def sets_for(day: dt.date | None) -> tuple[EditSet | None, EditSet | None, EditSet | None]:
    """The MUE, add-on and PTP sets in force on `day`."""
    return (
        edit_set_for(EditSet.Kind.MUE, day),
        edit_set_for(EditSet.Kind.AOC, day),
        edit_set_for(EditSet.Kind.PTP, day),
    )


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
