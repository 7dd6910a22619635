"""The contracts engine, worked by hand: each expected figure is derived in the comment above it.

Money is rounded to the cent, half up, once per line a person reads; the total is the sum of
the rounded lines. 2026 has 365 days: Jan 1 to Jun 30 is 181 of them, Jul 1 to Dec 31 184.
"""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from contracts.engine import (
    CARRY,
    CLAWBACK,
    Bonus,
    CodeMix,
    LocationRate,
    Mix,
    Stipend,
    Terms,
    Tier,
    Work,
    Wrvu,
    break_even,
    carried_in,
    in_procedures,
    overlapping,
    pay_for_volume,
    pay_for_year,
    pay_under_contracts,
    problems,
    projected_work,
    volume_for_income,
    with_more_cases,
)
from rvuedge import rounding

D = Decimal
YEAR_2026 = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def flat(wrvu):
    """A year's volume at no location with its own rate, the same under both figures."""
    return Mix({None: Wrvu.both(D(wrvu))})


def tiers(*pairs):
    return tuple(Tier(D(start), D(rate)) for start, rate in pairs)


# --- One year's volume -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("terms", "wrvu", "productivity", "total", "effective"),
    [
        # Base plus threshold: $300,000 and $50 for each wRVU above 5,000.
        # (6,200 - 5,000) x 50 = 60,000; 300,000 + 60,000 = 360,000; 360,000 / 6,200 = 58.0645.
        (
            Terms(base_salary=D(300000), threshold_wrvu=D(5000), tiers=tiers((0, 50))),
            "6200",
            "60000.00",
            "360000.00",
            "58.06",
        ),
        # Below the threshold the base alone is paid: 4,000 < 5,000; 300,000 / 4,000 = 75.
        (
            Terms(base_salary=D(300000), threshold_wrvu=D(5000), tiers=tiers((0, 50))),
            "4000",
            "0.00",
            "300000.00",
            "75.00",
        ),
        # Pure productivity, two marginal tiers: the first 5,000 at $45, the rest at $52.
        # 5,000 x 45 = 225,000; 1,500 x 52 = 78,000; 303,000 / 6,500 = 46.615 -> 46.62.
        (Terms(tiers=tiers((0, 45), (5000, 52))), "6500", "303000.00", "303000.00", "46.62"),
        # wRVUs below the first tier earn nothing: tiers from 4,000 at $50 and 6,000 at $60.
        # (6,000 - 4,000) x 50 = 100,000; (7,000 - 6,000) x 60 = 60,000; 160,000 / 7,000 = 22.857.
        (Terms(tiers=tiers((4000, 50), (6000, 60))), "7000", "160000.00", "160000.00", "22.86"),
        (Terms(tiers=tiers((4000, 50), (6000, 60))), "3000", "0.00", "0.00", "0.00"),
        # The threshold is later than the first tier: the threshold counts.
        # (5,500 - 5,000) x 50 = 25,000; (5,600 - 5,500) x 60 = 6,000: 31,000.
        (
            Terms(threshold_wrvu=D(5000), tiers=tiers((4000, 50), (5500, 60))),
            "5600",
            "31000.00",
            "31000.00",
            "5.54",  # 31,000 / 5,600 = 5.5357
        ),
    ],
)
def test_a_years_volume_is_paid_base_plus_marginal_tiers(
    terms, wrvu, productivity, total, effective
):
    pay = pay_for_volume(terms, flat(wrvu))

    assert pay.productivity == D(productivity)
    assert pay.total == D(total)
    assert pay.effective_rate == D(effective)


def test_the_threshold_after_the_first_tier_shifts_where_pay_starts():
    # Tiers 4,000 at $50 and 5,500 at $60 with a 5,000 threshold, 5,600 wRVU:
    # 5,000 to 5,500 at $50 = 25,000.00; 5,500 to 5,600 at $60 = 6,000.00.
    pay = pay_for_volume(
        Terms(threshold_wrvu=D(5000), tiers=tiers((4000, 50), (5500, 60))), flat("5600")
    )

    assert [(line.low, line.high, line.amount) for line in pay.tier_lines] == [
        (D(5000), D(5500), D("25000.00")),
        (D(5500), None, D("6000.00")),
    ]
    assert pay.total == D("31000.00")


def test_quality_at_80_percent_and_a_fixed_incentive_at_half():
    terms = Terms(
        base_salary=D(250000),
        bonuses=(
            Bonus("Quality", "percent", D(10), achieved_percent=D(80)),
            Bonus("Patient experience", "fixed", D(5000), achieved_percent=D(50)),
        ),
    )

    pay = pay_for_volume(terms, flat("4000"))

    # Quality: 10% of 250,000 = 25,000 x 80% = 20,000. Incentive: 5,000 x 50% = 2,500.
    assert [line.amount for line in pay.bonuses] == [D("20000.00"), D("2500.00")]
    assert pay.quality_bonus == D("22500.00")
    assert pay.total == D("272500.00")
    assert "Quality: 10.00% of base $250,000.00 × 80.00% achieved = $20,000.00" in pay.steps


def test_stipends_and_a_locations_own_rate():
    asc = LocationRate(location=7, name="Valley ASC", rate=D(60))
    terms = Terms(
        threshold_wrvu=D(1000),
        tiers=tiers((0, 50)),
        location_rates=(asc,),
        stipends=(Stipend("call", D(20000)), Stipend("admin", D(12000), name="Department chair")),
    )
    mix = Mix({None: Wrvu.both(D(4000)), 7: Wrvu.both(D(500))})

    pay = pay_for_volume(terms, mix)

    # The ASC's 500 at its own $60 = 30,000 (not through the threshold); the other 4,000:
    # (4,000 - 1,000) x 50 = 150,000. Stipends 20,000 + 12,000 = 32,000. Total 212,000.
    assert [(line.name, line.amount) for line in pay.location_lines] == [
        ("Valley ASC", D("30000.00"))
    ]
    assert pay.productivity == D("180000.00")
    assert pay.stipends == D("32000.00")
    assert pay.total == D("212000.00")
    assert "Call stipend: $20,000.00 a year = $20,000.00" in pay.steps
    assert "Department chair: $12,000.00 a year = $12,000.00" in pay.steps


def test_the_contract_counts_its_own_figure():
    mix = Mix({None: Wrvu(medicare=D(6000), policy=D(6500))})
    medicare = Terms(tiers=tiers((0, 50)), figure="medicare")
    policy = Terms(tiers=tiers((0, 50)), figure="policy")

    # 6,000 x 50 = 300,000 against 6,500 x 50 = 325,000.
    assert pay_for_volume(medicare, mix).total == D("300000.00")
    assert pay_for_volume(policy, mix).total == D("325000.00")


def test_every_step_of_the_arithmetic_is_written_out():
    terms = Terms(
        name="Offer A",
        base_salary=D(300000),
        threshold_wrvu=D(5000),
        tiers=tiers((0, 50)),
        bonuses=(Bonus("Quality", "percent", D(5), achieved_percent=D(80)),),
    )

    steps = pay_for_volume(terms, flat("6200")).steps

    assert steps == [
        "Offer A counts the employer policy wRVU figure: 6,200.00 wRVU.",
        "Base salary: $300,000.00 a year = $300,000.00",
        "Threshold: 5,000.00 wRVU a year",
        "5,000.00 wRVU up to the threshold: nothing beyond base",
        "Above 5,000.00 wRVU: 1,200.00 × $50.00 = $60,000.00",
        "Productivity earned: $60,000.00",
        # 5% of 300,000 = 15,000 x 80% = 12,000.
        "Quality: 5.00% of base $300,000.00 × 80.00% achieved = $12,000.00",
        "Total: $300,000.00 base + $60,000.00 productivity + $12,000.00 bonuses = $372,000.00",
        # 372,000 / 6,200 = 60.
        "Effective rate: $372,000.00 ÷ 6,200.00 wRVU = $60.00 per wRVU",
    ]


def test_no_volume_has_no_effective_rate():
    pay = pay_for_volume(Terms(base_salary=D(100000)), flat("0"))

    assert pay.total == D("100000.00")
    assert pay.effective_rate is None


# --- Reconciliation against a draw, by quarter -------------------------------------------------

# A year of pure productivity at $50 a wRVU, drawing $100,000 a year: $25,000 a quarter.
# Work in the quarters: 400, 600, 450 and 400 wRVU, earning 20,000, 30,000, 22,500 and 20,000.
QUARTERS = [(2, 15, "400"), (5, 15, "600"), (8, 14, "450"), (11, 16, "400")]
DRAWN = Terms(tiers=tiers((0, 50)), reconciliation="quarterly", draw=D(100000))


def quarter_work():
    return [Work(dt.date(2026, m, d), Wrvu.both(D(w))) for m, d, w in QUARTERS]


def test_a_quarterly_shortfall_is_clawed_back():
    terms = replace(DRAWN, shortfall=CLAWBACK)

    pay = pay_for_year(terms, year=YEAR_2026, work=quarter_work(), through=dt.date(2026, 12, 31))

    # Q1: 20,000 earned against 25,000 drawn: 5,000 recovered, 20,000 paid.
    # Q2: 30,000 earned: 5,000 above the draw paid, 30,000 in all.
    # Q3: 22,500: 2,500 recovered. Q4: 20,000: 5,000 recovered. Paid = earned = 92,500.
    assert [(p.draw, p.earned, p.settlement, p.paid) for p in pay.periods] == [
        (D("25000.00"), D("20000.00"), D("-5000.00"), D("20000.00")),
        (D("25000.00"), D("30000.00"), D("5000.00"), D("30000.00")),
        (D("25000.00"), D("22500.00"), D("-2500.00"), D("22500.00")),
        (D("25000.00"), D("20000.00"), D("-5000.00"), D("20000.00")),
    ]
    assert pay.productivity == D("92500.00")
    assert pay.outstanding == D("0")
    assert (
        "Jan 1 to Mar 31, 2026: earned $20,000.00 against a draw of $25,000.00:"
        " shortfall $5,000.00 clawed back; paid $20,000.00"
    ) in pay.steps


def test_a_quarterly_shortfall_is_carried_forward():
    terms = replace(DRAWN, shortfall=CARRY)

    pay = pay_for_year(terms, year=YEAR_2026, work=quarter_work(), through=dt.date(2026, 12, 31))

    # Q1: the draw is paid, 5,000 carried. Q2: the 5,000 surplus pays off what was carried.
    # Q3: 2,500 carried. Q4: 5,000 more carried: 7,500 owed at the end, not deducted.
    # Paid: 25,000 x 4 = 100,000, against 92,500 earned (100,000 - 92,500 = 7,500 owed).
    assert [(p.settlement, p.paid, p.carried) for p in pay.periods] == [
        (D("0"), D("25000.00"), D("5000.00")),
        (D("0.00"), D("25000.00"), D("0.00")),
        (D("0"), D("25000.00"), D("2500.00")),
        (D("0"), D("25000.00"), D("7500.00")),
    ]
    assert pay.earned == D("92500.00")
    assert pay.productivity == D("100000.00")
    assert pay.outstanding == D("7500.00")
    assert "Carried forward at the end, owed against later surpluses: $7,500.00" in pay.steps


def test_the_threshold_is_reached_on_the_years_running_total():
    # A 1,000 wRVU threshold a year, $50 above it, quarterly without a draw. Running totals:
    # 400, 1,000, 1,450, 1,850: Q1 and Q2 earn nothing; Q3 (1,450 - 1,000) x 50 = 22,500;
    # Q4 400 x 50 = 20,000.
    terms = Terms(threshold_wrvu=D(1000), tiers=tiers((0, 50)), reconciliation="quarterly")

    pay = pay_for_year(terms, year=YEAR_2026, work=quarter_work(), through=dt.date(2026, 12, 31))

    assert [p.paid for p in pay.periods] == [D(0), D(0), D("22500.00"), D("20000.00")]
    assert pay.total == D("42500.00")


def test_pay_to_date_counts_the_base_by_days_and_the_current_period_so_far():
    # Through May 15 2026: Jan 1 to May 15 is 135 days. Base 365,000 x 135/365 = 135,000.
    # Q2 so far: Apr 1 to May 15 is 45 of its 91 days: draw 25,000 x 45/91 = 12,362.637 -> .64.
    terms = replace(DRAWN, base_salary=D(365000))

    pay = pay_for_year(terms, year=YEAR_2026, work=quarter_work(), through=dt.date(2026, 5, 15))

    assert pay.base == D("135000.00")
    assert [p.draw for p in pay.periods] == [D("25000.00"), D("12362.64")]
    # Q2 earned 30,000 against 12,362.64: 17,637.36 above the draw.
    assert pay.periods[1].paid == D("30000.00")


# --- A contract changing in the middle of the year ---------------------------------------------


def test_a_contract_change_mid_year_pays_each_part_under_its_own_terms():
    first = Terms(
        name="2025 contract",
        start=dt.date(2025, 1, 1),
        end=dt.date(2026, 6, 30),
        base_salary=D(200000),
        threshold_wrvu=D(4000),
        tiers=tiers((0, 45)),
    )
    second = Terms(
        name="2026 contract",
        start=dt.date(2026, 7, 1),
        base_salary=D(250000),
        threshold_wrvu=D(5000),
        tiers=tiers((0, 55)),
    )
    work = [
        Work(dt.date(2026, 3, 2), Wrvu.both(D(2500))),
        Work(dt.date(2026, 9, 1), Wrvu.both(D(3000))),
    ]

    year = pay_under_contracts(
        [first, second], year=YEAR_2026, work=work, through=dt.date(2026, 12, 31)
    )

    a, b = year.pays
    # First, 181 of 365 days: base 200,000 x 181/365 = 99,178.08; threshold 4,000 x 181/365
    # = 1,983.5616; (2,500 - 1,983.5616) x 45 = 23,239.73. 99,178.08 + 23,239.73 = 122,417.81.
    assert (a.base, a.productivity, a.total) == (
        D("99178.08"),
        D("23239.73"),
        D("122417.81"),
    )
    # Second, 184 of 365 days: base 250,000 x 184/365 = 126,027.40; threshold 5,000 x 184/365
    # = 2,520.5479; (3,000 - 2,520.5479) x 55 = 26,369.86. 126,027.40 + 26,369.86 = 152,397.26.
    assert (b.base, b.productivity, b.total) == (
        D("126027.40"),
        D("26369.86"),
        D("152397.26"),
    )
    assert year.total == D("274815.07")
    assert "Threshold: 4,000.00 wRVU a year × 181/365 days = 1,983.56 wRVU" in a.steps
    assert year.uncovered == Wrvu()


def test_work_on_dates_no_contract_covers_is_counted_apart():
    only_spring = Terms(start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31), tiers=tiers((0, 10)))
    work = quarter_work()

    year = pay_under_contracts(
        [only_spring], year=YEAR_2026, work=work, through=dt.date(2026, 12, 31)
    )

    # 400 in Q1 at $10 = 4,000; 600 + 450 + 400 = 1,450 fall outside.
    assert year.total == D("4000.00")
    assert year.uncovered == Wrvu.both(D(1450))


def test_a_contract_not_yet_in_force_pays_nothing_to_date():
    later = Terms(start=dt.date(2026, 9, 1), base_salary=D(100000))

    assert pay_for_year(later, year=YEAR_2026, work=[], through=dt.date(2026, 5, 1)) is None


# --- Projection --------------------------------------------------------------------------------


def test_the_projection_spreads_the_pace_so_far_over_the_working_days_left():
    # By Friday Apr 24 2026, 82 of the year's 261 working days have passed; 164 wRVU so far:
    # 2 a working day, 179 days left: 164 + 358 = 522 = 164 x 261 / 82.
    work = [Work(dt.date(2026, 4, 20), Wrvu.both(D(164)), location=3)]

    projected = projected_work(work, year=YEAR_2026, through=dt.date(2026, 4, 24))

    total = sum((w.wrvu.policy for w in projected), D(0))
    assert total.quantize(D("0.0001")) == D("522.0000")
    future = [w for w in projected if w.date > dt.date(2026, 4, 24)]
    assert len(future) == 179
    assert {w.location for w in future} == {3}
    assert all(w.date.weekday() < 5 for w in future)


# --- Offers: break-even and planning ------------------------------------------------------------


def test_the_break_even_volume_between_a_salary_offer_and_a_productivity_offer():
    salary = Terms(
        name="Salary", base_salary=D(250000), threshold_wrvu=D(5000), tiers=tiers((0, 50))
    )
    production = Terms(name="Production", tiers=tiers((0, 60)))

    result = break_even(salary, production, flat("5000"))

    # Below 5,000: 250,000 = 60 w at w = 4,166.67. Above 5,000 the salary offer gains $50 a
    # wRVU against $60: they never meet again.
    assert [(c.wrvu, c.more_below, c.more_above) for c in result.crossings] == [
        (D("4166.67"), "Salary", "Production")
    ]


def test_two_crossings_when_a_richer_tier_catches_up():
    salary = Terms(name="A", base_salary=D(200000), threshold_wrvu=D(4000), tiers=tiers((0, 70)))
    flat_rate = Terms(name="B", tiers=tiers((0, 55)))

    result = break_even(salary, flat_rate, flat("5000"))

    # Below 4,000: 200,000 = 55 w at 3,636.36. Above: 200,000 + 70 (w - 4,000) = 55 w
    # -> 15 w = 80,000 -> w = 5,333.33.
    assert [(c.wrvu, c.more_below, c.more_above) for c in result.crossings] == [
        (D("3636.36"), "A", "B"),
        (D("5333.33"), "B", "A"),
    ]


def test_offers_that_never_cross_say_which_pays_more():
    rich = Terms(name="Rich", base_salary=D(1), tiers=tiers((0, 60)))
    poor = Terms(name="Poor", tiers=tiers((0, 50)))

    result = break_even(rich, poor, flat("5000"))

    assert result.crossings == ()
    assert result.higher == "Rich"


def test_the_volume_needed_for_a_target_income():
    terms = Terms(base_salary=D(250000), threshold_wrvu=D(5000), tiers=tiers((0, 50), (7000, 60)))

    # At 7,000: 250,000 + 2,000 x 50 = 350,000; 50,000 more at $60 is 833.33: 7,833.34,
    # rounded up so the target is reached.
    assert volume_for_income(terms, D(400000), flat("6000")) == D("7833.34")
    # The base alone already pays 200,000.
    assert volume_for_income(terms, D(200000), flat("6000")) == D(0)
    # A salary with no productivity never reaches more than the salary.
    assert volume_for_income(Terms(base_salary=D(250000)), D(300000), flat("6000")) is None


def test_the_gap_in_the_users_own_procedures():
    knee = CodeMix(
        "27447", "Total knee arthroplasty", entries=D(60), by_location={None: Wrvu.both(D("1176"))}
    )
    visit = CodeMix(
        "99213", "Office visit", entries=D(1000), by_location={None: Wrvu.both(D(1300))}
    )

    # 100 wRVU a month more: a knee is 1,176 / 60 = 19.60 each: 100 / 19.6 = 5.1 -> 6 knees;
    # a visit 1.30: 100 / 1.3 = 76.9 -> 77 visits.
    found = in_procedures(D(100), [knee, visit], "policy")

    assert [(p.code, p.per_case, p.cases_a_month) for p in found] == [
        ("27447", D("19.60"), 6),
        ("99213", D("1.30"), 77),
    ]


def test_a_different_mix_adds_cases_where_the_code_is_done():
    knee = CodeMix(
        "27447", "Total knee arthroplasty", entries=D(60), by_location={5: Wrvu.both(D("1176"))}
    )
    mix = Mix({None: Wrvu.both(D(3000)), 5: Wrvu.both(D(1176))})

    # 4 more knees a month: 48 a year x 19.60 = 940.80 more at location 5.
    more = with_more_cases(mix, knee, 4)

    assert more.by_location[5] == Wrvu.both(D("2116.80"))
    assert more.by_location[None] == Wrvu.both(D(3000))


# --- Validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("terms", "field", "message"),
    [
        (
            Terms(tiers=tiers((5000, 50), (4000, 60))),
            "tiers",
            "Tiers must ascend: tier 2 starts at 4,000.00 wRVU, not above tier 1 (5,000.00).",
        ),
        (
            Terms(tiers=tiers((0, 50), (0, 60))),
            "tiers",
            "Tiers must ascend: tier 2 starts at 0.00 wRVU, not above tier 1 (0.00).",
        ),
        (
            Terms(start=dt.date(2026, 7, 1), end=dt.date(2026, 6, 30)),
            "end",
            "The end date must be on or after the start date.",
        ),
        (
            Terms(threshold_wrvu=D(5000)),
            "tiers",
            "A threshold needs a tier: add the $ per wRVU paid above it.",
        ),
        (
            Terms(bonuses=(Bonus("Quality", "percent", D(120)),)),
            "bonuses",
            "Quality: a percent-of-base bonus is at most 100%.",
        ),
    ],
)
def test_terms_that_cannot_be_right_are_refused(terms, field, message):
    assert (field, message) in problems(terms)


def test_good_terms_have_no_problems():
    assert problems(Terms(threshold_wrvu=D(5000), tiers=tiers((0, 50), (7000, 60)))) == []


def test_contracts_in_force_on_a_shared_day_overlap():
    current = Terms(name="Current", start=dt.date(2025, 1, 1), end=dt.date(2026, 6, 30))
    open_ended = Terms(name="Open", start=dt.date(2024, 1, 1))

    assert overlapping(Terms(start=dt.date(2026, 6, 30)), [current]) == [current]
    assert overlapping(Terms(start=dt.date(2026, 7, 1)), [current]) == []
    assert (
        overlapping(Terms(start=dt.date(2020, 1, 1), end=dt.date(2023, 12, 31)), [open_ended]) == []
    )
    assert overlapping(Terms(start=dt.date(2030, 1, 1)), [open_ended]) == [open_ended]


def test_logging_begun_mid_year_sets_the_pace_from_then_and_the_carried_wrvus_count():
    # Logging began Monday Apr 6 2026 with 1,000 wRVU carried in from before. 100 logged by
    # Friday Apr 24: 15 working days, 6.6667 a day; 179 working days left: 100 x 194 / 15 =
    # 1,293.33 from logging; with the 1,000 carried, 2,293.33 in the year.
    since = dt.date(2026, 4, 6)
    work = carried_in(D(1000), year=YEAR_2026, since=since)
    work += [Work(dt.date(2026, 4, 20), Wrvu.both(D(100)))]

    projected = projected_work(work, year=YEAR_2026, through=dt.date(2026, 4, 24), since=since)

    assert work[0] == Work(dt.date(2026, 4, 5), Wrvu.both(D(1000)))
    total = sum((w.wrvu.policy for w in projected), D(0))
    assert rounding.hundredths(total) == D("2293.33")
    # A contract with a 1,500 threshold counts the carried wRVUs toward it: $50 above
    # 1,500 on 2,293.33 = 793.33 x 50 = 39,666.67.
    terms = Terms(threshold_wrvu=D(1500), tiers=tiers((0, 50)))
    pay = pay_for_year(terms, year=YEAR_2026, work=projected, through=YEAR_2026[1])
    assert pay.total == D("39666.67")


def test_nothing_is_carried_in_when_logging_covers_the_year():
    assert carried_in(D(1000), year=YEAR_2026, since=YEAR_2026[0]) == []
    assert carried_in(None, year=YEAR_2026, since=dt.date(2026, 4, 6)) == []
