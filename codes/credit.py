"""Work RVU credit for the lines of one encounter: pure Python, no ORM.

Three figures per line (DOMAIN.md, "Work RVU credit"):
  raw            work RVU x units;
  Medicare-style CMS payment rules applied to the work RVU (Policy.medicare());
  employer policy the user's own switches (a Policy with rules turned off or other percentages).

The caller looks up each line's fee schedule row (the 26/TC/53 row when the line carries that
modifier and the release has one) and, for endoscopy families, the rows of the base codes.
Percentages are Decimals; credited values are kept to 4 decimal places.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")
PLACES = Decimal("0.0001")

# Statuses whose RVUs Medicare uses for payment (readme, field "Status Code").
PAYABLE_STATUSES = frozenset("ART")
STATUS_REASONS = {
    "B": "bundled into other services; its RVUs are not used for payment",
    "C": "priced by the Medicare contractor, so it has no national work value",
    "D": "deleted",
    "E": "excluded from the fee schedule by regulation, so it has no national work value",
    "F": "deleted (no grace period)",
    "G": "not valid for Medicare (another code is used)",
    "H": "a deleted modifier for this code",
    "I": "not valid for Medicare (another code is used)",
    "J": "an anesthesia code: paid by base and time units, not work RVUs",
    "M": "a measurement code, reported for quality only",
    "N": "not covered by Medicare",
    "P": "bundled or excluded: no separate payment",
    "X": "excluded by statute from physician services",
}

ASSISTANT_MODIFIERS = frozenset({"80", "81", "82"})
SPLIT_CARE_MODIFIERS = frozenset({"54", "55", "56"})
PCTC_ALLOWING_26 = frozenset({"1", "6", "8"})
PCTC_ALLOWING_TC = frozenset({"1"})
BY_REPORT_RANK = 6  # CMS: 100%, 50%, 50%, 50%, 50%, then by report


class Setting(StrEnum):
    FACILITY = "facility"
    NON_FACILITY = "non_facility"


@dataclass(frozen=True)
class FeeRow:
    """The PPRRVU values the credit rules read, for one code and modifier of a release."""

    code: str
    modifier: str
    status: str
    work_rvu: Decimal
    non_facility_total: Decimal
    facility_total: Decimal
    global_days: str
    pre_op: Decimal
    intra_op: Decimal
    post_op: Decimal
    mult_proc: str
    bilat_surg: str
    asst_surg: str
    co_surg: str
    team_surg: str
    pctc: str
    endo_base: str = ""

    @property
    def is_add_on(self) -> bool:
        return self.global_days == "ZZZ"

    def total(self, setting: Setting) -> Decimal:
        """Total RVUs in the setting: what ranks procedures by fee schedule amount."""
        if setting == Setting.FACILITY:
            return self.facility_total
        return self.non_facility_total


@dataclass(frozen=True)
class LineInput:
    code: str
    row: FeeRow
    modifiers: tuple[str, ...] = ()
    units: int = 1
    base_row: FeeRow | None = None  # the endoscopy base code's row, for MULT PROC 3 codes


@dataclass(frozen=True)
class Policy:
    """Which payment rules apply to work RVU credit, and the percentages for 22, 52 and 53.

    Medicare-style is every rule on and 100% for 22/52/53 (Medicare sets no fixed percentage
    for them). An employer's policy turns rules off or sets its own percentages.
    """

    multiple_procedure: bool = True
    endoscopy: bool = True
    bilateral: bool = True
    assistant: bool = True
    co_surgery: bool = True
    split_care: bool = True
    modifier_22_percent: Decimal = HUNDRED
    modifier_52_percent: Decimal = HUNDRED
    modifier_53_percent: Decimal = HUNDRED
    second_procedure_percent: Decimal = Decimal("50")

    @classmethod
    def medicare(cls) -> Policy:
        return cls()


@dataclass
class LineCredit:
    code: str
    modifiers: tuple[str, ...]
    units: int
    work_rvu: Decimal
    raw: Decimal
    credited: Decimal
    explanation: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class EncounterCredit:
    lines: list[LineCredit]
    raw: Decimal
    credited: Decimal


def quantize(value: Decimal) -> Decimal:
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """A credit as people read it: two places (values are kept to four)."""
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"


def pct(value: Decimal) -> str:
    text = f"{(value * HUNDRED).quantize(PLACES, rounding=ROUND_HALF_UP):f}"
    return f"{text.rstrip('0').rstrip('.')}%"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass
class _Work:
    """A line while its credit is worked out: the per-unit value after modifier rules."""

    index: int
    line: LineInput
    per_unit: Decimal  # work RVU per unit after modifier adjustments (before ranking)
    factor: Decimal  # the same adjustments as a factor, to scale the fee used for ranking
    explanation: list[str]
    warnings: list[str]
    payable: bool = True


@dataclass
class _Slot:
    """One procedure (a unit of a line, or an endoscopy family) taking part in the ranking."""

    fee: Decimal
    parts: list[tuple[_Work, Decimal, str]]  # (line, work before ranking, note)


def credit_encounter(
    lines: list[LineInput], setting: Setting, policy: Policy | None = None
) -> EncounterCredit:
    """Credit the lines of one encounter under a policy (Medicare-style by default)."""
    policy = policy or Policy.medicare()
    works = [_apply_modifiers(i, line, policy) for i, line in enumerate(lines)]
    _bundle_t_status(works)

    credited = [ZERO] * len(works)
    notes: list[list[str]] = [[] for _ in works]
    for slot_rank, slot in _ranked_slots(works, setting, policy):
        share, rank_note = _rank_multiplier(slot_rank, policy)
        for work, amount, note in slot.parts:
            credited[work.index] += amount * share
            if note:
                notes[work.index].append(note)
            if rank_note:
                notes[work.index].append(rank_note.format(amount=fmt(amount)))

    results = []
    for work in works:
        line, row = work.line, work.line.row
        raw = quantize(row.work_rvu * line.units)
        explanation = list(work.explanation) + notes[work.index]
        total = quantize(credited[work.index] if work.payable else ZERO)
        if not explanation:
            explanation.append(f"{fmt(row.work_rvu)} work RVU x {line.units} at 100%")
        results.append(
            LineCredit(
                code=line.code,
                modifiers=line.modifiers,
                units=line.units,
                work_rvu=row.work_rvu,
                raw=raw,
                credited=total,
                explanation=explanation,
                warnings=work.warnings,
            )
        )
    return EncounterCredit(
        lines=results,
        raw=sum((r.raw for r in results), ZERO),
        credited=sum((r.credited for r in results), ZERO),
    )


def _apply_modifiers(index: int, line: LineInput, policy: Policy) -> _Work:
    row, mods = line.row, set(line.modifiers)
    explanation: list[str] = []
    warnings: list[str] = []
    factor = ONE

    if row.status not in PAYABLE_STATUSES:
        reason = STATUS_REASONS.get(row.status, f"status {row.status}")
        warnings.append(f"{line.code} has status {row.status}: {reason}. No work RVU is credited.")
        return _Work(index, line, ZERO, ZERO, [f"status {row.status}: no credit"], warnings, False)
    if row.work_rvu == ZERO and "TC" not in mods:
        warnings.append(f"{line.code} has no work RVU in this release.")

    for modifier, allowed, note in (
        ("26", PCTC_ALLOWING_26, "26: the professional component carries the whole work RVU"),
        ("TC", PCTC_ALLOWING_TC, "TC: the technical component carries no work RVU"),
    ):
        if modifier not in mods:
            continue
        if row.pctc in allowed:
            explanation.append(note)
        else:
            warnings.append(f"Modifier {modifier} is not used with {line.code} (PC/TC {row.pctc}).")

    if "50" in mods:
        factor, note, warning = _bilateral(row, factor, policy)
        explanation += note
        warnings += warning

    if mods & ASSISTANT_MODIFIERS or "AS" in mods:
        factor, note, warning, payable = _assistant(row, mods, factor, policy)
        explanation += note
        warnings += warning
        if not payable:
            return _Work(index, line, ZERO, ZERO, explanation, warnings, False)

    if "62" in mods:
        factor, note, warning, payable = _co_surgery(row, factor, policy)
        explanation += note
        warnings += warning
        if not payable:
            return _Work(index, line, ZERO, ZERO, explanation, warnings, False)

    if "66" in mods:
        if row.team_surg == "0":
            warnings.append(f"Team surgery (66) is not permitted for {line.code}.")
            explanation.append("66: team surgery not permitted, no credit")
            return _Work(index, line, ZERO, ZERO, explanation, warnings, False)
        warnings.append("Team surgery (66) is paid by report: credited at 100% here.")

    split = mods & SPLIT_CARE_MODIFIERS
    if split:
        factor, note, warning = _split_care(row, sorted(split)[0], factor, policy)
        explanation += note
        warnings += warning

    for modifier, percent in (
        ("22", policy.modifier_22_percent),
        ("52", policy.modifier_52_percent),
        ("53", policy.modifier_53_percent),
    ):
        if modifier in mods and not (modifier == "53" and row.modifier == "53"):
            share = percent / HUNDRED
            factor *= share
            explanation.append(f"{modifier}: {pct(share)} under this policy")

    return _Work(index, line, row.work_rvu * factor, factor, explanation, warnings)


def _bilateral(row: FeeRow, factor: Decimal, policy: Policy):
    if not policy.bilateral:
        return factor, ["50: bilateral rule off under this policy, 100%"], []
    match row.bilat_surg:
        case "1":
            return factor * Decimal("1.5"), ["50: bilateral at 150%"], []
        case "2":
            return factor, ["50: already valued as bilateral, 100%"], []
        case "3":
            return factor * 2, ["50: each side at 100% (200%)"], []
        case "0":
            warning = f"The 150% bilateral adjustment does not apply to {row.code} (indicator 0)."
            return factor, ["50: bilateral adjustment not allowed, 100%"], [warning]
        case _:
            warning = f"Modifier 50 does not apply to {row.code} (bilateral indicator 9)."
            return factor, [], [warning]


def _assistant(row: FeeRow, mods: set[str], factor: Decimal, policy: Policy):
    if not policy.assistant:
        return factor, ["assistant rule off under this policy, 100%"], [], True
    share, label = (
        (Decimal("0.136"), "AS: non-physician assistant at 13.6%")
        if "AS" in mods
        else (Decimal("0.16"), "assistant at surgery at 16%")
    )
    match row.asst_surg:
        case "1":
            warning = f"An assistant at surgery is not paid for {row.code} (indicator 1)."
            return factor, ["assistant not payable for this code, no credit"], [warning], False
        case "0":
            warning = "Assistant at surgery is paid for this code only with documentation."
            return factor * share, [label], [warning], True
        case "2":
            return factor * share, [label], [], True
        case _:
            warning = f"Assistant-at-surgery modifiers do not apply to {row.code}."
            return factor * share, [label], [warning], True


def _co_surgery(row: FeeRow, factor: Decimal, policy: Policy):
    if not policy.co_surgery:
        return factor, ["62: co-surgery rule off under this policy, 100%"], [], True
    share = Decimal("0.625")
    match row.co_surg:
        case "0":
            warning = f"Co-surgeons (62) are not permitted for {row.code} (indicator 0)."
            return factor, ["62: co-surgery not permitted, no credit"], [warning], False
        case "1":
            warning = "Co-surgery is paid for this code only with documentation."
            return factor * share, ["62: co-surgeon at 62.5%"], [warning], True
        case "2":
            return factor * share, ["62: co-surgeon at 62.5%"], [], True
        case _:
            warning = f"Modifier 62 does not apply to {row.code} (co-surgery indicator 9)."
            return factor * share, ["62: co-surgeon at 62.5%"], [warning], True


def _split_care(row: FeeRow, modifier: str, factor: Decimal, policy: Policy):
    if not policy.split_care:
        return factor, [f"{modifier}: split-care rule off under this policy, 100%"], []
    if row.global_days not in {"010", "090"}:
        return factor, [], [f"Modifier {modifier} applies to codes with a 10- or 90-day global."]
    share, label = {
        "54": (row.pre_op + row.intra_op, "surgical care only (pre + intra)"),
        "55": (row.post_op, "postoperative care only"),
        "56": (row.pre_op, "preoperative care only"),
    }[modifier]
    warnings = []
    if modifier == "55":
        warnings.append("Postoperative share is prorated by the days of care you provided.")
    return factor * share, [f"{modifier}: {label}, {pct(share)}"], warnings


def _bundle_t_status(works: list[_Work]) -> None:
    """Status T (injections) is paid only when nothing else payable is billed that day."""
    others = [w for w in works if w.payable and w.line.row.status != "T"]
    if not others:
        return
    for work in works:
        if work.payable and work.line.row.status == "T":
            work.payable = False
            work.per_unit = ZERO
            work.explanation.append("status T: bundled with the other services of the encounter")
            work.warnings.append(
                f"{work.line.code} is paid only when no other service is billed the same day."
            )


def _ranked_slots(works: list[_Work], setting: Setting, policy: Policy):
    """Yield (rank, slot): rank is 1-based among the procedures the multiple-procedure rule
    ranks by fee schedule amount, None for what it leaves alone (or a lone procedure)."""
    unranked: list[tuple[_Work, Decimal, str]] = []
    singles: list[_Work] = []
    families: dict[str, list[_Work]] = {}
    for work in works:
        if not work.payable:
            continue
        row = work.line.row
        if row.is_add_on or row.mult_proc not in {"1", "2", "3"} or not policy.multiple_procedure:
            unranked.append((work, work.per_unit * work.line.units, _unranked_reason(row, policy)))
        elif row.mult_proc == "3" and policy.endoscopy and work.line.base_row is not None:
            families.setdefault(row.endo_base, []).append(work)
        else:
            singles.append(work)

    slots = [_endoscopy_family(base, members, setting) for base, members in families.items()]
    for work in singles:
        if work.line.row.code in families:
            note = f"base of the {work.line.row.code} endoscopy family: included in the family"
            unranked.append((work, ZERO, note))
            continue
        fee = work.line.row.total(setting) * work.factor
        slots += [_Slot(fee, [(work, work.per_unit, "")]) for _ in range(work.line.units)]

    for part in unranked:
        yield None, _Slot(ZERO, [part])
    slots.sort(key=lambda slot: slot.fee, reverse=True)  # stable: input order breaks ties
    for position, slot in enumerate(slots, start=1):
        yield (position if len(slots) > 1 else None), slot


def _unranked_reason(row: FeeRow, policy: Policy) -> str:
    if row.is_add_on:
        return "add-on code: never reduced"
    if row.mult_proc in {"1", "2", "3"} and not policy.multiple_procedure:
        return "multiple-procedure rule off under this policy"
    if row.mult_proc == "0":
        return "exempt from the multiple-procedure reduction"
    return ""


def _endoscopy_family(base: str, members: list[_Work], setting: Setting) -> _Slot:
    """Multiple endoscopy rule: the highest-valued member at 100%, every other member at its
    value minus the base code's value; the family then ranks as one procedure."""
    units = [work for work in members for _ in range(work.line.units)]
    units.sort(key=lambda w: w.line.row.total(setting) * w.factor, reverse=True)
    top = units[0]
    top_note = f"highest in the {base} endoscopy family: 100%" if len(units) > 1 else ""
    parts = [(top, top.per_unit, top_note)]
    fee = top.line.row.total(setting) * top.factor
    for work in units[1:]:
        base_row = work.line.base_row
        reduced = max(work.per_unit - base_row.work_rvu * work.factor, ZERO)
        note = (
            f"endoscopy family {base}: {fmt(work.per_unit)} minus base"
            f" {fmt(base_row.work_rvu * work.factor)} = {fmt(reduced)}"
        )
        parts.append((work, reduced, note))
        fee += max(work.line.row.total(setting) - base_row.total(setting), ZERO) * work.factor
    return _Slot(fee, parts)


def _rank_multiplier(rank: int | None, policy: Policy) -> tuple[Decimal, str]:
    if rank is None:
        return ONE, ""
    if rank == 1:
        return ONE, "ranked 1st by fee: 100%"
    share = policy.second_procedure_percent / HUNDRED
    note = f"ranked {ordinal(rank)} by fee: {pct(share)} of {{amount}}"
    if rank >= BY_REPORT_RANK:
        note += " (beyond the fifth procedure CMS pays by report)"
    return share, note
