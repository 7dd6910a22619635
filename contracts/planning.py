"""Offers side by side and the planner, from contracts.engine: pure, like the engine.

A comparison evaluates two to four contracts on the same volumes: the user's own year, 20% less,
20% more, and a different mix (more or fewer cases of one of their procedures), then finds the
break-even volume of each pair. A plan says what volume reaches a target income or benchmark
under one contract: a year, a week, a month, and the gap in the user's own procedures.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from contracts import engine
from rvuedge import rounding

ZERO = Decimal(0)
MONTHS = Decimal(12)
SCALED = ((Decimal("0.8"), "20% less volume"), (Decimal("1.2"), "20% more volume"))
PLANNED_CODES = 3


@dataclass(frozen=True)
class Scenario:
    label: str
    mix: engine.Mix
    pays: tuple[engine.Pay, ...]

    def wrvu(self, figure: str) -> Decimal:
        return self.mix.total(figure)

    @property
    def best(self) -> str | None:
        """The name of the contract that pays most (None on a tie at the top)."""
        totals = sorted((pay.total for pay in self.pays), reverse=True)
        if len(totals) > 1 and totals[0] == totals[1]:
            return None
        return max(self.pays, key=lambda pay: pay.total).terms.name


@dataclass(frozen=True)
class Comparison:
    terms: tuple[engine.Terms, ...]
    figure: str  # the figure volumes are expressed in
    basis: str  # how the yearly volume was found
    scenarios: tuple[Scenario, ...]
    break_evens: tuple[engine.BreakEven, ...]

    @property
    def rows(self) -> list[tuple[Scenario, Decimal]]:
        """Each scenario with its yearly volume under the comparison's figure."""
        return [(item, item.wrvu(self.figure)) for item in self.scenarios]

    @property
    def break_even_lines(self) -> list[str]:
        return [line for result in self.break_evens for line in break_even_text(result)]


def scenario(label: str, mix: engine.Mix, terms: Sequence[engine.Terms]) -> Scenario:
    return Scenario(label, mix, tuple(engine.pay_for_volume(t, mix) for t in terms))


def compare(
    terms: Sequence[engine.Terms],
    mix: engine.Mix,
    *,
    figure: str,
    basis: str,
    code: engine.CodeMix | None = None,
    cases: int = 0,
) -> Comparison:
    """Each contract on the user's volume, ±20%, and with `cases` more a month of `code`."""
    scenarios = [scenario("Your volume", mix, terms)]
    scenarios += [scenario(label, mix.scaled(factor), terms) for factor, label in SCALED]
    if code is not None and cases:
        more = "more" if cases > 0 else "fewer"
        label = f"A different mix: {abs(cases)} {more} {code.code} a month"
        scenarios.append(scenario(label, engine.with_more_cases(mix, code, cases), terms))
    pairs = itertools.combinations(terms, 2)
    return Comparison(
        terms=tuple(terms),
        figure=figure,
        basis=basis,
        scenarios=tuple(scenarios),
        break_evens=tuple(engine.break_even(a, b, mix) for a, b in pairs),
    )


@dataclass(frozen=True)
class Plan:
    terms: engine.Terms
    target: str  # what is aimed at, in words
    needed: Decimal | None  # wRVU a year, under the contract's figure; None: out of reach
    current: Decimal  # the user's year, under the same figure
    weeks: Decimal
    procedures: tuple[engine.InProcedures, ...]
    pay: engine.Pay | None  # at the volume needed

    @property
    def per_week(self) -> Decimal | None:
        return rounding.hundredths(self.needed / self.weeks) if self.needed is not None else None

    @property
    def per_month(self) -> Decimal | None:
        return rounding.hundredths(self.needed / MONTHS) if self.needed is not None else None

    @property
    def gap(self) -> Decimal | None:
        return rounding.hundredths(self.needed - self.current) if self.needed is not None else None

    @property
    def gap_per_month(self) -> Decimal | None:
        return rounding.hundredths(self.gap / MONTHS) if self.gap is not None else None

    @property
    def gap_per_week(self) -> Decimal | None:
        return rounding.hundredths(self.gap / self.weeks) if self.gap is not None else None


def plan(
    terms: engine.Terms,
    *,
    mix: engine.Mix,
    codes: Sequence[engine.CodeMix],
    weeks: Decimal,
    target: str,
    income: Decimal | None = None,
    wrvu: Decimal | None = None,
) -> Plan:
    """What volume reaches `income` (or the benchmark `wrvu`) under `terms`, at the user's mix."""
    needed = engine.volume_for_income(terms, income, mix) if income is not None else wrvu
    current = mix.total(terms.figure)
    procedures: list[engine.InProcedures] = []
    pay = None
    if needed is not None:
        pay = engine.pay_for_volume(terms, mix.at_total(needed, terms.figure))
        if needed > current:
            procedures = engine.in_procedures(
                (needed - current) / MONTHS, codes[:PLANNED_CODES], terms.figure
            )
    return Plan(terms, target, needed, current, weeks, tuple(procedures), pay)


def break_even_text(result: engine.BreakEven) -> list[str]:
    """Where two contracts pay the same, or which one always pays more, in sentences."""
    pair = f"{result.first.name} and {result.second.name}"
    limit = rounding.fixed(result.searched_to, 0, grouped=True)
    if not result.crossings:
        if result.higher:
            return [f"{result.higher} pays more at every volume up to {limit} wRVU a year."]
        return [f"{pair} pay the same at every volume up to {limit} wRVU a year."]
    figure = engine.FIGURE_LABELS[result.first.figure]
    return [
        f"{pair} pay the same, {rounding.money(c.pay)}, at "
        f"{rounding.fixed(c.wrvu, 2, grouped=True)} wRVU a year ({figure}): below it "
        f"{c.more_below} pays more, above it {c.more_above}."
        for c in result.crossings
    ]
