"""Offers side by side and the planner, on the engine: scenarios, ties, sentences, plans."""

from decimal import Decimal

from contracts.engine import CodeMix, Mix, Terms, Tier, Wrvu
from contracts.planning import break_even_text, compare, plan

D = Decimal
SALARY = Terms(
    name="Salary", base_salary=D(250000), threshold_wrvu=D(5000), tiers=(Tier(D(0), D(50)),)
)
PRODUCTION = Terms(name="Production", tiers=(Tier(D(0), D(60)),))
KNEE = CodeMix("27447", "Total knee arthroplasty", D(60), {None: Wrvu.both(D(1176))})
MIX = Mix({None: Wrvu.both(D(5000))})


def test_each_contract_on_the_same_scenarios():
    result = compare(
        [SALARY, PRODUCTION], MIX, figure="policy", basis="entered", code=KNEE, cases=-2
    )

    # 5,000: 250,000 against 300,000. 4,000: 250,000 against 240,000. 6,000: 300,000 against
    # 360,000. 2 fewer knees a month: 24 x 19.60 = 470.40 less, 4,529.60: 250,000 / 271,776.
    assert [(s.label, wrvu) for s, wrvu in result.rows] == [
        ("Your volume", D(5000)),
        ("20% less volume", D("4000.0")),
        ("20% more volume", D("6000.0")),
        ("A different mix: 2 fewer 27447 a month", D("4529.60")),
    ]
    assert [[p.total for p in s.pays] for s in result.scenarios] == [
        [D("250000.00"), D("300000.00")],
        [D("250000.00"), D("240000.00")],
        [D("300000.00"), D("360000.00")],
        [D("250000.00"), D("271776.00")],
    ]
    assert [s.best for s in result.scenarios] == [
        "Production",
        "Salary",
        "Production",
        "Production",
    ]
    assert result.break_even_lines == [
        "Salary and Production pay the same, $250,000.00, at 4,166.67 wRVU a year "
        "(employer policy): below it Salary pays more, above it Production."
    ]


def test_a_tie_at_the_top_names_no_winner():
    twin = Terms(name="Twin", base_salary=D(250000), threshold_wrvu=D(5000), tiers=SALARY.tiers)

    (scenario, *_) = compare([SALARY, twin], MIX, figure="policy", basis="entered").scenarios

    assert scenario.best is None


def test_offers_that_never_meet_are_said_so():
    more = Terms(name="More", tiers=(Tier(D(0), D(61)),))

    (result,) = compare([PRODUCTION, more], MIX, figure="policy", basis="entered").break_evens

    assert break_even_text(result) == ["More pays more at every volume up to 15,000 wRVU a year."]


def test_a_plan_in_wrvu_a_week_and_in_procedures():
    result = plan(SALARY, mix=MIX, codes=[KNEE], weeks=D(48), target="an income", income=D(310000))

    # (310,000 - 250,000) / 50 + 5,000 = 6,200 a year; 6,200 / 48 = 129.17 a week; the gap
    # 1,200 a year is 100 a month: 100 / 19.60 = 5.1 -> 6 more knees a month.
    assert (result.needed, result.per_week, result.gap, result.gap_per_month) == (
        D("6200.00"),
        D("129.17"),
        D("1200.00"),
        D("100.00"),
    )
    assert [(p.code, p.cases_a_month) for p in result.procedures] == [("27447", 6)]
    assert result.pay.total == D("310000.00")


def test_a_plan_out_of_reach():
    result = plan(
        Terms(name="Flat", base_salary=D(200000)),
        mix=MIX,
        codes=[KNEE],
        weeks=D(48),
        target="an income",
        income=D(300000),
    )

    assert (result.needed, result.per_week, result.pay, result.procedures) == (None, None, None, ())
