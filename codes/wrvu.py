"""Credit an encounter's lines from a release: reads the rows, runs the pure credit engine.

The one place that turns codes.RelativeValue rows into the engine's FeeRow, used by quick entry,
the form, the API, the public calculator and re-pricing alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from codes.models import RelativeValue
from rvuedge.lru import LocalLRU

from .credit import (
    CodingEdit,
    CreditWarning,
    FeeRow,
    LineCredit,
    LineInput,
    Policy,
    Setting,
    credit_encounter,
    line_errors,
)

# Modifiers that have their own PPRRVU row when the code is split (26/TC) or reduced (53).
ROW_MODIFIERS = ("26", "TC", "53")


@dataclass(frozen=True)
class LineSpec:
    code: str
    modifiers: tuple[str, ...] = ()
    units: int = 1

    def __str__(self) -> str:
        """As typed in quick entry: 27447-50, 20610 x2."""
        text = "-".join((self.code, *self.modifiers))
        return f"{text} x{self.units}" if self.units != 1 else text


@dataclass
class PricedLine:
    spec: LineSpec
    row: FeeRow
    medicare: LineCredit
    policy: LineCredit


def fee_row(rv: RelativeValue) -> FeeRow:
    return FeeRow(
        code=rv.code.code,
        modifier=rv.modifier,
        status=rv.status,
        work_rvu=rv.work_rvu,
        non_facility_total=rv.non_facility_total,
        facility_total=rv.facility_total,
        global_days=rv.global_days,
        pre_op=rv.pre_op,
        intra_op=rv.intra_op,
        post_op=rv.post_op,
        mult_proc=rv.multiple_procedure,
        bilat_surg=rv.bilateral_surgery,
        asst_surg=rv.assistant_surgery,
        co_surg=rv.co_surgery,
        team_surg=rv.team_surgery,
        pctc=rv.pctc_indicator,
        endo_base=rv.endoscopic_base,
    )


def fee_rows(release, codes: Iterable[str]) -> dict[tuple[str, str], FeeRow]:
    """Every row (all modifiers) of the codes in the release, plus their endoscopy base codes."""
    wanted = set(codes)
    rows = _load(release, wanted)
    bases = {row.endo_base for row in rows.values() if row.endo_base} - wanted
    if bases:
        rows |= _load(release, bases)
    return rows


# Each code's rows in a loaded release, kept by the process: a loaded release's rows never
# change (importing it again gives it another loaded_at, so other keys).
_kept_rows = LocalLRU(20_000)


def _load(release, codes: set[str]) -> dict[tuple[str, str], FeeRow]:
    kept = release.is_loaded and release.loaded_at is not None
    found: dict[tuple[str, str], FeeRow] = {}
    missing = set()
    for code in codes:
        rows = _kept_rows.get((release.pk, release.loaded_at, code)) if kept else None
        if rows is None:
            missing.add(code)
        else:
            found |= rows
    if not missing:
        return found
    by_code: dict[str, dict] = {code: {} for code in missing}
    queryset = RelativeValue.objects.filter(release=release, code__code__in=missing)
    for rv in queryset.select_related("code"):
        by_code[rv.code.code][(rv.code.code, rv.modifier)] = fee_row(rv)
    for code, rows in by_code.items():
        if kept:
            _kept_rows.put((release.pk, release.loaded_at, code), rows)
        found |= rows
    return found


def row_for(rows: dict[tuple[str, str], FeeRow], spec: LineSpec) -> FeeRow | None:
    """The row that prices a line: its 26/TC/53 row when the release has one."""
    for modifier in ROW_MODIFIERS:
        if modifier in spec.modifiers and (spec.code, modifier) in rows:
            return rows[(spec.code, modifier)]
    return rows.get((spec.code, ""))


def line_inputs(
    release, specs: list[LineSpec], rows: dict[tuple[str, str], FeeRow]
) -> list[LineInput]:
    """The engine's input for each line: its row, its endoscopy base row and, for a global line
    of a code with a professional component, the 26 row (imaging ranks professional parts).

    Raises KeyError naming a code the release does not have (callers validate first).
    """
    inputs = []
    for spec in specs:
        row = row_for(rows, spec)
        if row is None:
            raise KeyError(f"{spec.code} is not in {release.name}")
        base = rows.get((row.endo_base, "")) if row.endo_base else None
        pc_row = rows.get((spec.code, "26")) if row.modifier == "" else None
        inputs.append(
            LineInput(spec.code, row, spec.modifiers, spec.units, base_row=base, pc_row=pc_row)
        )
    return inputs


def spec_problems(rows: dict[tuple[str, str], FeeRow], spec: LineSpec) -> list[CreditWarning]:
    """What makes a line wrong to log (codes.credit.line_errors): 26/TC where the PC/TC
    indicator forbids them, 50 with more than one unit. A code missing from `rows` has none here
    (callers report unknown codes themselves)."""
    row = row_for(rows, spec)
    if row is None:
        return []
    return line_errors(LineInput(spec.code, row, spec.modifiers, spec.units))


def line_problems(
    *, release, specs: list[LineSpec], rows: dict[tuple[str, str], FeeRow] | None = None
) -> list[list[CreditWarning]]:
    """spec_problems for each line, reading the release's rows unless given."""
    if rows is None:
        rows = fee_rows(release, {spec.code for spec in specs})
    return [spec_problems(rows, spec) for spec in specs]


def problem_messages(specs: list[LineSpec], problems: list[list[CreditWarning]]) -> list[str]:
    """ "27447-TC: Modifier TC cannot be used with 27447 ..." for each problem of each line."""
    return [
        f"{spec}: {p.message}" for spec, found in zip(specs, problems, strict=True) for p in found
    ]


def price_lines(
    *,
    release,
    setting: str,
    specs: list[LineSpec],
    policy: Policy | None = None,
    rows: dict[tuple[str, str], FeeRow] | None = None,
    edits: list[list[CodingEdit]] | None = None,
) -> list[PricedLine]:
    """Credit the lines of one encounter, Medicare-style and under the user's policy.

    `rows` (from fee_rows) lets a caller pricing many encounters read the release once; `edits`
    (codes.coding_edits) are the coding edits on each line.
    Raises KeyError naming a code the release does not have (callers validate first).
    """
    if rows is None:
        rows = fee_rows(release, {spec.code for spec in specs})
    inputs = line_inputs(release, specs, rows)
    setting = Setting(setting)
    medicare = credit_encounter(inputs, setting, Policy.medicare(), edits)
    employer = credit_encounter(inputs, setting, policy, edits) if policy else medicare
    return [
        PricedLine(spec, line.row, m, p)
        for spec, line, m, p in zip(specs, inputs, medicare.lines, employer.lines, strict=True)
    ]
