"""Each explanation, found by trying the known causes on the user's own entry with the credit
engine, on real RVU25D and RVU26C rows (pure: no database)."""

import dataclasses
import datetime as dt
from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from codes.credit import CodingEdit, Policy
from codes.wrvu import LineSpec, price_lines, row_for
from ncci import checks
from statements import explain
from statements.matching import Credit, How, Logged, Match
from statements.reading import StatementRow
from tests import cms_files

DAY = dt.date(2025, 10, 20)
CODES = cms_files.SLICE_CODES


def rows_of(release: str) -> dict:
    records = cms_files.pprrvu_records(release)
    return {
        (code, mod): cms_files.fee_row(code, mod, release) for code, mod in records if code in CODES
    }


ROWS = {"RVU25D": rows_of("RVU25D"), "RVU26C": rows_of("RVU26C")}
LOCALITIES = (
    ("Arizona (AZ)", D("1.000")),
    ("Alaska (AK)", D("1.500")),
    ("Manhattan (NY)", D("1.094")),
)


NO_EDITS = checks.Edits()


def coding_with(edits: checks.Edits = NO_EDITS):
    """The coding edits of an encounter's lines, as codes.coding_edits reads them (pure here:
    the edits are given)."""

    def coding(encounter, specs, rows):
        services = []
        for index, spec in enumerate(specs):
            row = row_for(rows, spec)
            services.append(
                checks.Service(
                    key=index,
                    code=spec.code,
                    day=encounter.day,
                    encounter=encounter.key,
                    modifiers=frozenset(spec.modifiers),
                    units=spec.units,
                    global_days=row.global_days,
                    work_rvu=row.work_rvu,
                )
            )
        found = checks.check(services, edits)
        return [
            [CodingEdit(f.rule, f.message, f.excluded) for f in found.get(i, [])]
            for i in range(len(specs))
        ]

    return coding


def case(
    logged,
    theirs,
    *,
    wanted=0,
    their_mods=None,
    their_units=None,
    setting="facility",
    policy=None,
    coding=None,
    has_modifiers=True,
):
    """The explanation of a statement line crediting `theirs` for the `wanted` line of an
    encounter logged as `logged` ("27447-50", "99292 x2"), priced the way the log prices it."""
    specs = [_spec(text) for text in logged]
    encounter = explain.Encounter(
        "RVU25D", setting, tuple((pk, spec) for pk, spec in enumerate(specs, 1)), DAY, "e1"
    )
    policy = policy or Policy.medicare()
    ctx = explain.Context(
        encounters={pk: encounter for pk in range(1, len(specs) + 1)},
        rows=ROWS,
        policy=policy,
        releases=("RVU25D", "RVU26C"),
        gpcis=LOCALITIES,
        coding=coding,
    )
    edits = coding(encounter, specs, ROWS["RVU25D"]) if coding else None
    priced = price_lines(
        release=SimpleNamespace(name="RVU25D"),
        setting=setting,
        specs=specs,
        policy=policy,
        rows=ROWS["RVU25D"],
        edits=edits,
    )
    findings = {pk: tuple(on) for pk, on in enumerate(edits or [], 1) if on}
    ctx = dataclasses.replace(ctx, findings=findings)
    spec, line = specs[wanted], priced[wanted]
    entry = Logged(
        wanted + 1, DAY, spec.code, spec.modifiers, spec.units, line.policy.credited,
        line.medicare.credited, "RVU25D", 1,
    )  # fmt: skip
    mods = spec.modifiers if their_mods is None else tuple(their_mods)
    row = StatementRow(9, DAY, spec.code, mods, their_units or spec.units, D(theirs), 2)
    found = Match([Credit([row])], [entry], How.CODE)
    return explain.explain(found, ctx, has_modifiers=has_modifiers), entry


def _spec(text: str) -> LineSpec:
    code_mods, _, units = text.partition(" x")
    code, *mods = code_mods.split("-")
    return LineSpec(code, tuple(mods), int(units or 1))


# (what is logged, the line asked about, what the statement credits and lists, the rule, words
# the reason must hold)
CASES = [
    pytest.param(
        dict(logged=["47562"], theirs="10.21"),
        "release",
        ["RVU26C's work RVU", "47562 10.21 in RVU26C and 10.47 in RVU25D"],
        id="another-release",
    ),
    pytest.param(
        dict(logged=["27447", "20610"], wanted=1, theirs="0.79"),
        "multiple_procedure",
        ["does not apply the multiple-procedure reduction: 0.79 without it, 0.395 with it",
         "ranked 2nd by fee: 50% of 0.79"],
        id="multiple-procedure-not-applied",
    ),
    pytest.param(
        dict(logged=["27447", "20610"], wanted=1, theirs="0.395",
             policy=Policy(multiple_procedure=False)),
        "multiple_procedure",
        ["applies the multiple-procedure reduction, which your credit policy turns off"],
        id="multiple-procedure-applied-against-the-policy",
    ),
    pytest.param(
        dict(logged=["19303-50"], theirs="15.00"),
        "bilateral",
        ["does not apply the bilateral adjustment: 15.00 without it, 22.50 with it"],
        id="bilateral-not-applied",
    ),
    pytest.param(
        dict(logged=["27130-80"], theirs="19.60"),
        "assistant",
        ["does not apply the assistant-at-surgery percentage", "19.60 without it, 3.136"],
        id="assistant-at-100",
    ),
    pytest.param(
        dict(logged=["27130-80"], theirs="3.92"),
        "assistant",
        ["credits 27130-80 at 20% of the work RVU (19.60)"],
        id="assistant-at-20-percent",
    ),
    pytest.param(
        dict(logged=["22551-62"], theirs="25.00"),
        "co_surgery",
        ["does not apply the co-surgery percentage (62.5% to each surgeon)"],
        id="co-surgery-at-100",
    ),
    pytest.param(
        dict(logged=["22551-62"], theirs="12.50"),
        "co_surgery",
        ["credits 22551-62 at 50% of the work RVU (25.00): 12.50 against 15.625"],
        id="co-surgery-at-50-percent",
    ),
    pytest.param(
        dict(logged=["99291", "99292 x2"], wanted=1, theirs="2.25", their_units=1),
        "units",
        ["credits 1 unit of 99292; your log has 2: 2.25 against 4.50"],
        id="units",
    ),
    pytest.param(
        dict(logged=["27447-50"], theirs="19.60", their_mods=[]),
        "modifier_dropped",
        ["drops modifier 50 from 27447: 19.60 as they list it, 29.40 as you logged it"],
        id="dropped-modifier-listed",
    ),
    pytest.param(
        dict(logged=["70450-TC"], theirs="0.85", has_modifiers=False),
        "modifier_dropped",
        ["credits 70450 as if modifier TC were not on it: 0.85 without it, 0.00 with it"],
        id="dropped-modifier-unlisted",
    ),
    pytest.param(
        dict(logged=["27447"], theirs="3.14", their_mods=["80"]),
        "modifier_added",
        ["adds modifier 80 to 27447: 3.136 as they list it, 19.60 as you logged it"],
        id="added-modifier",
    ),
    pytest.param(
        dict(logged=["44970"], theirs="14.18"),
        "gpci",
        ["multiplies the wRVU by a work GPCI: 9.45 × 1.500 (Alaska (AK)) = 14.175",
         "the GPCI adjusts payment, never wRVU"],
        id="gpci-applied",
    ),
    pytest.param(
        dict(logged=["27447-22"], theirs="19.60",
             policy=Policy(modifier_22_percent=D("150"))),
        "medicare_style",
        ["follows Medicare's rules (19.60), not your credit policy (29.40)"],
        id="medicare-style-not-the-policy",
    ),
    pytest.param(
        dict(logged=["45378", "99213"], wanted=1, theirs="1.30", coding=coding_with()),
        "global-package",
        ["does not apply the global surgical package: 1.30 without it, 0.00 with it",
         "99213 on the same day as 45378 (000-day global) is part of its package"],
        id="global-package-not-applied",
    ),
    pytest.param(
        dict(logged=["45378", "99213"], wanted=1, theirs="0", coding=coding_with(),
             policy=Policy(coding_edits=frozenset({"ptp-bundled"}))),
        "global-package",
        ["applies the global surgical package, which your credit policy turns off"],
        id="global-package-applied-against-the-policy",
    ),
    pytest.param(
        dict(logged=["27447", "20610"], wanted=1, theirs="0.395",
             coding=coding_with(checks.Edits(ptp={("27447", "20610"): 0}))),
        "ptp-bundled",
        ["does not apply the NCCI procedure-to-procedure edits: 0.395 without it, 0.00 with it",
         "20610 is bundled into 27447 the same day"],
        id="ncci-edit-not-applied",
    ),
    pytest.param(
        dict(logged=["20610", "99213"], wanted=1, theirs="1.30",
             coding=coding_with(checks.Edits(ptp={("20610", "99213"): 1}))),
        "coding_edits",
        ["does not apply the coding edits (the global surgical package and the NCCI edits)",
         "part of its package", "99213 is bundled into 20610 the same day"],
        id="two-coding-edits-not-applied",
    ),
    pytest.param(
        dict(logged=["45380", "45378"], wanted=1, theirs="3.26"),
        "multiple_procedure",
        ["does not apply the multiple-procedure reduction: 3.26 without it, 0.00 with it",
         "base of the 45378 endoscopy family: included in the family"],
        id="endoscopy-base-credited",
    ),
    pytest.param(
        dict(logged=["27447", "20610-80"], wanted=1, theirs="0.79"),
        "raw",
        ["credits the work RVU × units (0.79) with none of the payment rules applied",
         "assistant not payable for this code, no credit"],
        id="raw-work-rvu",
    ),
    pytest.param(
        dict(logged=["99214"], theirs="1.50"),
        "unexplained",
        ["No known cause fits: the statement credits 1.50; your log 1.92 under your policy and "
         "1.92 Medicare-style"],
        id="none-fits",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("given", "rule", "words"), CASES)
def test_each_difference_is_explained_by_its_cause(given, rule, words):
    found, _ = case(**given)

    assert found.rule == rule, found.reason
    for part in words:
        assert part in found.reason


def test_a_logged_line_the_statement_agrees_with_needs_no_reason():
    found, _ = case(logged=["99213"], theirs="1.30")
    assert (found.rule, found.reason) == ("", "")


def test_a_missing_line_that_a_coding_edit_leaves_out_says_so():
    specs = [LineSpec("45378"), LineSpec("99213")]
    encounter = explain.Encounter("RVU25D", "facility", ((1, specs[0]), (2, specs[1])), DAY, "e")
    edits = coding_with()(encounter, specs, ROWS["RVU25D"])
    ctx = explain.Context({1: encounter, 2: encounter}, ROWS, findings={2: tuple(edits[1])})
    missing = Match([], [Logged(2, DAY, "99213", (), 1, D(0), D(0), "RVU25D", 1)])

    found = explain.explain(missing, ctx)

    assert found.rule == "global-package"
    assert "Medicare's rules leave it out (your log credits it 0 too)" in found.reason


def test_a_missing_line_and_a_line_not_in_the_log():
    ctx = explain.Context({}, ROWS)
    missing = Match([], [Logged(2, DAY, "99213", (), 1, D("1.30"), D("1.30"), "RVU25D", 1)])
    extra = Match([Credit([StatementRow(3, DAY, "99214", (), 1, D("1.92"), 2)])], [])

    assert explain.explain(missing, ctx).rule == "missing"
    assert explain.explain(extra, ctx).rule == "not_in_log"


def test_gpcis_of_another_year_are_named_as_such():
    ctx_note = "No CY2026 locality files have been imported: RVU26C is priced with the CY2025 GPCIs"
    found, _ = case(logged=["44970"], theirs="14.18")
    assert "CY2025" not in found.reason

    specs = [LineSpec("44970")]
    encounter = explain.Encounter("RVU25D", "facility", ((1, specs[0]),), DAY, "e")
    ctx = explain.Context({1: encounter}, ROWS, gpcis=LOCALITIES, gpci_note=ctx_note)
    entry = Logged(1, DAY, "44970", (), 1, D("9.45"), D("9.45"), "RVU25D", 1)
    row = StatementRow(2, DAY, "44970", (), 1, D("14.18"), 2)

    borrowed = explain.explain(Match([Credit([row])], [entry], How.EXACT), ctx)

    assert borrowed.rule == "gpci" and borrowed.reason.endswith(ctx_note)
