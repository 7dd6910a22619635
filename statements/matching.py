"""Matching a statement's lines to the user's logged entries: pure, no database.

Passes, each on what the earlier ones left:
1. same date, code, modifiers (in any order) and units: one line to one entry;
2. same date, code and modifiers, the units adding up alike on both sides: the lines and entries
   together (a line split in two by units, or a day's entries merged into one row with a count);
3. same date and code (modifiers or units differ): one to one when both sides have as many,
   else all together;
4. the same code a day earlier or later, when nothing else matched (flagged).
A reversal on the statement (a negative credit) is netted first against a line of the same date,
code and modifiers. Lines left are `not_in_log`; entries left, within the period,
`missing_from_statement`; a match is `matched` when the credits agree (to the statement's own
rounding) and `differs` when they do not.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from statements.reading import StatementRow

ZERO = Decimal(0)
ONE_DAY = dt.timedelta(days=1)


class Status(StrEnum):
    MATCHED = "matched"
    DIFFERS = "differs"
    MISSING_FROM_STATEMENT = "missing_from_statement"
    NOT_IN_LOG = "not_in_log"


class How(StrEnum):
    """How a match was made (a note for the person; no effect on the figures)."""

    EXACT = "exact"
    UNITS = "units"  # split or merged by units
    CODE = "code"  # same date and code, other modifiers or units
    DATE = "date"  # a day apart


@dataclass(frozen=True)
class Logged:
    """An entry of the user's log as matching and explaining read it."""

    id: int
    date: dt.date
    code: str
    modifiers: tuple[str, ...]
    units: int
    policy: Decimal
    medicare: Decimal
    release: str = ""
    encounter: int = 0
    in_period: bool = True  # entries a day outside the period only match a line off by a day


@dataclass
class Credit:
    """One statement line (a row, with any reversal netted into it)."""

    rows: list[StatementRow]

    @property
    def first(self) -> StatementRow:
        return self.rows[0]

    @property
    def date(self) -> dt.date:
        return self.first.date

    @property
    def code(self) -> str:
        return self.first.code

    @property
    def modifiers(self) -> tuple[str, ...]:
        return self.first.modifiers

    @property
    def units(self) -> int:
        return self.first.units

    @property
    def wrvu(self) -> Decimal:
        return sum((row.wrvu for row in self.rows), ZERO)


@dataclass
class Match:
    """Statement lines and logged entries that stand for the same services (either side may be
    empty: a line not in the log, an entry missing from the statement)."""

    credits: list[Credit] = field(default_factory=list)
    entries: list[Logged] = field(default_factory=list)
    how: How | None = None

    @property
    def rows(self) -> list[StatementRow]:
        return [row for credit in self.credits for row in credit.rows]

    @property
    def statement_wrvu(self) -> Decimal | None:
        return sum((c.wrvu for c in self.credits), ZERO) if self.credits else None

    @property
    def policy(self) -> Decimal | None:
        return sum((e.policy for e in self.entries), ZERO) if self.entries else None

    @property
    def medicare(self) -> Decimal | None:
        return sum((e.medicare for e in self.entries), ZERO) if self.entries else None

    @property
    def statement_units(self) -> int:
        return sum(c.units for c in self.credits)

    @property
    def log_units(self) -> int:
        return sum(e.units for e in self.entries)

    @property
    def date(self) -> dt.date:
        return self.credits[0].date if self.credits else self.entries[0].date

    @property
    def log_date(self) -> dt.date | None:
        return self.entries[0].date if self.entries else None

    @property
    def code(self) -> str:
        return self.credits[0].code if self.credits else self.entries[0].code

    @property
    def places(self) -> int:
        return max((row.places for row in self.rows), default=2)

    @property
    def status(self) -> Status:
        if not self.entries:
            return Status.NOT_IN_LOG
        if not self.credits:
            return Status.MISSING_FROM_STATEMENT
        if agrees(self.statement_wrvu, self.policy, self.places, len(self.rows)):
            return Status.MATCHED
        return Status.DIFFERS

    @property
    def note(self) -> str:
        """How the lines and entries were paired, when it is not one to one and the same."""
        if self.how == How.DATE:
            return (
                f"Dated {self.date:%Y-%m-%d} on the statement and {self.log_date:%Y-%m-%d} in "
                "your log: matched a day apart, as nothing else matched."
            )
        if len(self.credits) > 1 or len(self.entries) > 1:
            return (
                f"{_count(len(self.rows), 'statement line')} for "
                f"{_count(len(self.entries), 'logged entry', 'logged entries')} "
                f"({self.statement_units} and {self.log_units} units)."
            )
        if self.credits and len(self.credits[0].rows) > 1:
            return "A reversal on the statement is netted into this line."
        return ""


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def tolerance(places: int, rows: int) -> Decimal:
    """Half a unit of the statement's last decimal place, for each of its rows: 0.385 and 0.39
    agree on a statement that shows hundredths."""
    return Decimal(5).scaleb(-(places + 1)) * max(rows, 1)


def agrees(theirs: Decimal, ours: Decimal, places: int, rows: int = 1) -> bool:
    return abs(theirs - ours) <= tolerance(places, rows)


# Matching ---------------------------------------------------------------------------------------


def match(rows: Iterable[StatementRow], entries: Iterable[Logged]) -> list[Match]:
    """Every statement row and every entry in exactly one match, sorted by date and code.
    Entries outside the period that match nothing are left out."""
    credits = net_reversals([row for row in rows if row.ok])
    entries = list(entries)
    found: list[Match] = []
    for step in (_exact, _by_units, _by_code, _by_date):
        made = step(credits, entries)
        found += made
        used_credits = {id(c) for m in made for c in m.credits}
        used_entries = {e.id for m in made for e in m.entries}
        credits = [c for c in credits if id(c) not in used_credits]
        entries = [e for e in entries if e.id not in used_entries]
    found += [Match(credits=[credit]) for credit in credits]
    found += [Match(entries=[entry]) for entry in entries if entry.in_period]
    return sorted(found, key=lambda m: (m.date, m.code, m.rows[0].line if m.rows else 0))


def net_reversals(rows: list[StatementRow]) -> list[Credit]:
    """Each row a line, except a negative one (a reversal), netted into the first line of the
    same date, code and modifiers that has not been netted yet."""
    credits = [Credit([row]) for row in rows if row.wrvu >= 0]
    for row in rows:
        if row.wrvu >= 0:
            continue
        target = next(
            (
                c
                for c in credits
                if len(c.rows) == 1
                and (c.date, c.code, set(c.modifiers)) == (row.date, row.code, set(row.modifiers))
            ),
            None,
        )
        if target is None:
            credits.append(Credit([row]))
        else:
            target.rows.append(row)
    return credits


def _grouped(items, key: Callable) -> dict[Hashable, list]:
    groups = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return groups


def _exact(credits: list[Credit], entries: list[Logged]) -> list[Match]:
    def key(item):
        return (item.date, item.code, frozenset(item.modifiers), item.units)

    waiting = _grouped((e for e in entries if e.in_period), key)
    made = []
    for credit in credits:
        same = waiting.get(key(credit))
        if same:
            made.append(Match([credit], [same.pop(0)], How.EXACT))
    return made


def _by_units(credits: list[Credit], entries: list[Logged]) -> list[Match]:
    def key(item):
        return (item.date, item.code, frozenset(item.modifiers))

    logged = _grouped((e for e in entries if e.in_period), key)
    made = []
    for group_key, group in _grouped(credits, key).items():
        mine = logged.get(group_key, [])
        if mine and sum(c.units for c in group) == sum(e.units for e in mine):
            made.append(Match(group, mine, How.UNITS))
    return made


def _by_code(credits: list[Credit], entries: list[Logged]) -> list[Match]:
    def key(item):
        return (item.date, item.code)

    logged = _grouped((e for e in entries if e.in_period), key)
    made = []
    for group_key, group in _grouped(credits, key).items():
        mine = logged.get(group_key, [])
        if not mine:
            continue
        if len(mine) == len(group):
            made += [Match([c], [e], How.CODE) for c, e in zip(group, mine, strict=True)]
        else:
            made.append(Match(group, mine, How.CODE))
    return made


def _by_date(credits: list[Credit], entries: list[Logged]) -> list[Match]:
    """A line and an entry of the same code a day apart, the closest in modifiers and units."""
    made, taken = [], set()
    for credit in credits:
        near = [
            e
            for e in entries
            if e.id not in taken and e.code == credit.code and abs(e.date - credit.date) == ONE_DAY
        ]
        if not near:
            continue
        best = min(
            near,
            key=lambda e: (set(e.modifiers) != set(credit.modifiers), e.units != credit.units),
        )
        taken.add(best.id)
        made.append(Match([credit], [best], How.DATE))
    return made
