"""The credit engine against real RVU25D / RVU26C rows, with answers worked by hand.

Each case: the encounter's lines as a clinician types them, the setting, and the expected
Medicare-style credit per line (4 places). Work RVUs quoted in comments are the files' values.
"""

from decimal import Decimal

import pytest

from codes.credit import LineInput, Policy, Setting, credit_encounter, line_errors

D = Decimal
FAC, OFFICE = Setting.FACILITY, Setting.NON_FACILITY


def encounter(fee_row, typed, release="RVU25D"):
    """Lines from "27447-50", "20610x2" ...: the 26/TC/53 row when the release has one (as
    codes.wrvu.price_lines does), and the 26 row of a global line with a PC/TC split."""
    lines = []
    for text in typed:
        text, _, units = text.partition("x")
        code, *modifiers = text.split("-")
        priced_by = next((m for m in modifiers if m in {"26", "TC", "53"}), "")
        try:
            row = fee_row(code, priced_by, release)
        except KeyError:
            row = fee_row(code, "", release)
        base = fee_row(row.endo_base, "", release) if row.endo_base else None
        pc_row = None
        if not priced_by and row.pctc == "1":  # a global line: its 26 row ranks imaging PCs
            pc_row = fee_row(code, "26", release)
        units = int(units) if units else 1
        lines.append(LineInput(code, row, tuple(modifiers), units, base_row=base, pc_row=pc_row))
    return lines


MEDICARE_CASES = [
    # (typed lines, setting, expected Medicare-style credit per line, release)
    (["99213"], OFFICE, ["1.3000"], "RVU25D"),
    (["99213"], OFFICE, ["1.3000"], "RVU26C"),
    # Bilateral indicator 1: 150% of 19.60.
    (["27447-50"], FAC, ["29.4000"], "RVU25D"),
    (["27447-50"], FAC, ["28.6650"], "RVU26C"),  # 19.11 x 1.5
    # Bilateral indicator 0 (47562): 100%, with a warning.
    (["47562-50"], FAC, ["10.4700"], "RVU25D"),
    # Bilateral indicator 3 (70030): each side 100%.
    (["70030-50"], OFFICE, ["0.3600"], "RVU25D"),
    # Co-surgery indicator 1: 62.5% of 10.47.
    (["47562-62"], FAC, ["6.5438"], "RVU25D"),
    # Co-surgery indicator 0 (29881): not permitted.
    (["29881-62"], FAC, ["0.0000"], "RVU25D"),
    # Two units of a MULT PROC 2 code: 100% + 50% of 0.79.
    (["20610x2"], OFFICE, ["1.1850"], "RVU25D"),
    # Ranked by fee (facility total 29.07 > 20.06), not by wRVU: 15.00 + 50% of 10.47.
    (["47562", "19303"], FAC, ["5.2350", "15.0000"], "RVU25D"),
    (["19303", "47562"], FAC, ["14.6300", "5.1050"], "RVU26C"),
    # The API example: 62.5% then 50%: 10.47 x 0.625 x 0.5.
    (["19303", "47562-62"], FAC, ["15.0000", "3.2719"], "RVU25D"),
    # Add-on codes are never reduced.
    (["22551", "22552"], FAC, ["25.0000", "6.5000"], "RVU25D"),
    (["64483", "64484"], OFFICE, ["1.9000", "1.0000"], "RVU25D"),
    (["99291", "99292x2"], FAC, ["4.5000", "4.5000"], "RVU25D"),
    # Endoscopy family 45378: highest 100%, the other minus the base (3.56 - 3.26).
    (["45380", "45385"], FAC, ["0.3000", "4.5700"], "RVU25D"),
    (["45380", "45385"], FAC, ["0.2900", "4.4600"], "RVU26C"),
    # The base billed with its family is not credited separately.
    (["45378", "45380"], FAC, ["0.0000", "3.5600"], "RVU25D"),
    # Two families rank against each other: 45380 (5.96) before 43239 (4.10).
    (["43239", "45380"], FAC, ["1.1950", "3.5600"], "RVU25D"),
    # 26 carries the work; TC none.
    (["70450-26"], FAC, ["0.8500"], "RVU25D"),
    (["70450-TC"], OFFICE, ["0.0000"], "RVU25D"),
    # Assistant at surgery: 16%; AS 13.6%; indicator 1 not payable.
    (["27447-80"], FAC, ["3.1360"], "RVU25D"),
    (["27447-AS"], FAC, ["2.6656"], "RVU25D"),
    (["20610-80"], OFFICE, ["0.0000"], "RVU25D"),
    # Split care from PRE/INTRA/POST (0.10 / 0.69 / 0.21 of 19.60).
    (["27447-54"], FAC, ["15.4840"], "RVU25D"),
    (["27447-55"], FAC, ["4.1160"], "RVU25D"),
    (["27447-56"], FAC, ["1.9600"], "RVU25D"),
    # 22 and 52 have no Medicare percentage: 100%.
    (["27447-22"], FAC, ["19.6000"], "RVU25D"),
    (["27447-52"], FAC, ["19.6000"], "RVU25D"),
    # The 53 row carries its own (reduced) values.
    (["45378-53"], FAC, ["1.6300"], "RVU25D"),
    # Status E / C: no national work value.
    (["J3490"], OFFICE, ["0.0000"], "RVU25D"),
    (["0042T"], FAC, ["0.0000"], "RVU25D"),
    # Status T is bundled when another payable service is billed.
    (["96523"], OFFICE, ["0.0400"], "RVU25D"),
    (["99213", "96523"], OFFICE, ["1.3000", "0.0000"], "RVU25D"),
    # Team surgery indicator 0 forbids 66; 1 and 2 are by report (credited at 100%).
    (["19303-66"], FAC, ["0.0000"], "RVU25D"),
    (["22836-66"], FAC, ["32.0000"], "RVU25D"),
    (["22818-66"], FAC, ["34.3300"], "RVU25D"),
    # Bilateral 2 (already bilateral) and 9 (does not apply): 100%.
    (["11010-50"], FAC, ["4.1900"], "RVU25D"),
    (["11300-50"], OFFICE, ["0.6000"], "RVU25D"),
    # Assistant 0 (with documentation): 16% of 4.43; assistant 9: 16% with a warning.
    (["11451-80"], FAC, ["0.7088"], "RVU25D"),
    (["74177-80"], FAC, ["0.2912"], "RVU25D"),
    # Co-surgery 9: 62.5% with a warning.
    (["77427-62"], FAC, ["2.1063"], "RVU25D"),
    # MULT PROC 9 and 0 take no part in ranking; 4 (imaging) has no work effect.
    (["77427", "99213", "74177"], FAC, ["3.3700", "1.3000", "1.8200"], "RVU25D"),
    # A 10-day global: 54 = pre + intra (0.10 + 0.80 of 1.22).
    (["10060-54"], OFFICE, ["1.0980"], "RVU25D"),
]


@pytest.mark.parametrize(("typed", "setting", "expected", "release"), MEDICARE_CASES)
def test_medicare_style_credit(fee_row, typed, setting, expected, release):
    result = credit_encounter(encounter(fee_row, typed, release), setting)

    assert [str(line.credited) for line in result.lines] == expected
    assert result.credited == sum(D(value) for value in expected)


def test_raw_is_work_rvu_times_units_whatever_the_modifiers(fee_row):
    result = credit_encounter(encounter(fee_row, ["27447-50", "20610x2", "47562-62"]), FAC)

    assert [str(line.raw) for line in result.lines] == ["19.6000", "1.5800", "10.4700"]
    assert result.raw == D("31.6500")


@pytest.mark.parametrize(
    ("typed", "setting", "expected_text"),
    [
        (["19303", "47562"], FAC, "ranked 2nd by fee: 50% of 10.47"),
        (["27447-50"], FAC, "50: bilateral at 150%"),
        (["22551", "22552"], FAC, "add-on code: never reduced"),
        (["45380", "45385"], FAC, "endoscopy family 45378: 3.56 minus base 3.26 = 0.30"),
        (["47562-62"], FAC, "62: co-surgeon at 62.5%"),
        (["27447-54"], FAC, "54: surgical care only (pre + intra), 79%"),
    ],
)
def test_each_adjustment_is_explained(fee_row, typed, setting, expected_text):
    result = credit_encounter(encounter(fee_row, typed), setting)

    assert any(expected_text in text for line in result.lines for text in line.explanation)


@pytest.mark.parametrize(
    ("typed", "warning"),
    [
        (["47562-50"], "does not apply to 47562 (indicator 0)"),
        (["29881-62"], "not permitted for 29881"),
        (["20610-80"], "not paid for 20610"),
        (["99213-26"], "Modifier 26 cannot be used with 99213"),
        (["J3490"], "status E"),
        (["0042T"], "status C"),
        (["47562-62"], "only with documentation"),
        (["99213-54"], "10- or 90-day global"),
        (["11451-80"], "only with documentation"),
        (["74177-80"], "do not apply to 74177"),
        (["77427-62"], "does not apply to 77427"),
        (["22836-66"], "by report"),
        (["11300-50"], "does not apply to 11300 (bilateral indicator 9)"),
        (["10060-55"], "prorated by the days of care"),
    ],
)
def test_forbidden_modifiers_and_missing_values_warn(fee_row, typed, warning):
    result = credit_encounter(encounter(fee_row, typed), FAC)

    messages = [warning.message for warning in result.lines[0].warnings]
    assert any(warning in text for text in messages), messages


def test_more_than_five_procedures_are_flagged_by_report(fee_row):
    typed = ["19303", "27447", "27130", "63030", "47562", "44970"]
    result = credit_encounter(encounter(fee_row, typed), FAC)

    sixth = result.lines[-1]  # 44970 has the lowest facility total of the six
    assert any("by report" in text for text in sixth.explanation)
    assert sixth.credited == D("4.7250")  # 50% of 9.45


EMPLOYER_CASES = [
    # (policy, typed, expected per line)
    (Policy(multiple_procedure=False), ["19303", "47562"], ["15.0000", "10.4700"]),
    (Policy(bilateral=False), ["27447-50"], ["19.6000"]),
    (Policy(co_surgery=False), ["47562-62"], ["10.4700"]),
    (Policy(assistant=False), ["27447-80"], ["19.6000"]),
    (Policy(endoscopy=False), ["45380", "45385"], ["1.7800", "4.5700"]),
    (Policy(modifier_22_percent=D("125")), ["27447-22"], ["24.5000"]),
    (Policy(modifier_52_percent=D("50")), ["27447-52"], ["9.8000"]),
    (Policy(second_procedure_percent=D("100")), ["19303", "47562"], ["15.0000", "10.4700"]),
]


@pytest.mark.parametrize(("policy", "typed", "expected"), EMPLOYER_CASES)
def test_employer_policy_switches(fee_row, policy, typed, expected):
    result = credit_encounter(encounter(fee_row, typed), FAC, policy)

    assert [str(line.credited) for line in result.lines] == expected


# Issue 11: rules as DOMAIN.md states them, on real rows. Each id carries the arithmetic.
RULE_CASES = [
    # 26 / TC where PCTC forbids them: no credit (never the global row), warning pctc.not_allowed.
    pytest.param(
        ["27447-TC"],
        FAC,
        ["0.0000"],
        "RVU25D",
        {"pctc.not_allowed"},
        id="27447-TC pctc 0: rejected, 0 (not the global 19.60)",
    ),
    pytest.param(
        ["27447-26"],
        FAC,
        ["0.0000"],
        "RVU25D",
        {"pctc.not_allowed"},
        id="27447-26 pctc 0: rejected, 0",
    ),
    pytest.param(
        ["93010-26"],
        OFFICE,
        ["0.0000"],
        "RVU25D",
        {"pctc.not_allowed"},
        id="93010-26 pctc 2 (professional only code): rejected, 0",
    ),
    pytest.param(
        ["93005-TC"],
        OFFICE,
        ["0.0000"],
        "RVU25D",
        {"pctc.not_allowed"},
        id="93005-TC pctc 3 (technical only code): rejected, 0",
    ),
    pytest.param(
        ["93000-26"],
        OFFICE,
        ["0.0000"],
        "RVU25D",
        {"pctc.not_allowed"},
        id="93000-26 pctc 4 (global only code): rejected, 0",
    ),
    pytest.param(
        ["70450-26"], FAC, ["0.8500"], "RVU25D", set(), id="70450-26 pctc 1: the 26 row, 0.85"
    ),
    # Bilateral by 50, by RT + LT, or by 2 units; indicator 1 = 150% in total.
    pytest.param(
        ["27447x2"], FAC, ["29.4000"], "RVU25D", set(), id="27447 x2 bilat 1: 19.60 x 150% = 29.40"
    ),
    pytest.param(
        ["27447-RT", "27447-LT"],
        FAC,
        ["14.7000", "14.7000"],
        "RVU25D",
        set(),
        id="27447-RT + 27447-LT bilat 1: 19.60 x 150% = 29.40, 14.70 a side",
    ),
    pytest.param(
        ["20610x2"], OFFICE, ["1.1850"], "RVU25D", set(), id="20610 x2 bilat 1: 0.79 x 150% = 1.185"
    ),
    pytest.param(
        ["20610x2"], OFFICE, ["1.1550"], "RVU26C", set(), id="20610 x2 bilat 1: 0.77 x 150% = 1.155"
    ),
    # Indicator 2: already bilateral, 100% in total however both sides are reported.
    pytest.param(
        ["31231x2"], OFFICE, ["1.1000"], "RVU25D", set(), id="31231 x2 bilat 2: 1.10 x 100% = 1.10"
    ),
    pytest.param(
        ["31231x2"], OFFICE, ["1.0700"], "RVU26C", set(), id="31231 x2 bilat 2: 1.07 x 100% = 1.07"
    ),
    pytest.param(
        ["31231-RT", "31231-LT"],
        OFFICE,
        ["0.5500", "0.5500"],
        "RVU25D",
        set(),
        id="31231-RT + 31231-LT bilat 2: 1.10 x 100% = 1.10, 0.55 a side",
    ),
    pytest.param(
        ["31231-50"], OFFICE, ["1.1000"], "RVU25D", set(), id="31231-50 bilat 2: 1.10 x 100%"
    ),
    # Indicator 3: each side 100%.
    pytest.param(
        ["70030x2"], OFFICE, ["0.3600"], "RVU25D", set(), id="70030 x2 bilat 3: 0.18 x 200% = 0.36"
    ),
    pytest.param(
        ["70030-RT", "70030-LT"],
        OFFICE,
        ["0.1800", "0.1800"],
        "RVU25D",
        set(),
        id="70030-RT + 70030-LT bilat 3: 0.18 a side",
    ),
    # 50 is one line and one unit: 2 units with 50 count once, with a warning.
    pytest.param(
        ["20610-50x2"],
        OFFICE,
        ["1.1850"],
        "RVU25D",
        {"bilateral.units_with_50"},
        id="20610-50 x2: one bilateral procedure, 0.79 x 150% = 1.185 (not 1.7775)",
    ),
    # Bilateral before the multiple-procedure rule: the pair ranks as one procedure, by its
    # 150% fee (38.88 x 1.5 = 58.32 > 19303's 29.07), so 19303 is second: 15.00 x 50% = 7.50.
    pytest.param(
        ["19303", "27447-RT", "27447-LT"],
        FAC,
        ["7.5000", "14.7000", "14.7000"],
        "RVU25D",
        set(),
        id="19303 + 27447 RT/LT: pair 1st 29.40, 19303 2nd 15.00 x 50% = 7.50",
    ),
    # Multiple-procedure indicator 4: second and later imaging PCs at 95%, ranked by PC fee
    # (72148-26 total 2.09 > 70450-26 1.20).
    pytest.param(
        ["70450-26", "72148-26"],
        FAC,
        ["0.8075", "1.4800"],
        "RVU25D",
        set(),
        id="70450-26 + 72148-26: 1.48 + 0.85 x 95% = 2.2875",
    ),
    pytest.param(
        ["70450-26", "72148-26"],
        FAC,
        ["0.7885", "1.4400"],
        "RVU26C",
        set(),
        id="70450-26 + 72148-26 RVU26C: 1.44 + 0.83 x 95% = 2.2285",
    ),
    pytest.param(
        ["70450", "72148-26"],
        FAC,
        ["0.8075", "1.4800"],
        "RVU25D",
        set(),
        id="70450 global + 72148-26: ranked by PC fee (1.20 < 2.09), 1.48 + 0.85 x 95%",
    ),
    pytest.param(
        ["70450-26x2"],
        FAC,
        ["1.6575"],
        "RVU25D",
        set(),
        id="70450-26 x2: 0.85 + 0.85 x 95% = 1.6575",
    ),
    pytest.param(
        ["70450-TC", "72148-26"],
        OFFICE,
        ["0.0000", "1.4800"],
        "RVU25D",
        set(),
        id="70450-TC + 72148-26: the TC carries no work and takes no rank, 1.48",
    ),
    # 54 and 55 on one line: pre + intra + post.
    pytest.param(
        ["27447-54-55"],
        FAC,
        ["19.6000"],
        "RVU25D",
        {"split_care.postop_prorated"},
        id="27447-54-55: 19.60 x (0.10 + 0.69 + 0.21) = 19.60",
    ),
    pytest.param(
        ["10060-54-55"],
        OFFICE,
        ["1.2200"],
        "RVU25D",
        {"split_care.postop_prorated"},
        id="10060-54-55: 1.22 x (0.10 + 0.80 + 0.10) = 1.22",
    ),
    pytest.param(
        ["27447-55-56"],
        FAC,
        ["6.0760"],
        "RVU25D",
        {"split_care.postop_prorated"},
        id="27447-55-56: 19.60 x (0.21 + 0.10) = 6.076",
    ),
    pytest.param(
        ["27447-54"], FAC, ["15.4840"], "RVU25D", set(), id="27447-54: 19.60 x (0.10 + 0.69)"
    ),
    # An add-on code alone (no non-add-on procedure in the encounter): 0 with a warning.
    pytest.param(
        ["22552"],
        FAC,
        ["0.0000"],
        "RVU25D",
        {"add_on.without_primary"},
        id="22552 alone: add-on without a primary, 0 (not 6.50)",
    ),
    pytest.param(
        ["99292"],
        FAC,
        ["0.0000"],
        "RVU25D",
        {"add_on.without_primary"},
        id="99292 alone: add-on without a primary, 0",
    ),
    pytest.param(
        ["22551", "22552"],
        FAC,
        ["25.0000", "6.5000"],
        "RVU25D",
        set(),
        id="22551 + 22552: the add-on with its primary, 6.50",
    ),
]


@pytest.mark.parametrize(("typed", "setting", "expected", "release", "warning_ids"), RULE_CASES)
def test_issue_11_credit_rules(fee_row, typed, setting, expected, release, warning_ids):
    result = credit_encounter(encounter(fee_row, typed, release), setting)

    assert [str(line.credited) for line in result.lines] == expected
    assert result.credited == sum(D(value) for value in expected)
    found = {warning.id for line in result.lines for warning in line.warnings}
    assert warning_ids <= found, found
    assert not found & {"bilateral.units_with_50", "pctc.not_allowed"} - warning_ids


def test_beyond_the_fifth_procedure_warns_by_report(fee_row):
    typed = ["19303", "27447", "27130", "63030", "47562", "44970"]
    result = credit_encounter(encounter(fee_row, typed), FAC)

    *first_five, sixth = result.lines
    assert [w.id for w in sixth.warnings] == ["multiple_procedure.by_report"]
    assert "by report" in sixth.warnings[0].message
    assert not any(line.warnings for line in first_five)


@pytest.mark.parametrize(
    ("typed", "expected_text"),
    [
        (["27447-54-55"], "54 + 55: surgical and postoperative care (pre + intra + post), 100%"),
        (["31231x2"], "2 units: already valued as bilateral, 100% in total"),
        (["27447-RT", "27447-LT"], "RT + LT: bilateral at 150% in total, 75% on each side"),
        (["70450-26", "72148-26"], "imaging ranked 2nd by professional fee: 95% of 0.85"),
        (["22552"], "add-on code with no primary procedure in the encounter: no credit"),
        (["27447-TC"], "TC cannot be used with 27447 (PC/TC indicator 0): no credit"),
    ],
)
def test_issue_11_rules_are_explained(fee_row, typed, expected_text):
    result = credit_encounter(encounter(fee_row, typed), FAC)

    texts = [text for line in result.lines for text in line.explanation]
    assert any(expected_text in text for text in texts), texts


@pytest.mark.parametrize(
    ("typed", "ids"),
    [
        ("27447-TC", ["pctc.not_allowed"]),
        ("27447-26", ["pctc.not_allowed"]),
        ("93010-26", ["pctc.not_allowed"]),
        ("93005-TC", ["pctc.not_allowed"]),
        ("93000-TC", ["pctc.not_allowed"]),
        ("20610-50x2", ["bilateral.units_with_50"]),
        ("70450-26", []),
        ("70450-TC", []),
        ("20610-50", []),
        ("20610x2", []),
    ],
)
def test_lines_that_cannot_be_logged(fee_row, typed, ids):
    (line,) = encounter(fee_row, [typed])

    problems = line_errors(line)

    assert [problem.id for problem in problems] == ids
    assert all(problem.message for problem in problems)


BILATERAL_POLICY_CASES = [
    # Bilateral rule off: two units or sides are two procedures, ranked 100% + 50%.
    (Policy(bilateral=False), ["31231x2"], ["1.6500"]),
    (Policy(bilateral=False), ["27447-RT", "27447-LT"], ["19.6000", "9.8000"]),
    # The multiple-procedure switch also governs the imaging PC reduction.
    (Policy(multiple_procedure=False), ["70450-26", "72148-26"], ["0.8500", "1.4800"]),
]


@pytest.mark.parametrize(("policy", "typed", "expected"), BILATERAL_POLICY_CASES)
def test_employer_policy_switches_for_issue_11_rules(fee_row, policy, typed, expected):
    result = credit_encounter(encounter(fee_row, typed), FAC, policy)

    assert [str(line.credited) for line in result.lines] == expected
