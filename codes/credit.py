"""Work RVU credit for the lines of one encounter: pure Python, no ORM.

Three figures per line (DOMAIN.md, "Work RVU credit"):
  raw            work RVU x units;
  Medicare-style CMS payment rules applied to the work RVU (Policy.medicare());
  employer policy the user's own switches (a Policy with rules turned off or other percentages).

The caller looks up each line's fee schedule row (the 26/TC/53 row when the line carries that
modifier and the release has one), for endoscopy families the rows of the base codes, and for a
global line with a professional/technical split the 26 row (imaging ranks professional components).
Percentages are Decimals; credited values are kept to 4 decimal places.

Each line's modifiers go through the rules in RULES (status, PC/TC, bilateral, assistant,
co-surgery, team, split care, 22/52/53); then the lines of the encounter are read together (RT and
LT of a code form one bilateral procedure, an add-on needs a primary, status T is bundled) and
ranked by the multiple-procedure rules. Coding edits found before crediting (the NCCI edits and
the global surgical package, ncci.checks) leave their lines out before the ranking when the
policy applies their rule. Every warning has a stable id and a plain message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import partial

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
# PC/TC indicators under which the readme lets each modifier be used (Attachment A).
PCTC_ALLOWED = {"26": frozenset({"1", "6", "8"}), "TC": frozenset({"1"})}
PCTC_NOTES = {
    "26": "26: the professional component carries the whole work RVU",
    "TC": "TC: the technical component carries no work RVU",
}
PCTC_KINDS = {
    "0": "a physician service, with no professional/technical split",
    "2": "a professional-component-only code",
    "3": "a technical-component-only code",
    "4": "a global-test-only code, whose components have codes of their own",
    "5": "an incident-to service",
    "6": "a laboratory interpretation code, whose test is paid under the lab fee schedule",
    "7": "a therapy service with no professional/technical split",
    "8": "a physician interpretation code with no technical component",
    "9": "a code the professional/technical split does not apply to",
}
# BILAT SURG: the share of one side's value that both sides are credited in total.
BILATERAL_TOTALS = {"1": Decimal("1.5"), "2": ONE, "3": Decimal("2")}
BILATERAL_NOTES = {
    "1": "bilateral at 150%",
    "2": "already valued as bilateral, 100% in total",
    "3": "each side at 100% (200%)",
}
PAIR_NOTES = {
    "1": "RT + LT: bilateral at 150% in total, 75% on each side",
    "2": "RT + LT: already valued as bilateral, 100% in total, 50% on each side",
    "3": "RT + LT: each side at 100% (200%)",
}
OTHER_SIDE = {"RT": "LT", "LT": "RT"}
# Split care: the PRE/INTRA/POST shares each modifier is credited, and what they add up to.
SPLIT_PARTS = {"54": ("pre", "intra"), "55": ("post",), "56": ("pre",)}
SPLIT_LABELS = {
    ("pre", "intra"): "surgical care only",
    ("post",): "postoperative care only",
    ("pre",): "preoperative care only",
    ("pre", "intra", "post"): "surgical and postoperative care",
    ("pre", "post"): "preoperative and postoperative care",
}
RANKED_MULT_PROC = frozenset({"1", "2", "3"})
IMAGING_MULT_PROC = "4"
# MULT PROC 4, from 2017: the professional component of the second and later imaging services
# of a session is reduced by 5% (readme, "Multiple Procedure").
LATER_IMAGING_SHARE = Decimal("0.95")
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
    pc_row: FeeRow | None = None  # a global line's 26 row: ranks imaging professional parts


# The coding edits a policy may apply (ncci.checks rule ids); a warning-only rule (the MUE) is
# never a reason to leave a line out.
CODING_EDIT_RULES = frozenset(
    {"addon-without-primary", "duplicate-em", "global-package", "ptp-bundled"}
)


@dataclass(frozen=True)
class Policy:
    """Which payment rules apply to work RVU credit, and the percentages for 22, 52 and 53.

    Medicare-style is every rule on and 100% for 22/52/53 (Medicare sets no fixed percentage
    for them). An employer's policy turns rules off or sets its own percentages. The
    multiple-procedure switch covers the imaging reduction (MULT PROC 4) too.
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
    # The coding edits that leave a line out (the others are shown as warnings only).
    coding_edits: frozenset[str] = CODING_EDIT_RULES

    @classmethod
    def medicare(cls) -> Policy:
        return cls()


@dataclass(frozen=True)
class CreditWarning:
    """Something a person should know about a line's credit: `id` is stable for programs
    (e.g. "pctc.not_allowed"), `message` is for people."""

    id: str
    message: str

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict:
        """What an entry stores and the API sends: {"rule": id, "message": message}."""
        return {"rule": self.id, "message": self.message}


@dataclass(frozen=True)
class CodingEdit:
    """An edit found on a line before crediting (ncci.checks.Finding): `excluded` when the
    edit leaves the line out of credit under a policy that applies `rule`."""

    rule: str
    message: str
    excluded: bool = False


@dataclass
class LineCredit:
    code: str
    modifiers: tuple[str, ...]
    units: int
    work_rvu: Decimal
    raw: Decimal
    credited: Decimal
    explanation: list[str] = field(default_factory=list)
    warnings: list[CreditWarning] = field(default_factory=list)

    @property
    def warning_messages(self) -> list[str]:
        """The warnings as people read them (what an entry stores)."""
        return [warning.message for warning in self.warnings]

    @property
    def warning_ids(self) -> list[str]:
        return [warning.id for warning in self.warnings]

    @property
    def warning_dicts(self) -> list[dict]:
        """The warnings as an entry stores them: [{"rule", "message"}]."""
        return [warning.as_dict() for warning in self.warnings]


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


# Lines that cannot be logged ------------------------------------------------------------------


def line_errors(line: LineInput) -> list[CreditWarning]:
    """What makes a line wrong to log under any policy: 26 or TC where the PC/TC indicator
    forbids them, and 50 (one line, both sides) with more than one unit. Quick entry, the API
    and imports refuse such lines; the engine credits them 0 (26/TC) or once (50), warning alike.
    """
    problems = [_pctc_warning(line, modifier) for modifier in _forbidden_components(line)]
    if "50" in line.modifiers and line.units > 1:
        problems.append(_units_with_50_warning(line))
    return problems


def _forbidden_components(line: LineInput) -> list[str]:
    return [m for m in PCTC_ALLOWED if m in line.modifiers and line.row.pctc not in PCTC_ALLOWED[m]]


def _pctc_warning(line: LineInput, modifier: str) -> CreditWarning:
    kind = PCTC_KINDS.get(line.row.pctc, f"PC/TC indicator {line.row.pctc}")
    return CreditWarning(
        "pctc.not_allowed",
        f"Modifier {modifier} cannot be used with {line.code}: it is {kind} (PC/TC indicator"
        f" {line.row.pctc}). Log the line without {modifier}.",
    )


def _units_with_50_warning(line: LineInput) -> CreditWarning:
    return CreditWarning(
        "bilateral.units_with_50",
        f"Modifier 50 means both sides on one line with 1 unit, but {line.code}-50 has"
        f" {line.units} units: it is credited as one bilateral procedure. Log {line.code}-50"
        f" with 1 unit, or {line.code} x{line.units} without 50.",
    )


# One line's modifiers -------------------------------------------------------------------------


@dataclass
class _Outcome:
    """What one rule does to a line: a factor on its work, notes, warnings, whether it is
    credited at all, and the procedures it counts as when the rule changes that (bilateral)."""

    factor: Decimal = ONE
    notes: list[str] = field(default_factory=list)
    warnings: list[CreditWarning] = field(default_factory=list)
    payable: bool = True
    units: int | None = None


@dataclass
class _Work:
    """A line while its credit is worked out: the per-unit value after modifier rules."""

    index: int
    line: LineInput
    per_unit: Decimal  # work RVU per procedure after modifier adjustments (before ranking)
    factor: Decimal  # the same adjustments as a factor, to scale the fee used for ranking
    explanation: list[str]
    warnings: list[CreditWarning]
    payable: bool = True
    units: int = 1  # procedures the line counts as (a bilateral line is one)
    partner: _Work | None = None  # the other side, for an RT + LT pair


def _status_rule(line: LineInput, mods: frozenset[str], policy: Policy) -> _Outcome:
    row = line.row
    if row.status not in PAYABLE_STATUSES:
        reason = STATUS_REASONS.get(row.status, f"status {row.status}")
        message = f"{line.code} has status {row.status}: {reason}. No work RVU is credited."
        return _Outcome(
            notes=[f"status {row.status}: no credit"],
            warnings=[CreditWarning("status.not_payable", message)],
            payable=False,
        )
    if row.work_rvu == ZERO and "TC" not in mods:
        message = f"{line.code} has no work RVU in this release."
        return _Outcome(warnings=[CreditWarning("work_rvu.none", message)])
    return _Outcome()


def _pctc_rule(line: LineInput, mods: frozenset[str], policy: Policy) -> _Outcome:
    forbidden = _forbidden_components(line)
    if forbidden:
        return _Outcome(
            notes=[
                f"{m} cannot be used with {line.code} (PC/TC indicator {line.row.pctc}): no credit"
                for m in forbidden
            ],
            warnings=[_pctc_warning(line, m) for m in forbidden],
            payable=False,
        )
    return _Outcome(notes=[note for m, note in PCTC_NOTES.items() if m in mods])


def _bilateral_rule(line: LineInput, mods: frozenset[str], policy: Policy) -> _Outcome:
    """50 on one line, or 2 units under BILAT SURG 1, 2 or 3: one bilateral procedure."""
    if "50" in mods:
        outcome = _bilateral(line, "50", policy)
        if line.units > 1:
            outcome.warnings.append(_units_with_50_warning(line))
            outcome.units = 1
        return outcome
    if policy.bilateral and line.units == 2 and line.row.bilat_surg in BILATERAL_TOTALS:
        outcome = _bilateral(line, "2 units", policy)
        outcome.units = 1
        return outcome
    return _Outcome()


def _bilateral(line: LineInput, label: str, policy: Policy) -> _Outcome:
    indicator = line.row.bilat_surg
    if not policy.bilateral:
        return _Outcome(notes=[f"{label}: bilateral rule off under this policy, 100%"])
    if indicator in BILATERAL_TOTALS:
        return _Outcome(BILATERAL_TOTALS[indicator], [f"{label}: {BILATERAL_NOTES[indicator]}"])
    if indicator == "0":
        message = f"The 150% bilateral adjustment does not apply to {line.code} (indicator 0)."
        return _Outcome(
            notes=[f"{label}: bilateral adjustment not allowed, 100%"],
            warnings=[CreditWarning("bilateral.not_allowed", message)],
        )
    message = f"Modifier 50 does not apply to {line.code} (bilateral indicator {indicator})."
    return _Outcome(warnings=[CreditWarning("bilateral.not_applicable", message)])


def _assistant_rule(line: LineInput, mods: frozenset[str], policy: Policy) -> _Outcome:
    if not (mods & ASSISTANT_MODIFIERS or "AS" in mods):
        return _Outcome()
    if not policy.assistant:
        return _Outcome(notes=["assistant rule off under this policy, 100%"])
    share, label = (
        (Decimal("0.136"), "AS: non-physician assistant at 13.6%")
        if "AS" in mods
        else (Decimal("0.16"), "assistant at surgery at 16%")
    )
    match line.row.asst_surg:
        case "1":
            message = f"An assistant at surgery is not paid for {line.code} (indicator 1)."
            return _Outcome(
                notes=["assistant not payable for this code, no credit"],
                warnings=[CreditWarning("assistant.not_paid", message)],
                payable=False,
            )
        case "0":
            message = "Assistant at surgery is paid for this code only with documentation."
            return _Outcome(share, [label], [CreditWarning("assistant.documentation", message)])
        case "2":
            return _Outcome(share, [label])
        case _:
            message = f"Assistant-at-surgery modifiers do not apply to {line.code}."
            return _Outcome(share, [label], [CreditWarning("assistant.not_applicable", message)])


def _co_surgery_rule(line: LineInput, mods: frozenset[str], policy: Policy) -> _Outcome:
    if "62" not in mods:
        return _Outcome()
    if not policy.co_surgery:
        return _Outcome(notes=["62: co-surgery rule off under this policy, 100%"])
    share, note = Decimal("0.625"), "62: co-surgeon at 62.5%"
    match line.row.co_surg:
        case "0":
            message = f"Co-surgeons (62) are not permitted for {line.code} (indicator 0)."
            return _Outcome(
                notes=["62: co-surgery not permitted, no credit"],
                warnings=[CreditWarning("co_surgery.not_permitted", message)],
                payable=False,
            )
        case "1":
            message = "Co-surgery is paid for this code only with documentation."
            return _Outcome(share, [note], [CreditWarning("co_surgery.documentation", message)])
        case "2":
            return _Outcome(share, [note])
        case _:
            message = f"Modifier 62 does not apply to {line.code} (co-surgery indicator 9)."
            return _Outcome(share, [note], [CreditWarning("co_surgery.not_applicable", message)])


def _team_rule(line: LineInput, mods: frozenset[str], policy: Policy) -> _Outcome:
    if "66" not in mods:
        return _Outcome()
    if line.row.team_surg == "0":
        message = f"Team surgery (66) is not permitted for {line.code}."
        return _Outcome(
            notes=["66: team surgery not permitted, no credit"],
            warnings=[CreditWarning("team_surgery.not_permitted", message)],
            payable=False,
        )
    message = "Team surgery (66) is paid by report: credited at 100% here."
    return _Outcome(warnings=[CreditWarning("team_surgery.by_report", message)])


def _split_care_rule(line: LineInput, mods: frozenset[str], policy: Policy) -> _Outcome:
    """54, 55, 56 (together too): the PRE, INTRA and POST shares of the package they cover."""
    present = sorted(mods & SPLIT_CARE_MODIFIERS)
    if not present:
        return _Outcome()
    label = " + ".join(present)
    if not policy.split_care:
        return _Outcome(notes=[f"{label}: split-care rule off under this policy, 100%"])
    row = line.row
    if row.global_days not in {"010", "090"}:
        message = f"Modifier {label} applies to codes with a 10- or 90-day global."
        return _Outcome(warnings=[CreditWarning("split_care.global_days", message)])
    parts = tuple(p for p in ("pre", "intra", "post") if any(p in SPLIT_PARTS[m] for m in present))
    share = sum((getattr(row, f"{part}_op") for part in parts), ZERO)
    note = f"{label}: {SPLIT_LABELS[parts]} ({' + '.join(parts)}), {pct(share)}"
    warnings = []
    if "55" in present:
        message = "Postoperative share is prorated by the days of care you provided."
        warnings.append(CreditWarning("split_care.postop_prorated", message))
    return _Outcome(share, [note], warnings)


def _percent_rule(line: LineInput, mods: frozenset[str], policy: Policy) -> _Outcome:
    """22, 52 and 53 have no Medicare percentage: the policy's (100% Medicare-style)."""
    outcome = _Outcome()
    for modifier, percent in (
        ("22", policy.modifier_22_percent),
        ("52", policy.modifier_52_percent),
        ("53", policy.modifier_53_percent),
    ):
        # The 53 row, where the release has one, already carries the reduced values.
        if modifier in mods and not (modifier == "53" and line.row.modifier == "53"):
            share = percent / HUNDRED
            outcome.factor *= share
            outcome.notes.append(f"{modifier}: {pct(share)} under this policy")
    return outcome


RULES: tuple[Callable[[LineInput, frozenset[str], Policy], _Outcome], ...] = (
    _status_rule,
    _pctc_rule,
    _bilateral_rule,
    _assistant_rule,
    _co_surgery_rule,
    _team_rule,
    _split_care_rule,
    _percent_rule,
)


def _apply_modifiers(index: int, line: LineInput, policy: Policy) -> _Work:
    work = _Work(index, line, ZERO, ONE, [], [], units=line.units)
    mods = frozenset(line.modifiers)
    for rule in RULES:
        outcome = rule(line, mods, policy)
        work.factor *= outcome.factor
        work.explanation += outcome.notes
        work.warnings += outcome.warnings
        if outcome.units is not None:
            work.units = outcome.units
        if not outcome.payable:
            work.payable, work.factor = False, ZERO
            break
    work.per_unit = line.row.work_rvu * work.factor
    return work


# The lines of the encounter together ----------------------------------------------------------


def _withhold(work: _Work, note: str, warning: CreditWarning) -> None:
    work.payable, work.per_unit, work.factor = False, ZERO, ZERO
    work.explanation.append(note)
    work.warnings.append(warning)


def _pair_sides(works: list[_Work], policy: Policy) -> None:
    """An RT line and an LT line of the same code (one unit each) are one bilateral procedure
    under BILAT SURG 1, 2 and 3: its total is shared between the two lines."""
    if not policy.bilateral:
        return
    waiting: dict[tuple[str, str, str], list[_Work]] = {}
    for work in works:
        side = _side(work)
        if side is None:
            continue
        key = (work.line.code, work.line.row.modifier)
        others = waiting.get((*key, OTHER_SIDE[side]))
        if others:
            _make_pair(others.pop(0), work)
        else:
            waiting.setdefault((*key, side), []).append(work)


def _side(work: _Work) -> str | None:
    line = work.line
    sides = set(line.modifiers) & set(OTHER_SIDE)
    if (
        not work.payable
        or len(sides) != 1
        or line.units != 1
        or "50" in line.modifiers
        or line.row.bilat_surg not in BILATERAL_TOTALS
    ):
        return None
    return sides.pop()


def _make_pair(first: _Work, second: _Work) -> None:
    indicator = first.line.row.bilat_surg
    each = BILATERAL_TOTALS[indicator] / 2
    for work, partner in ((first, second), (second, first)):
        work.factor *= each
        work.per_unit *= each
        work.explanation.append(PAIR_NOTES[indicator])
        work.partner = partner


def _apply_coding_edits(works: list[_Work], edits: list[list[CodingEdit]], policy: Policy):
    """Each edit is a warning; one that leaves its line out does so (before the ranking, so the
    other lines rank without it) when the policy applies its rule."""
    for work, found in zip(works, edits, strict=False):
        for edit in found:
            warning = CreditWarning(edit.rule, edit.message)
            if edit.excluded and work.payable and edit.rule in policy.coding_edits:
                _withhold(work, f"left out of credit by the {edit.rule} rule", warning)
            elif warning not in work.warnings:
                work.warnings.append(warning)


def _require_primary(works: list[_Work]) -> None:
    """An add-on code is credited only with a primary procedure. The NCCI add-on code edits
    (which primaries each add-on goes with) are not imported yet: any credited line of the
    encounter that is not itself an add-on counts as the primary."""
    if any(work.payable and not work.line.row.is_add_on for work in works):
        return
    for work in works:
        if work.payable and work.line.row.is_add_on:
            message = (
                f"{work.line.code} is an add-on code: it is credited only with the primary"
                " procedure it adds to, and this encounter has none."
            )
            _withhold(
                work,
                "add-on code with no primary procedure in the encounter: no credit",
                CreditWarning("add_on.without_primary", message),
            )


def _bundle_t_status(works: list[_Work]) -> None:
    """Status T (injections) is paid only when nothing else payable is billed that day."""
    others = [w for w in works if w.payable and w.line.row.status != "T"]
    if not others:
        return
    for work in works:
        if work.payable and work.line.row.status == "T":
            message = f"{work.line.code} is paid only when no other service is billed the same day."
            _withhold(
                work,
                "status T: bundled with the other services of the encounter",
                CreditWarning("status_t.bundled", message),
            )


# Ranking --------------------------------------------------------------------------------------


@dataclass
class _Slot:
    """One procedure (a unit of a line, an RT + LT pair, or an endoscopy family) taking part
    in the ranking."""

    fee: Decimal
    parts: list[tuple[_Work, Decimal, str]]  # (line, work before ranking, note)


@dataclass(frozen=True)
class _Share:
    """What a slot's rank gives it: a share, a note ({amount} is the work before ranking) and,
    past the fifth procedure, a warning."""

    value: Decimal
    note: str = ""
    warning: CreditWarning | None = None


FULL = _Share(ONE)


def credit_encounter(
    lines: list[LineInput],
    setting: Setting,
    policy: Policy | None = None,
    edits: list[list[CodingEdit]] | None = None,
) -> EncounterCredit:
    """Credit the lines of one encounter under a policy (Medicare-style by default). `edits`,
    by line, are the coding edits found on them (ncci.checks)."""
    policy = policy or Policy.medicare()
    works = [_apply_modifiers(i, line, policy) for i, line in enumerate(lines)]
    _apply_coding_edits(works, edits or [], policy)
    _pair_sides(works, policy)
    _require_primary(works)
    _bundle_t_status(works)

    credited = [ZERO] * len(works)
    for slot, share in _shared_slots(works, setting, policy):
        for work, amount, note in slot.parts:
            credited[work.index] += amount * share.value
            work.explanation += [t for t in (note, share.note.format(amount=fmt(amount))) if t]
            if share.warning and share.warning not in work.warnings:
                work.warnings.append(share.warning)

    results = [_line_credit(work, credited[work.index]) for work in works]
    return EncounterCredit(
        lines=results,
        raw=sum((r.raw for r in results), ZERO),
        credited=sum((r.credited for r in results), ZERO),
    )


def _line_credit(work: _Work, credited: Decimal) -> LineCredit:
    line, row = work.line, work.line.row
    explanation = work.explanation or [f"{fmt(row.work_rvu)} work RVU x {line.units} at 100%"]
    return LineCredit(
        code=line.code,
        modifiers=line.modifiers,
        units=line.units,
        work_rvu=row.work_rvu,
        raw=quantize(row.work_rvu * line.units),
        credited=quantize(credited if work.payable else ZERO),
        explanation=explanation,
        warnings=work.warnings,
    )


def _shared_slots(
    works: list[_Work], setting: Setting, policy: Policy
) -> Iterator[tuple[_Slot, _Share]]:
    """Every procedure of the encounter with the share its rank gives it: surgical procedures
    (MULT PROC 1-3) rank together, imaging professional components (4) among themselves, the
    rest are left whole."""
    unranked: list[tuple[_Work, Decimal, str]] = []
    surgical: list[_Work] = []
    imaging: list[_Work] = []
    for work in works:
        if not work.payable:
            continue
        row = work.line.row
        ranked = policy.multiple_procedure and not row.is_add_on
        if ranked and row.mult_proc in RANKED_MULT_PROC:
            surgical.append(work)
        elif ranked and row.mult_proc == IMAGING_MULT_PROC and work.per_unit > ZERO:
            imaging.append(work)  # the PCs that carry work; a TC line takes no rank
        else:
            unranked.append((work, work.per_unit * work.units, _unranked_reason(row, policy)))

    slots, aside = _surgical_slots(surgical, setting, policy)
    for part in unranked + aside:
        yield _Slot(ZERO, [part]), FULL
    yield from _ranked(slots, partial(_surgical_share, policy=policy))
    imaging_slots = [
        slot for work in imaging for slot in _unit_slots(work, work.line.pc_row, setting)
    ]
    yield from _ranked(imaging_slots, _imaging_share)


def _unranked_reason(row: FeeRow, policy: Policy) -> str:
    if row.is_add_on:
        return "add-on code: never reduced"
    if row.mult_proc in RANKED_MULT_PROC | {IMAGING_MULT_PROC} and not policy.multiple_procedure:
        return "multiple-procedure rule off under this policy"
    if row.mult_proc == "0":
        return "exempt from the multiple-procedure reduction"
    return ""


def _surgical_slots(works: list[_Work], setting: Setting, policy: Policy):
    """(slots to rank, parts left aside): endoscopy families and RT + LT pairs are one slot
    each, every other unit its own; a base code billed with its family is left aside at 0."""
    families: dict[str, list[_Work]] = {}
    singles: list[_Work] = []
    for work in works:
        row = work.line.row
        if row.mult_proc == "3" and policy.endoscopy and work.line.base_row is not None:
            families.setdefault(row.endo_base, []).append(work)
        else:
            singles.append(work)

    slots = [_endoscopy_family(base, members, setting) for base, members in families.items()]
    aside = []
    for work in singles:
        code = work.line.row.code
        if code in families:
            aside.append(
                (work, ZERO, f"base of the {code} endoscopy family: included in the family")
            )
        elif work.partner is None:
            slots += _unit_slots(work, None, setting)
        elif work.index < work.partner.index:
            pair = (work, work.partner)
            fee = sum((_fee(w, None, setting) for w in pair), ZERO)
            slots.append(_Slot(fee, [(w, w.per_unit, "") for w in pair]))
    return slots, aside


def _fee(work: _Work, ranking_row: FeeRow | None, setting: Setting) -> Decimal:
    return (ranking_row or work.line.row).total(setting) * work.factor


def _unit_slots(work: _Work, ranking_row: FeeRow | None, setting: Setting) -> list[_Slot]:
    """A slot per procedure the line counts as, ranked by `ranking_row` (the line's own row
    unless given)."""
    fee = _fee(work, ranking_row, setting)
    return [_Slot(fee, [(work, work.per_unit, "")]) for _ in range(work.units)]


def _endoscopy_family(base: str, members: list[_Work], setting: Setting) -> _Slot:
    """Multiple endoscopy rule: the highest-valued member at 100%, every other member at its
    value minus the base code's value; the family then ranks as one procedure."""
    units = [work for work in members for _ in range(work.units)]
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


def _ranked(slots: list[_Slot], share_for: Callable[[int], _Share]):
    """Slots by fee, highest first (stable: input order breaks ties), with their shares; a
    lone slot is left whole."""
    slots.sort(key=lambda slot: slot.fee, reverse=True)
    for position, slot in enumerate(slots, start=1):
        yield slot, (share_for(position) if len(slots) > 1 else FULL)


def _surgical_share(rank: int, *, policy: Policy) -> _Share:
    if rank == 1:
        return _Share(ONE, "ranked 1st by fee: 100%")
    share = policy.second_procedure_percent / HUNDRED
    note = f"ranked {ordinal(rank)} by fee: {pct(share)} of {{amount}}"
    if rank < BY_REPORT_RANK:
        return _Share(share, note)
    message = (
        "Medicare pays procedures beyond the fifth of an encounter by report (no fixed"
        f" percentage): credited at {pct(share)} here, like the second to fifth."
    )
    return _Share(
        share,
        note + " (beyond the fifth procedure CMS pays by report)",
        CreditWarning("multiple_procedure.by_report", message),
    )


def _imaging_share(rank: int) -> _Share:
    if rank == 1:
        return _Share(ONE, "imaging ranked 1st by professional fee: 100%")
    note = f"imaging ranked {ordinal(rank)} by professional fee: {pct(LATER_IMAGING_SHARE)}"
    return _Share(LATER_IMAGING_SHARE, note + " of {amount}")
