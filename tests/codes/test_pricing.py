"""The payment formula on real RVU25D rows and GPCIs; expected amounts worked by hand."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from codes.pricing import (
    NATIONAL,
    RESTRICTED_COVERAGE,
    Gpci,
    cents,
    opps_amount,
    payment,
    row_payment,
)
from tests.cms_files import gpci_records, pprrvu_records, real_rows

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


# --- Rows as the pages price them (codes.pricing.row_payment), from the real files ------------


def row(code, modifier="", release="RVU25D"):
    """A PPRRVU row of the real file with RelativeValue's field names."""
    r = pprrvu_records(release)[(code, modifier)]
    return SimpleNamespace(
        modifier=modifier,
        status=r["STATUS CODE"],
        work_rvu=D(r["WORK RVU"]),
        non_facility_pe_rvu=D(r["NON-FAC PE RVU"]),
        non_facility_na=r["NON-FAC NA INDICATOR"] == "NA",
        facility_pe_rvu=D(r["FACILITY PE RVU"]),
        facility_na=r["FACILITY NA INDICATOR"] == "NA",
        mp_rvu=D(r["MP RVU"]),
        conversion_factor=D(r["CONV FACTOR"]),
        opps_non_facility_pe_rvu=D(r["NON-FACILITY PE USED FOR OPPS PAYMENT AMOUNT"]),
        opps_mp_rvu=D(r["MP USED FOR OPPS PAYMENT AMOUNT"]),
    )


def gpci(folder, name, mac, number):
    """A locality's GPCIs read from a real GPCI file (the work GPCI in force)."""
    record = gpci_records(folder, name)[(mac, number)]
    work = next(v for k, v in record.items() if "PW GPCI" in k and "without" not in k)
    pe = next(v for k, v in record.items() if k.endswith("PE GPCI"))
    mp = next(v for k, v in record.items() if k.endswith("MP GPCI"))
    return Gpci(D(work), D(pe), D(mp))


ALABAMA_2025 = ("RVU25D", "GPCI2025.csv", "10112", "00")  # 1, 0.869, 0.575


@pytest.mark.parametrize(
    ("code", "modifier", "where", "amount", "fee_schedule"),
    [
        # 74261 global: PFS (2.40 + 9.94 + 0.16) x 32.3465 = 12.50 x 32.3465 = 404.33125;
        # OPPS (2.40 + 4.15 + 0.14) x 32.3465 = 6.69 x 32.3465 = 216.398085 -> the lower, 216.40.
        ("74261", "", None, "216.40", "404.33"),
        # 74261-TC: PFS (9.07 + 0.03) x 32.3465 = 294.35; OPPS (3.28 + 0.01) x 32.3465 = 106.42.
        ("74261", "TC", None, "106.42", "294.35"),
        # 74263 Alabama: PFS (2.28 + 19.27 x 0.869 + 0.09 x 0.575) x 32.3465 = 19.07738 x
        # 32.3465 = 617.09; OPPS (2.28 + 8.48 x 0.869 + 0.07 x 0.575) x 32.3465 = 9.68937 x
        # 32.3465 = 313.417...: 313.42.
        ("74263", "", ALABAMA_2025, "313.42", "617.09"),
    ],
)
def test_the_opps_imaging_cap_lowers_the_office_amount_of_global_and_tc_rows(
    code, modifier, where, amount, fee_schedule
):
    locality = gpci(*where) if where else NATIONAL

    office = row_payment(row(code, modifier), "non_facility", locality)

    assert office.capped
    assert (office.amount, office.fee_schedule_amount) == (D(amount), D(fee_schedule))
    assert office.cap_line == (
        f"OPPS imaging cap applied: the fee schedule amount ${fee_schedule} is capped at the "
        f"OPPS amount ${amount} (Deficit Reduction Act, section 5102(b))."
    )


def test_the_cap_leaves_the_professional_component_and_the_facility_setting_alone():
    professional = row_payment(row("74261", "26"), "non_facility")  # OPPS columns are 0.00
    facility = row_payment(row("74261"), "facility")  # NA: no facility amount at all

    assert not professional.capped
    assert professional.amount == D("109.98")  # (2.40 + 0.87 + 0.13) x 32.3465 = 109.9781
    assert not facility.payable


def test_the_cap_only_applies_when_the_opps_amount_is_lower():
    # 70450 global: fee schedule (0.85 + 2.35 + 0.05) x 32.3465 = 3.25 x 32.3465 = 105.13 is
    # below its OPPS amount (0.85 + 3.58 + 0.06) x 32.3465 = 4.49 x 32.3465 = 145.24: not capped.
    office = row_payment(row("70450"), "non_facility")

    assert not office.capped
    assert (office.amount, office.fee_schedule_amount) == (D("105.13"), D("105.13"))
    assert office.cap_line == ""


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("non_facility", "67.93"),  # (0.35 + 1.72 + 0.03) x 32.3465 = 2.10 x 32.3465 = 67.92765
        ("facility", "14.88"),  # (0.35 + 0.08 + 0.03) x 32.3465 = 0.46 x 32.3465 = 14.87939
    ],
)
def test_status_r_is_priced_like_a_with_a_restricted_coverage_note(setting, expected):
    amount = row_payment(row("11055"), setting)  # 11055: status R in RVU25D

    assert amount.amount == D(expected)
    assert amount.note == RESTRICTED_COVERAGE
    assert amount.reason is None


# CY2026 amounts: RVU26C rows (CF 33.4009) with the CY2026 GPCIs of GPCI2026.csv (RVU26A),
# the work GPCI "with 1.0 Floor" in force. GPCIs (work, PE, MP):
#   Alabama 10112-00: 1.000 (0.988 without the floor), 0.875, 0.566
#   Alaska 02102-01: 1.500, 1.065, 0.551
#   San Francisco 01112-05: 1.095, 1.410, 0.425
#   Manhattan 13202-01: 1.064, 1.162, 1.586
@pytest.mark.parametrize(
    ("code", "setting", "mac", "number", "expected"),
    [
        # 99213 office: 1.30 x 1.000 + 1.46 x 0.875 + 0.09 x 0.566 = 2.62844 -> 87.792261596
        # (with the unfloored 0.988 it would be 2.61284 -> 87.27)
        ("99213", "non_facility", "10112", "00", "87.79"),
        # 1.30 x 1.5 + 1.46 x 1.065 + 0.09 x 0.551 = 3.55449 -> 118.723165041
        ("99213", "non_facility", "02102", "01", "118.72"),
        # 1.30 x 1.095 + 1.46 x 1.410 + 0.09 x 0.425 = 3.52035 -> 117.582858315
        ("99213", "non_facility", "01112", "05", "117.58"),
        # 1.30 x 1.064 + 0.33 x 1.162 + 0.09 x 1.586 = 1.90940 -> 63.775678460
        ("99213", "facility", "13202", "01", "63.78"),
        # 27447 facility: 19.11 x 1.000 + 11.58 x 0.875 + 4.02 x 0.566 = 31.51782 -> 1052.7235...
        ("27447", "facility", "10112", "00", "1052.72"),
        # 19.11 x 1.064 + 11.58 x 1.162 + 4.02 x 1.586 = 40.16472 -> 1341.537796248
        ("27447", "facility", "13202", "01", "1341.54"),
        # 74261 office, capped: OPPS 2.34 x 1.095 + 4.03 x 1.410 + 0.15 x 0.425 = 8.30835
        # -> 277.506367515, under the fee schedule's 16.36795 -> 546.70
        ("74261", "non_facility", "01112", "05", "277.51"),
    ],
)
def test_2026_locality_amounts_use_the_cy2026_gpcis(code, setting, mac, number, expected):
    locality = gpci("RVU26A", "GPCI2026.csv", mac, number)

    assert row_payment(row(code, release="RVU26C"), setting, locality).amount == D(expected)


# --- The OPPSCAP file, every row -----------------------------------------------------------------


def oppscap_rows():
    rows = real_rows("RVU25D", "OPPSCAP_Oct.csv")
    header = [c.strip() for c in rows[0]]
    return [dict(zip(header, (c.strip() for c in r), strict=True)) for r in rows[1:] if r and r[0]]


def locality_gpcis():
    """Carrier-locality -> GPCIs of GPCI2025.csv. OPPSCAP names six Southern California
    localities (17, 18, 71-74) under carrier 01112, where the GPCI file has them under 01182:
    a locality number names one locality within a state, so they are matched by state."""
    records = gpci_records("RVU25D", "GPCI2025.csv")
    by_key = {key: gpci("RVU25D", "GPCI2025.csv", *key) for key in records}
    state_of = {mac: r["State"] for (mac, _), r in records.items()}

    def lookup(carrier, number):
        if (carrier, number) in by_key:
            return by_key[(carrier, number)]
        (key,) = [
            (mac, n)
            for (mac, n), r in records.items()
            if n == number and r["State"] == state_of[carrier]
        ]
        return by_key[key]

    return lookup


def test_the_formula_reproduces_every_row_of_the_oppscap_file():
    """OPPSCAP_Oct.csv: for status A rows, the office amount after the cap; for carrier-priced
    (C) rows, the cap alone (the OPPS amount, a C global row worked with its -26 work RVU)."""
    lookup = locality_gpcis()
    file_rows = oppscap_rows()
    matched = 0
    for cap in file_rows:
        r = row(cap["HCPCS"], cap["MOD"])
        locality = lookup(cap["CARRIER"], cap["LOCALITY"])
        if cap["PROCSTAT"] == "C":
            professional = pprrvu_records("RVU25D").get((cap["HCPCS"], "26"))
            work = D(professional["WORK RVU"]) if professional else None
            ours = cents(opps_amount(r, locality, professional_work_rvu=work))
        else:
            ours = row_payment(r, "non_facility", locality).amount
        assert ours == D(cap["NON-FACILTY PRICE"]), cap
        # Every capped row is NA in the facility: CMS prints the office figure in both columns.
        assert D(cap["FACILITY PRICE"]) == D(cap["NON-FACILTY PRICE"])
        matched += 1

    assert matched == len(file_rows) == 16100
    statuses = {(c["PROCSTAT"], c["MOD"]) for c in file_rows}
    assert statuses == {("A", ""), ("A", "TC"), ("C", ""), ("C", "TC")}


def test_the_cap_binds_in_every_locality_for_exactly_the_status_a_rows_oppscap_lists():
    """Rows with OPPS RVUs the file does not list are never capped, nationally or anywhere."""
    listed = {(c["HCPCS"], c["MOD"]) for c in oppscap_rows() if c["PROCSTAT"] == "A"}
    lookup = locality_gpcis()
    localities = [NATIONAL] + [lookup(*key) for key in gpci_records("RVU25D", "GPCI2025.csv")]
    with_opps = [
        key
        for key, r in pprrvu_records("RVU25D").items()
        if r["STATUS CODE"] in ("A", "R", "T")
        and any(D(r[f"{part} USED FOR OPPS PAYMENT AMOUNT"]) for part in ("NON-FACILITY PE", "MP"))
    ]

    capped = {
        key
        for key in with_opps
        if any(row_payment(row(*key), "non_facility", g).capped for g in localities)
    }
    always = {
        key
        for key in with_opps
        if all(row_payment(row(*key), "non_facility", g).capped for g in localities)
    }

    assert capped == always == listed
    assert len(listed) == 58  # 29 global and 29 TC rows
