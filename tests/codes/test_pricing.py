"""The payment formula on real RVU25D rows and GPCIs; expected amounts worked by hand."""

from decimal import Decimal

import pytest

from codes.pricing import NATIONAL, Gpci, payment
from tests.cms_files import pprrvu_records

D = Decimal
ALASKA = Gpci(D("1.5"), D("1.081"), D("0.592"))  # GPCI2025.csv, MAC 02102 locality 01
MANHATTAN = Gpci(D("1.065"), D("1.166"), D("1.656"))  # GPCI2025.csv, MAC 13202 locality 01


def price(code, setting, gpci=NATIONAL, modifier=""):
    r = pprrvu_records("RVU25D")[(code, modifier)]
    prefix = "NON-FAC" if setting == "non_facility" else "FACILITY"
    return payment(
        status=r["STATUS CODE"],
        work_rvu=D(r["WORK RVU"]),
        pe_rvu=D(r[f"{prefix} PE RVU"]),
        mp_rvu=D(r["MP RVU"]),
        pe_na=r[f"{prefix} NA INDICATOR"] == "NA",
        conversion_factor=D(r["CONV FACTOR"]),
        gpci=gpci,
    )


@pytest.mark.parametrize(
    ("code", "modifier", "setting", "gpci", "expected"),
    [
        ("99213", "", "non_facility", NATIONAL, "88.95"),  # 2.75 x 32.3465 = 88.952875
        ("99213", "", "facility", NATIONAL, "63.72"),  # 1.97 x 32.3465 = 63.722605
        ("99213", "", "non_facility", ALASKA, "112.20"),  # 3.46855 x 32.3465
        ("27447", "", "facility", MANHATTAN, "1465.45"),  # 45.30468 x 32.3465
        ("70450", "26", "facility", NATIONAL, "38.82"),  # 1.20 x 32.3465 = 38.8158
    ],
)
def test_amount_follows_the_formula_rounded_once(code, modifier, setting, gpci, expected):
    assert price(code, setting, gpci, modifier).amount == D(expected)


def test_non_participating_and_limiting_charge_are_worked_from_the_rounded_amount():
    amount = price("99213", "non_facility")  # 88.952875 -> 88.95

    assert amount.non_participating == D("84.50")  # 88.95 x 0.95 = 84.5025 (not 84.50523 -> .51)
    assert amount.limiting_charge == D("97.18")  # 88.95 x 1.0925 = 97.177875


def test_na_means_not_payable_never_zero():
    amount = price("27447", "non_facility")

    assert amount.payable is False
    assert amount.amount is None
    assert "Not payable in this setting" in amount.reason


@pytest.mark.parametrize(("code", "words"), [("J3490", "average sales price"), ("0042T", "MAC")])
def test_codes_without_a_national_amount_say_why(code, words):
    amount = price(code, "non_facility")

    assert amount.amount is None
    assert words in amount.reason
