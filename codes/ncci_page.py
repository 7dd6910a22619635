"""A code's NCCI edits as its page and the API show them: the units a day (MUE) and what its
adjudication indicator means, the primary codes of an add-on code and the add-ons of a primary,
and the procedure-to-procedure pairs it is in, each with the set (version, first day in force)
it comes from.

Pure: ncci.selectors reads the edits and codes.selectors the descriptors; this module only
puts them in words. The words explain CMS's published policy (the NCCI policy manual and the
MUE and add-on code edit pages); every number comes from the imported files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

CONTRACTOR_DEFINED = "CCCCC"  # an AOC row whose primary codes the Medicare contractor defines
LISTED_OPEN = 12  # primary or add-on codes shown before the rest fold under "Show all"

MAI_LABELS = {
    1: "Per claim line",
    2: "Per day, policy (absolute)",
    3: "Per day, clinical",
}


def mai_meaning(mai: int, units: int, code: str) -> str:
    """What the MUE adjudication indicator means for the units reported, in plain words."""
    unit_words = f"{units} unit{'' if units == 1 else 's'}"
    if mai == 1:
        return (
            f"Claim line edit: Medicare checks each line on its own. Up to {unit_words} of "
            f"{code} on one line; units above that on the line are denied. Further units on the "
            "same day, when really done, go on another line with a modifier that explains them "
            "(such as 59, 76, 91 or an anatomic modifier)."
        )
    if mai == 2:
        return (
            f"Date of service edit from policy: Medicare adds up the units of every line of "
            f"{code} for the patient on the day, and units above {units} are denied. The "
            "limit comes from policy or the code's definition, so it is absolute: an appeal "
            "does not lift it."
        )
    if mai == 3:
        return (
            f"Date of service edit from clinical data: Medicare adds up the units of every line "
            f"of {code} for the patient on the day, and units above {units} are denied. "
            "The limit is a clinical benchmark, so an appeal with records showing the extra "
            "units were medically necessary can succeed."
        )
    return f"Adjudication indicator {mai}: not one CMS documents (1, 2 or 3)."


AOC_TYPE_MEANINGS = {
    1: "Report it only with one of the primary codes listed.",
    2: "CMS lists no primary codes: the Medicare contractor decides which primary procedures it "
    "may be reported with.",
    3: "Report it with one of the primary codes listed, or another the Medicare contractor allows.",
}
PTP_MODIFIER = {
    0: "No modifier bypasses the edit: the column 2 code is not paid with the column 1 code.",
    1: "A modifier may bypass the edit when the services were distinct (such as 59, XE, XS, XP, "
    "XU or an anatomic modifier, or 25 or 57 on a visit), if the records support it.",
    9: "Not applicable: the edit was deleted.",
}
PTP_MODIFIER_SHORT = {0: "Not allowed", 1: "Allowed", 9: "Not applicable"}


@dataclass(frozen=True)
class EditSource:
    """Where a list of edits comes from: the imported set's kind, version and first day."""

    label: str  # "Medically Unlikely Edits"
    version: str  # "2026Q2", "v32.2r0"
    effective_on: dt.date

    def as_dict(self) -> dict:
        return {
            "name": self.label,
            "version": self.version,
            "effective_on": self.effective_on.isoformat(),
        }


@dataclass(frozen=True)
class MueLimit:
    units: int
    mai: int
    rationale: str
    code: str

    @property
    def mai_label(self) -> str:
        return MAI_LABELS.get(self.mai, f"Indicator {self.mai}")

    @property
    def per_day(self) -> bool:
        return self.mai in (2, 3)

    @property
    def meaning(self) -> str:
        return mai_meaning(self.mai, self.units, self.code)

    def as_dict(self) -> dict:
        return {
            "units": self.units,
            "adjudication_indicator": self.mai,
            "adjudication": self.mai_label,
            "per_day": self.per_day,
            "meaning": self.meaning,
            "rationale": self.rationale or None,
        }


@dataclass(frozen=True)
class LinkedCode:
    """A code an edit names: linked when it has a page here, with its descriptor when shown."""

    code: str
    descriptor: str = ""
    has_page: bool = False

    def as_dict(self) -> dict:
        return {"code": self.code, "descriptor": self.descriptor or None, "has_page": self.has_page}


@dataclass(frozen=True)
class AddOnPair:
    other: LinkedCode  # the primary code (for an add-on's page) or the add-on (for a primary's)
    edit_type: int
    effective_on: dt.date | None
    notes: str

    def as_dict(self) -> dict:
        return {
            **self.other.as_dict(),
            "edit_type": self.edit_type,
            "effective_on": self.effective_on.isoformat() if self.effective_on else None,
            "notes": self.notes or None,
        }


@dataclass(frozen=True)
class PtpPair:
    column1: str
    column2: str
    other: LinkedCode  # the code paired with the page's code
    modifier: int
    effective_on: dt.date
    rationale: str

    @property
    def modifier_allowed(self) -> bool:
        return self.modifier == 1

    @property
    def modifier_short(self) -> str:
        return PTP_MODIFIER_SHORT.get(self.modifier, str(self.modifier))

    @property
    def modifier_words(self) -> str:
        return PTP_MODIFIER.get(self.modifier, f"Modifier indicator {self.modifier}.")

    def as_dict(self) -> dict:
        return {
            "column1": self.column1,
            "column2": self.column2,
            "other": self.other.as_dict(),
            "modifier_indicator": self.modifier,
            "modifier_allowed": self.modifier_allowed,
            "modifier": self.modifier_words,
            "effective_on": self.effective_on.isoformat(),
            "rationale": self.rationale or None,
        }


@dataclass(frozen=True)
class CodingEdits:
    """Everything the page's coding-edit part shows. A source of None: that kind of edit is not
    imported (the page says so rather than implying there is no edit)."""

    code: str
    mue_source: EditSource | None = None
    mue: MueLimit | None = None
    aoc_source: EditSource | None = None
    primaries: list[AddOnPair] = field(default_factory=list)
    addons: list[AddOnPair] = field(default_factory=list)
    ptp_source: EditSource | None = None
    bundled_into: list[PtpPair] = field(default_factory=list)  # the code is column 2
    bundles: list[PtpPair] = field(default_factory=list)  # the code is column 1
    bundled_into_count: int = 0
    bundles_count: int = 0

    @property
    def loaded(self) -> bool:
        return bool(self.mue_source or self.aoc_source or self.ptp_source)

    @property
    def listed_primaries(self) -> list[AddOnPair]:
        return [p for p in self.primaries if p.other.code != CONTRACTOR_DEFINED]

    @property
    def contractor_defined(self) -> bool:
        """The Medicare contractor defines (some of) the add-on code's primary codes."""
        return any(p.edit_type in (2, 3) for p in self.primaries)

    @property
    def primary_types(self) -> list[int]:
        return sorted({p.edit_type for p in self.primaries})

    @property
    def primary_rule(self) -> str:
        """How the add-on code's primary codes are set, from the types of its edits."""
        return " ".join(AOC_TYPE_MEANINGS.get(t, "") for t in self.primary_types).strip()

    @property
    def primaries_open(self) -> list[AddOnPair]:
        return self.listed_primaries[:LISTED_OPEN]

    @property
    def primaries_folded(self) -> list[AddOnPair]:
        return self.listed_primaries[LISTED_OPEN:]

    @property
    def addons_open(self) -> list[AddOnPair]:
        return self.addons[:LISTED_OPEN]

    @property
    def addons_folded(self) -> list[AddOnPair]:
        return self.addons[LISTED_OPEN:]

    @property
    def bundled_into_more(self) -> int:
        return self.bundled_into_count - len(self.bundled_into)

    @property
    def bundles_more(self) -> int:
        return self.bundles_count - len(self.bundles)

    def as_dict(self) -> dict:
        def source(s):
            return s.as_dict() if s else None

        ptp = None
        if self.ptp_source:
            ptp = {
                **source(self.ptp_source),
                "bundled_into": [p.as_dict() for p in self.bundled_into],
                "bundled_into_count": self.bundled_into_count,
                "bundles": [p.as_dict() for p in self.bundles],
                "bundles_count": self.bundles_count,
            }
        return {
            "mue": {**source(self.mue_source), "limit": self.mue.as_dict() if self.mue else None}
            if self.mue_source
            else None,
            "add_on": {
                **source(self.aoc_source),
                "primaries": [p.as_dict() for p in self.listed_primaries],
                "contractor_defined": self.contractor_defined,
                "primary_rule": self.primary_rule or None,
                "addons": [p.as_dict() for p in self.addons],
            }
            if self.aoc_source
            else None,
            "ptp": ptp,
        }


def linked(code: str, known: dict[str, str | None]) -> LinkedCode:
    """`known`: {code: descriptor to show ("" when hidden)} of the codes with a page."""
    if code in known:
        return LinkedCode(code, known[code] or "", has_page=True)
    return LinkedCode(code)


def named_codes(edits) -> set[str]:
    """The codes an ncci.selectors.CodeEdits names besides the page's own."""
    names = {e.primary for e in edits.primaries} | {e.addon for e in edits.addons}
    names |= {e.column1 for e in edits.bundled_into} | {e.column2 for e in edits.bundles}
    return names - {CONTRACTOR_DEFINED}


def _source(edit_set, label: str) -> EditSource | None:
    return EditSource(label, edit_set.version, edit_set.effective_on) if edit_set else None


def _addon_pairs(edits: Iterable, side: str, known) -> list[AddOnPair]:
    """One pair per code (a file may hold a deleted edit and its successor both in force)."""
    pairs: dict[str, AddOnPair] = {}
    for e in edits:
        code = getattr(e, side)
        pairs.setdefault(code, AddOnPair(linked(code, known), e.edit_type, e.effective_on, e.notes))
    return list(pairs.values())


def _ptp_pairs(edits: Iterable, side: str, known) -> list[PtpPair]:
    return [
        PtpPair(
            e.column1,
            e.column2,
            linked(getattr(e, side), known),
            e.modifier,
            e.effective_on,
            e.rationale,
        )
        for e in edits
    ]


def compose(code: str, edits, known: dict[str, str]) -> CodingEdits:
    """The page's coding edits from an ncci.selectors.CodeEdits and the descriptors of the codes
    it names (`known`, see linked)."""
    mue = edits.mue
    return CodingEdits(
        code=code,
        mue_source=_source(edits.mue_set, "Medically Unlikely Edits"),
        mue=MueLimit(mue.units, mue.mai, mue.rationale, code) if mue else None,
        aoc_source=_source(edits.aoc_set, "Add-on code edits"),
        primaries=_addon_pairs(edits.primaries, "primary", known),
        addons=_addon_pairs(edits.addons, "addon", known),
        ptp_source=_source(edits.ptp_set, "Procedure-to-procedure edits"),
        bundled_into=_ptp_pairs(edits.bundled_into, "column1", known),
        bundles=_ptp_pairs(edits.bundles, "column2", known),
        bundled_into_count=edits.ptp_count.get("bundled_into", 0),
        bundles_count=edits.ptp_count.get("bundles", 0),
    )
