"""rvuedge.rounding: half up everywhere a figure is shown, where Decimal's defaults (quantize
without a mode, f"{x:.2f}", round()) would round half to even."""

from decimal import Decimal

import pytest

from codes import content, selectors
from codes.templatetags.codes_tags import money as money_filter
from rvuedge import rounding
from tracking.portability.pdf import _two
from tracking.serializers import four

D = Decimal


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (D("0.125"), 2, D("0.13")),  # half even would give 0.12
        (D("0.135"), 2, D("0.14")),
        (D("2.5"), 0, D("3")),  # half even: 2
        (D("-0.125"), 2, D("-0.13")),  # away from zero, as CMS rounds
        (D("1.00005"), 4, D("1.0001")),
        (D("19.6"), 4, D("19.6000")),
    ],
)
def test_to_places_rounds_half_up(value, places, expected):
    assert rounding.to_places(value, places) == expected
    assert str(rounding.to_places(value, places)) == str(expected)


@pytest.mark.parametrize(
    ("function", "value", "expected"),
    [
        (rounding.cents, D("84.505"), D("84.51")),
        (rounding.hundredths, D("20.005"), D("20.01")),
        (rounding.credit, D("1.18125"), D("1.1813")),
        (rounding.whole, D("12.5"), 13),
        (rounding.whole, D("12.4999"), 12),
    ],
)
def test_cents_hundredths_credit_and_whole(function, value, expected):
    assert function(value) == expected


@pytest.mark.parametrize(
    ("value", "places", "grouped", "text"),
    [
        (D("0.125"), 2, False, "0.13"),
        (D("1234.5"), 2, True, "1,234.50"),
        (D("5000"), 0, True, "5,000"),
        (D("4999.5"), 0, True, "5,000"),
        (D("0.00005"), 4, False, "0.0001"),
    ],
)
def test_fixed_text(value, places, grouped, text):
    assert rounding.fixed(value, places, grouped=grouped) == text


@pytest.mark.parametrize(
    ("show", "value", "text"),
    [
        (money_filter, D("1159.345"), "$1,159.35"),  # f"${value:,.2f}" gave $1,159.34
        (content._money, D("0.125"), "$0.13"),
        (_two, D("1.28555"), "1.2856"),  # as stored: four places, half up
        (four, D("0.00005"), "0.0001"),  # f"{value:.4f}" gave 0.0000
        (content._pct, D("0.125"), "13%"),  # quantize(Decimal(1)) gave 12%
    ],
)
def test_the_places_that_rounded_half_even_now_round_half_up(show, value, text):
    assert show(value) == text


def test_a_code_s_category_percentile_rounds_half_up():
    eight = [D(n) for n in range(1, 9)]

    comparison = selectors._comparison("Surgery", D("1.5"), {"Surgery": eight})

    # One of eight codes below: 12.5%, shown as 13 (round() gave 12).
    assert comparison.percentile == 13


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("0.385", "0.385"),  # 50% of 0.77: shown as stored, never 0.39
        ("2.2875", "2.2875"),
        ("19.6", "19.60"),
        ("0.7700", "0.77"),
        ("1234.5", "1,234.50"),
        ("28.66500", "28.665"),
        ("0.00005", "0.0001"),  # four places at most, half up (as stored)
    ],
)
def test_credit_text_shows_a_credited_figure_exactly(value, text):
    assert rounding.credit_text(Decimal(value)) == text
