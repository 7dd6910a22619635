"""Matching statement lines to logged entries (pure): same date and code, modifiers in any order,
lines split or merged by units, a day off only when nothing else matches, reversals netted, and
credits compared to the statement's own rounding."""

import datetime as dt
from decimal import Decimal as D

import pytest

from statements.matching import Logged, Status, agrees, match
from statements.reading import StatementRow

DAY = dt.date(2025, 10, 6)


def line(n, code, wrvu, *, mods=(), units=1, day=DAY, places=2):
    return StatementRow(n, day, code, tuple(mods), units, D(wrvu), places)


def entry(pk, code, credit, *, mods=(), units=1, day=DAY, in_period=True):
    return Logged(pk, day, code, tuple(mods), units, D(credit), D(credit), in_period=in_period)


def statuses(found):
    return [(m.status.value, [r.line for r in m.rows], [e.id for e in m.entries]) for m in found]


def test_one_line_one_entry_modifiers_in_any_order():
    found = match(
        [line(2, "27447", "29.40", mods=("LT", "50"))],
        [entry(1, "27447", "29.40", mods=("50", "LT"))],
    )

    assert statuses(found) == [("matched", [2], [1])]
    assert found[0].note == ""


def test_a_line_split_in_two_by_units_matches_the_entry():
    found = match(
        [line(2, "22552", "6.50"), line(3, "22552", "6.50")], [entry(1, "22552", "13.00", units=2)]
    )

    assert statuses(found) == [("matched", [2, 3], [1])]
    assert found[0].note == "2 statement lines for 1 logged entry (2 and 2 units)."


def test_a_days_entries_merged_into_one_row_with_a_count():
    found = match(
        [line(2, "99213", "3.90", units=3)],
        [entry(pk, "99213", "1.30") for pk in (1, 2, 3)],
    )

    assert statuses(found) == [("matched", [2], [1, 2, 3])]


def test_other_modifiers_or_units_still_match_by_date_and_code_and_differ():
    found = match(
        [line(2, "27447", "19.60"), line(3, "99292", "2.25", units=1)],
        [entry(1, "27447", "29.40", mods=("50",)), entry(2, "99292", "4.50", units=2)],
    )

    assert statuses(found) == [("differs", [2], [1]), ("differs", [3], [2])]


def test_a_day_off_matches_only_when_nothing_else_does_and_is_flagged():
    later = DAY + dt.timedelta(days=1)
    found = match(
        [line(2, "99214", "1.92", day=later), line(3, "99213", "1.30", day=later)],
        [
            entry(1, "99214", "1.92"),
            entry(2, "99213", "1.30", day=later),
            entry(3, "99213", "1.30"),
        ],
    )

    assert statuses(found) == [
        ("missing_from_statement", [], [3]),
        ("matched", [3], [2]),
        ("matched", [2], [1]),
    ]
    assert found[2].log_date == DAY and found[2].date == later
    assert "matched a day apart" in found[2].note
    assert found[1].note == ""


def test_two_days_apart_is_not_a_match():
    found = match(
        [line(2, "99214", "1.92", day=DAY + dt.timedelta(days=2))], [entry(1, "99214", "1.92")]
    )

    assert statuses(found) == [("missing_from_statement", [], [1]), ("not_in_log", [2], [])]


def test_an_entry_a_day_outside_the_period_matches_a_line_off_by_one_and_is_otherwise_left_out():
    before = DAY - dt.timedelta(days=1)
    found = match(
        [line(2, "99214", "1.92")],
        [entry(1, "99214", "1.92", day=before, in_period=False),
         entry(2, "99213", "1.30", day=before, in_period=False)],
    )  # fmt: skip

    assert statuses(found) == [("matched", [2], [1])]


def test_a_reversal_is_netted_into_its_line():
    found = match(
        [line(2, "99213", "1.30"), line(3, "99213", "-1.30")], [entry(1, "99213", "1.30")]
    )

    assert statuses(found) == [("differs", [2, 3], [1])]
    assert found[0].statement_wrvu == 0
    assert "reversal" in found[0].note


def test_lines_and_entries_left_are_not_in_log_and_missing():
    found = match([line(2, "99214", "1.92")], [entry(1, "99213", "1.30")])

    assert statuses(found) == [("missing_from_statement", [], [1]), ("not_in_log", [2], [])]


@pytest.mark.parametrize(
    ("theirs", "ours", "places", "rows", "expected"),
    [
        ("0.39", "0.385", 2, 1, True),  # the statement rounds to hundredths
        ("0.38", "0.385", 2, 1, True),
        ("0.37", "0.385", 2, 1, False),
        ("0.385", "0.3850", 3, 1, True),
        ("0.386", "0.385", 3, 1, False),
        ("7.88", "7.8750", 2, 1, True),
        ("3.90", "3.91", 2, 1, False),
        ("1.31", "1.30", 2, 2, True),  # two rounded rows may be off by a cent together
    ],
)
def test_credits_agree_to_the_statements_own_rounding(theirs, ours, places, rows, expected):
    assert agrees(D(theirs), D(ours), places, rows) is expected


def test_the_status_of_each_kind():
    assert (
        match([line(2, "99213", "1.30")], [entry(1, "99213", "1.30")])[0].status == Status.MATCHED
    )
    assert (
        match([line(2, "99213", "1.20")], [entry(1, "99213", "1.30")])[0].status == Status.DIFFERS
    )
