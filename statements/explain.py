"""Why a statement credits a line differently from the user's log: pure, no database.

For a `differs` match, the known causes are tried in turn on the user's own entries, with the
credit engine (codes.credit, through codes.wrvu.price_lines): the first whose figure agrees with
the statement's (to its rounding) is the explanation. In order:

- the statement's own modifiers or units, where they differ from the log's;
- another release's work RVU (named);
- a rule of the credit policy the other way round: the multiple-procedure reduction, bilateral,
  assistant at surgery, co-surgery, the endoscopy family, split care, and each coding edit (the
  global surgical package, the NCCI procedure-to-procedure edits, one E/M a day, an add-on with
  its primary: codes.coding_edits);
- another percentage for an assistant or a co-surgeon;
- Medicare-style rules where the user's policy differs;
- a dropped modifier;
- the work GPCI of a locality applied to the wRVU (which credit never does);
- the raw work RVU x units, with no payment rule applied.
When none fits, the explanation says so with both figures. Each explanation has a stable `rule`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from codes.credit import CODING_EDIT_RULES, CodingEdit, FeeRow, Policy, pct
from codes.wrvu import LineSpec, PricedLine, price_lines, row_for
from rvuedge.rounding import credit_text
from statements.matching import Logged, Match, agrees

ZERO = Decimal(0)
# Rule ids (stored with each line and sent by the API).
THEIR_MODIFIERS = "modifiers"
MODIFIER_DROPPED = "modifier_dropped"
MODIFIER_ADDED = "modifier_added"
UNITS = "units"
RELEASE = "release"
MEDICARE_STYLE = "medicare_style"
GPCI = "gpci"
RAW = "raw"
UNEXPLAINED = "unexplained"
MISSING = "missing"
NOT_IN_LOG = "not_in_log"
# Policy switches tried the other way round: (rule id, what the rule is called).
SWITCHES = (
    ("multiple_procedure", "multiple-procedure reduction"),
    ("bilateral", "bilateral adjustment"),
    ("assistant", "assistant-at-surgery percentage (16%, 13.6% for AS)"),
    ("co_surgery", "co-surgery percentage (62.5% to each surgeon)"),
    ("endoscopy", "endoscopy family rule"),
    ("split_care", "split-care shares (54/55/56)"),
)
# Modifiers whose line is credited a share of the work RVU, and the rule that sets it.
SHARED = {"62": "co_surgery", "80": "assistant", "81": "assistant", "82": "assistant"}
SHARED |= {"AS": "assistant"}
# The coding edits (codes.credit.CODING_EDIT_RULES, ncci.checks rule ids) as the reasons name them.
CODING_EDITS = "coding_edits"  # all of them at once
EDIT_NAMES = {
    CODING_EDITS: "coding edits (the global surgical package and the NCCI edits)",
    "global-package": "global surgical package",
    "ptp-bundled": "NCCI procedure-to-procedure edits",
    "duplicate-em": "rule of one E/M visit a day",
    "addon-without-primary": "add-on code edits (an add-on only with its primary)",
}
HALF_PERCENT = Decimal("0.005")
KNOWN_SHARES = frozenset({Decimal("0.136")})
RULE_LABELS = {
    THEIR_MODIFIERS: "Other modifiers",
    MODIFIER_DROPPED: "Modifier dropped",
    MODIFIER_ADDED: "Modifier added",
    UNITS: "Units",
    RELEASE: "Another release",
    "multiple_procedure": "Multiple-procedure reduction",
    "bilateral": "Bilateral",
    "assistant": "Assistant at surgery",
    "co_surgery": "Co-surgery",
    "endoscopy": "Endoscopy family",
    "split_care": "Split care",
    MEDICARE_STYLE: "Medicare-style, not your policy",
    GPCI: "GPCI applied to wRVU",
    "global-package": "Global surgical package",
    "ptp-bundled": "NCCI procedure-to-procedure edit",
    "duplicate-em": "Second E/M of the day",
    "addon-without-primary": "Add-on without its primary",
    CODING_EDITS: "Coding edits",
    RAW: "Raw work RVU",
    UNEXPLAINED: "No known cause",
    MISSING: "Missing from the statement",
    NOT_IN_LOG: "Not in your log",
}


@dataclass(frozen=True)
class Encounter:
    """One of the user's encounters as the engine prices it: its lines, by entry id."""

    release: str
    setting: str
    lines: tuple[tuple[int, LineSpec], ...]
    day: dt.date | None = None
    key: Hashable = None  # the encounter's id: the coding edits read its lines together


# The coding edits on each line of an encounter priced with these lines and rows
# (codes.coding_edits.Reader.line_edits, with the user's services around the encounter).
CodingEdits = Callable[[Encounter, list[LineSpec], Mapping], list[list[CodingEdit]]]


@dataclass(frozen=True)
class Context:
    """What the causes are tried with: the user's encounters (by entry id), the fee schedule
    rows of each release (name -> codes.wrvu.fee_rows), the user's policy, the other releases to
    try (nearest first), the work GPCIs of the localities ((name, GPCI), the user's own first),
    the coding edits of an encounter's lines (None: none apply) and those found on the logged
    entries (by entry id)."""

    encounters: Mapping[int, Encounter]
    rows: Mapping[str, Mapping[tuple[str, str], FeeRow]]
    policy: Policy = field(default_factory=Policy.medicare)
    releases: tuple[str, ...] = ()
    gpcis: tuple[tuple[str, Decimal], ...] = ()
    gpci_note: str = ""  # the localities are another year's (codes.localities.IndexSource.note)
    coding: CodingEdits | None = None
    findings: Mapping[int, tuple[CodingEdit, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Explanation:
    rule: str
    reason: str

    @property
    def label(self) -> str:
        return RULE_LABELS.get(self.rule, self.rule)


def text(value: Decimal) -> str:
    return credit_text(value)


# Pricing the user's entries another way ---------------------------------------------------------


def priced(
    ctx: Context,
    entries: list[Logged],
    *,
    release: str | None = None,
    policy: Policy | None = None,
    change: Mapping[int, LineSpec] | None = None,
) -> dict[int, PricedLine] | None:
    """Each entry priced with its whole encounter (lines rank together) from `release` (the
    entry's own by default) under `policy` (the user's), with `change`'s lines in place of the
    logged ones. None when the release lacks a code."""
    wanted = {entry.id for entry in entries}
    found: dict[int, PricedLine] = {}
    for encounter in _encounters(ctx, entries):
        name = release or encounter.release
        rows = ctx.rows.get(name)
        if rows is None:
            return None
        specs = [(change or {}).get(pk, spec) for pk, spec in encounter.lines]
        try:
            edits = ctx.coding(encounter, specs, rows) if ctx.coding else None
            lines = price_lines(
                release=SimpleNamespace(name=name),
                setting=encounter.setting,
                specs=specs,
                policy=policy or ctx.policy,
                rows=rows,
                edits=edits,
            )
        except KeyError:
            return None
        found |= {pk: line for (pk, _), line in zip(encounter.lines, lines, strict=True)}
    return {pk: line for pk, line in found.items() if pk in wanted}


def _encounters(ctx: Context, entries: list[Logged]) -> Iterator[Encounter]:
    seen = []
    for entry in entries:
        encounter = ctx.encounters[entry.id]
        if encounter not in seen:
            seen.append(encounter)
            yield encounter


def _total(lines: dict[int, PricedLine] | None, *, medicare: bool = False) -> Decimal | None:
    if lines is None:
        return None
    return sum(
        ((line.medicare if medicare else line.policy).credited for line in lines.values()), ZERO
    )


def _spec(ctx: Context, entry: Logged) -> LineSpec:
    return dict(ctx.encounters[entry.id].lines)[entry.id]


def _work_rvu(ctx: Context, entry: Logged, release: str) -> Decimal | None:
    row = row_for(ctx.rows.get(release, {}), _spec(ctx, entry))
    return row.work_rvu if row else None


# The causes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A differing match as the causes see it."""

    match: Match
    ctx: Context
    has_modifiers: bool  # the statement has a modifiers column

    @property
    def theirs(self) -> Decimal:
        return self.match.statement_wrvu

    @property
    def ours(self) -> Decimal:
        return self.match.policy

    @property
    def entry(self) -> Logged | None:
        """The one entry of a one-to-one match."""
        entries = self.match.entries
        return entries[0] if len(entries) == 1 and len(self.match.credits) == 1 else None

    def fits(self, figure: Decimal | None) -> bool:
        return figure is not None and agrees(
            self.theirs, figure, self.match.places, len(self.match.rows)
        )

    def figure(self, **how) -> Decimal | None:
        return _total(priced(self.ctx, self.match.entries, **how))

    def yours(self) -> str:
        """How the log credits the entry, in the engine's words ("ranked 2nd by fee: 50%")."""
        lines = priced(self.ctx, self.match.entries)
        notes = [note for line in (lines or {}).values() for note in line.policy.explanation]
        return f" Your entry: {'; '.join(notes)}." if notes else ""


def _their_modifiers(case: Case) -> Explanation | None:
    entry = case.entry
    if entry is None or not case.has_modifiers:
        return None
    theirs = case.match.credits[0].modifiers
    if set(theirs) == set(entry.modifiers):
        return None
    spec = LineSpec(entry.code, theirs, entry.units)
    figure = case.figure(change={entry.id: spec})
    if not case.fits(figure):
        return None
    dropped = [m for m in entry.modifiers if m not in theirs]
    added = [m for m in theirs if m not in entry.modifiers]
    figures = f"{text(figure)} as they list it, {text(case.ours)} as you logged it."
    if dropped and not added:
        return Explanation(
            MODIFIER_DROPPED,
            f"The statement drops modifier {', '.join(dropped)} from {entry.code}: {figures}",
        )
    if added and not dropped:
        return Explanation(
            MODIFIER_ADDED,
            f"The statement adds modifier {', '.join(added)} to {entry.code}: {figures}",
        )
    return Explanation(
        THEIR_MODIFIERS,
        f"The statement credits {spec} instead of {_spec(case.ctx, entry)}: {figures}",
    )


def _their_units(case: Case) -> Explanation | None:
    entry = case.entry
    units = case.match.statement_units
    if entry is None or units == entry.units:
        return None
    spec = LineSpec(entry.code, entry.modifiers, units)
    figure = case.figure(change={entry.id: spec})
    if not case.fits(figure):
        return None
    return Explanation(
        UNITS,
        f"The statement credits {_units(units)} of {entry.code}; your log has {entry.units}: "
        f"{text(figure)} against {text(case.ours)}.",
    )


def _units(n: int) -> str:
    return f"{n} unit{'s' if n != 1 else ''}"


def _other_release(case: Case) -> Explanation | None:
    entries = case.match.entries
    own = entries[0].release
    for name in case.ctx.releases:
        if name == own:
            continue
        figure = case.figure(release=name)
        if figure == case.ours or not case.fits(figure):
            continue
        works = ", ".join(
            f"{e.code} {text(_work_rvu(case.ctx, e, name))} in {name} and "
            f"{text(_work_rvu(case.ctx, e, own))} in {own}"
            for e in _distinct_codes(entries)
        )
        return Explanation(
            RELEASE,
            f"The statement uses {name}'s work RVU; your entry is priced with {own}, the "
            f"release in effect on its date ({works}): {text(figure)} against "
            f"{text(case.ours)}.",
        )
    return None


def _distinct_codes(entries: list[Logged]) -> list[Logged]:
    return list({entry.code: entry for entry in entries}.values())


def _variants(policy: Policy) -> Iterator[tuple[str, str, bool, Policy]]:
    """(rule id, its name, whether the policy applies it, the policy the other way round) for
    each switch of the policy and each coding edit."""
    for rule, label in SWITCHES:
        on = getattr(policy, rule)
        yield rule, label, on, dataclasses.replace(policy, **{rule: not on})
    for rule in sorted(CODING_EDIT_RULES):
        on = rule in policy.coding_edits
        edits = policy.coding_edits - {rule} if on else policy.coding_edits | {rule}
        yield rule, EDIT_NAMES.get(rule, rule), on, dataclasses.replace(policy, coding_edits=edits)
    # Two edits may leave the same line out (a visit in a package and bundled by an NCCI edit).
    if len(policy.coding_edits) > 1:
        none = dataclasses.replace(policy, coding_edits=frozenset())
        yield CODING_EDITS, EDIT_NAMES[CODING_EDITS], True, none


def _switched_rule(case: Case) -> Explanation | None:
    for rule, label, on, other in _variants(case.ctx.policy):
        figure = case.figure(policy=other)
        if figure == case.ours or not case.fits(figure):
            continue
        if on:
            reason = (
                f"The statement does not apply the {label}: {text(figure)} without it, "
                f"{text(case.ours)} with it."
            )
        else:
            reason = (
                f"The statement applies the {label}, which your credit policy turns off: "
                f"{text(figure)} with it, {text(case.ours)} without it."
            )
        return Explanation(rule, reason + case.yours() + _edit_found(case, rule))
    return None


def _edit_found(case: Case, rule: str) -> str:
    """The coding edits' own words on the entries, when the rule is one (or all of them)."""
    found = [
        edit.message
        for entry in case.match.entries
        for edit in case.ctx.findings.get(entry.id, ())
        if edit.rule == rule or (rule == CODING_EDITS and edit.excluded)
    ]
    return "".join(f" {message}" for message in dict.fromkeys(found))


def _other_share(case: Case) -> Explanation | None:
    """An assistant or a co-surgeon credited another share of the work RVU (50% for 62, 20%
    for 80...): a whole or half percent, or 13.6%."""
    entry = case.entry
    shared = [m for m in entry.modifiers if m in SHARED] if entry else []
    if not shared:
        return None
    work = _work_rvu(case.ctx, entry, entry.release)
    if not work:
        return None
    base = work * entry.units
    share = (case.theirs / base).quantize(Decimal("0.001"))
    if not ZERO < share < 1 or (share % HALF_PERCENT and share not in KNOWN_SHARES):
        return None
    if not case.fits(base * share):
        return None
    modifier = shared[0]
    return Explanation(
        SHARED[modifier],
        f"The statement credits {entry.code}-{modifier} at {pct(share)} of the work RVU "
        f"({text(base)}): {text(case.theirs)} against {text(case.ours)}.{case.yours()}",
    )


def _medicare_style(case: Case) -> Explanation | None:
    medicare = case.match.medicare
    if medicare == case.ours or not case.fits(medicare):
        return None
    return Explanation(
        MEDICARE_STYLE,
        f"The statement follows Medicare's rules ({text(medicare)}), not your credit policy "
        f"({text(case.ours)}).",
    )


def _dropped_modifier(case: Case) -> Explanation | None:
    entry = case.entry
    if entry is None or (
        case.has_modifiers and set(case.match.credits[0].modifiers) != set(entry.modifiers)
    ):
        return None
    for modifier in entry.modifiers:
        kept = tuple(m for m in entry.modifiers if m != modifier)
        figure = case.figure(change={entry.id: LineSpec(entry.code, kept, entry.units)})
        if figure != case.ours and case.fits(figure):
            return Explanation(
                MODIFIER_DROPPED,
                f"The statement credits {entry.code} as if modifier {modifier} were not on it: "
                f"{text(figure)} without it, {text(case.ours)} with it.",
            )
    return None


def _gpci(case: Case) -> Explanation | None:
    for base in dict.fromkeys((case.ours, case.match.medicare)):
        matching = [(name, g) for name, g in case.ctx.gpcis if g != 1 and case.fits(base * g)]
        if not matching:
            continue
        name, gpci = matching[0]
        others = sum(1 for _, g in matching[1:] if g == gpci)
        where = f"{name}{f' and {others} other localities' if others else ''}"
        note = f" {case.ctx.gpci_note}" if case.ctx.gpci_note else ""
        return Explanation(
            GPCI,
            f"The statement multiplies the wRVU by a work GPCI: {text(base)} × {gpci:f} "
            f"({where}) = {text(base * gpci)}. wRVU credit is the work RVU alone: the GPCI "
            f"adjusts payment, never wRVU.{note}",
        )
    return None


def _raw(case: Case) -> Explanation | None:
    raw = ZERO
    for entry in case.match.entries:
        work = _work_rvu(case.ctx, entry, entry.release)
        if work is None:
            return None
        raw += work * entry.units
    if raw == case.ours or not case.fits(raw):
        return None
    return Explanation(
        RAW,
        f"The statement credits the work RVU × units ({text(raw)}) with none of the payment "
        f"rules applied.{case.yours()}",
    )


CAUSES: tuple[Callable[[Case], Explanation | None], ...] = (
    _their_modifiers,
    _their_units,
    _other_release,
    _switched_rule,
    _other_share,
    _medicare_style,
    _dropped_modifier,
    _gpci,
    _raw,
)


def explain(match: Match, ctx: Context, *, has_modifiers: bool = True) -> Explanation:
    """The reason for a match of any status (for `differs`, the first cause that fits)."""
    status = match.status.value
    if status == "not_in_log":
        return Explanation(
            NOT_IN_LOG,
            "On the statement, not in your log: if the service was yours, log it; if not, "
            "tell the compensation office.",
        )
    if status == "missing_from_statement":
        return _missing(match, ctx)
    if status == "matched":
        return Explanation("", "")
    case = Case(match, ctx, has_modifiers)
    for cause in CAUSES:
        found = cause(case)
        if found is not None:
            return found
    return Explanation(
        UNEXPLAINED,
        f"No known cause fits: the statement credits {text(case.theirs)}; your log "
        f"{text(case.ours)} under your policy and {text(match.medicare)} Medicare-style. Ask "
        "the compensation office how the figure was reached.",
    )


def _missing(match: Match, ctx: Context) -> Explanation:
    for entry in match.entries:
        for edit in ctx.findings.get(entry.id, ()):
            if edit.excluded:
                credited = "" if entry.policy else " (your log credits it 0 too)"
                return Explanation(
                    edit.rule,
                    f"Logged, not on the statement; Medicare's rules leave it out{credited}: "
                    f"{edit.message}",
                )
    return Explanation(MISSING, "Logged, not on the statement: ask for it to be credited.")
