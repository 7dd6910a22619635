"""Issue 11's payment rules on every surface that shows an amount: the price, detail, localities
and releases API and the code page (tiles, payment card, history).

Imported once for the module through the real importer: a slice of RVU25D with its real GPCI,
LOCCO and ANES files, RVU26A as bundled (CY2026 locality files only) and a slice of RVU26C
(current, no locality files: priced with CY2026's). Expected figures are worked in the comments
from the file rows: (work x work GPCI + PE x PE GPCI + MP x MP GPCI) x CF, rounded once.
"""

import re
from html import unescape

import pytest
from django.urls import reverse

from codes import pricing
from codes.models import Code, OppsCap, RelativeValue, Release, SourceFile
from codes.services import release_import
from tests.cms_files import RVU26C_PPRRVU, copy_real, locality_folder, pprrvu_slice

pytestmark = pytest.mark.django_db

CODES = {"99213", "74261", "74263", "11055", "70170", "00100", "27447"}
ALABAMA, MANHATTAN = "10112-00", "13202-01"


def wipe():
    RelativeValue.objects.all().delete()
    OppsCap.objects.all().delete()
    SourceFile.objects.all().delete()
    Release.objects.all().delete()
    Code.objects.all().delete()


@pytest.fixture(scope="module", autouse=True)
def imported(django_db_setup, django_db_blocker, tmp_path_factory):
    root = tmp_path_factory.mktemp("surfaces")
    rvu25d = root / "RVU25D"
    rvu25d.mkdir()
    pprrvu_slice(rvu25d / "PPRRVU2025_Oct.csv", codes=CODES)
    for name in ("GPCI2025.csv", "25LOCCO.csv", "ANES2025.csv"):
        copy_real(rvu25d, "RVU25D", name)
    rvu26c = pprrvu_slice(root / RVU26C_PPRRVU, source=("RVU26C", RVU26C_PPRRVU), codes=CODES)
    with django_db_blocker.unblock():
        wipe()
        release_import(source=rvu25d)
        release_import(source=locality_folder(root / "RVU26A"))
        release_import(source=rvu26c, make_current=True)
    yield
    with django_db_blocker.unblock():
        wipe()


def price(client, code, **params):
    response = client.get(f"/api/v1/codes/{code}/price", params)
    assert response.status_code == 200, response.content
    return response.json()


def page_text(client, code, **params):
    """The page's words, tags removed and spaces collapsed."""
    response = client.get(reverse("codes:detail", args=[code]), params)
    assert response.status_code == 200
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(text))


def forget_rvu26a():
    """Drop the CY2026 locality files (inside the test's transaction, rolled back after it)."""
    Release.objects.filter(name="RVU26A").delete()


CAP_74261_RVU25D = (
    "OPPS imaging cap applied: the fee schedule amount $404.33 is capped at the OPPS amount "
    "$216.40 (Deficit Reduction Act, section 5102(b))."
)


# --- The OPPS imaging cap -------------------------------------------------------------------------


def test_the_price_api_caps_74261_and_gives_both_amounts(client):
    data = price(client, "74261", release="RVU25D")

    # PFS 12.50 x 32.3465 = 404.33125; OPPS (2.40 + 4.15 + 0.14) x 32.3465 = 216.398085
    assert data["non_facility"]["amount"] == "216.40"
    assert data["non_facility"]["fee_schedule_amount"] == "404.33"
    assert data["non_facility"]["opps_cap_applied"] is True
    assert data["non_facility"]["notes"] == [CAP_74261_RVU25D]
    assert data["non_facility"]["non_participating"] == "205.58"  # 216.40 x 0.95
    assert data["non_facility"]["limiting_charge"] == "236.42"  # 216.40 x 1.0925 = 236.417
    assert data["rvus"]["opps_non_facility_pe"] == "4.15"
    assert data["facility"]["payable"] is False  # NA in the facility


def test_the_price_api_caps_74263_in_alabama(client):
    data = price(client, "74263", release="RVU25D", locality=ALABAMA)

    # OPPS (2.28 x 1 + 8.48 x 0.869 + 0.07 x 0.575) x 32.3465 = 9.68937 x 32.3465 = 313.417
    # under the fee schedule's 19.07738 x 32.3465 = 617.09
    assert (data["non_facility"]["amount"], data["non_facility"]["fee_schedule_amount"]) == (
        "313.42",
        "617.09",
    )


def test_the_detail_api_caps_the_rows_and_the_history(client):
    data = client.get("/api/v1/codes/74261/", {"release": "RVU25D"}).json()

    global_row = next(r for r in data["rvus"] if r["modifier"] == "")
    assert global_row["national_non_facility"]["amount"] == "216.40"
    assert global_row["national_non_facility"]["opps_cap_applied"] is True
    assert global_row["opps_non_facility_pe_rvu"] == "4.15"
    history = {p["release"]: p for p in data["history"]}
    assert (history["RVU25D"]["non_facility"], history["RVU25D"]["non_facility_before_cap"]) == (
        "216.40",
        "404.33",
    )
    # RVU26C: OPPS (2.34 + 4.03 + 0.15) x 33.4009 = 217.773868, fee schedule 12.25 x 33.4009
    assert (history["RVU26C"]["non_facility"], history["RVU26C"]["non_facility_before_cap"]) == (
        "217.77",
        "409.16",
    )


def test_the_code_page_shows_the_capped_amount_and_the_line_with_both_amounts(client):
    text = page_text(client, "74261")  # RVU26C, current

    assert "$217.77 OPPS imaging cap; fee schedule $409.16" in text  # tile and history
    assert (
        "National: OPPS imaging cap applied: the fee schedule amount $409.16 is capped at the "
        "OPPS amount $217.77" in text
    )
    assert "$404.33" in text and "$216.40" in text  # RVU25D in the history table
    assert "$409.16" in text.split("National, office", 1)[1][:200]


def test_the_code_page_caps_the_locality_amount_too(client):
    text = page_text(client, "74261", locality=ALABAMA)

    # CY2026 Alabama: OPPS 2.34 x 1.000 + 4.03 x 0.875 + 0.15 x 0.566 = 5.95115 x 33.4009 =
    # 198.77; fee schedule 2.34 + 9.74 x 0.875 + 0.17 x 0.566 = 10.95872 x 33.4009 = 366.03
    assert (
        "Alabama: OPPS imaging cap applied: the fee schedule amount $366.03 is capped at the "
        "OPPS amount $198.77" in text
    )


def test_a_carrier_priced_imaging_code_shows_the_cap_on_its_price(client):
    text = page_text(client, "70170")  # status C in RVU26C

    # The -26 work RVU with the global's OPPS PE and MP: (0.29 + 7.40 + 0.03) x 33.4009
    # = 7.72 x 33.4009 = 257.854948
    assert "cannot exceed $257.85 nationally" in text
    data = client.get("/api/v1/codes/70170/").json()
    assert data["carrier_price_cap"] == {"national": "257.85", "locality": None}


# --- Status R -------------------------------------------------------------------------------------


def test_status_r_is_priced_with_the_restricted_coverage_note(client):
    data = price(client, "11055", release="RVU25D")

    assert data["non_facility"]["amount"] == "67.93"  # 2.10 x 32.3465 = 67.92765
    assert data["facility"]["amount"] == "14.88"  # 0.46 x 32.3465 = 14.87939
    assert data["non_facility"]["notes"] == [pricing.RESTRICTED_COVERAGE]


def test_the_status_r_page_shows_amounts_the_note_and_no_none(client):
    text = page_text(client, "11055")  # RVU26C, current

    assert "Status R: Restricted coverage" in text
    assert "$70.14" in text  # 2.10 x 33.4009 = 70.14189
    assert "$13.69" in text  # 0.41 x 33.4009 = 13.694369
    assert pricing.RESTRICTED_COVERAGE in text
    assert "None" not in text
    assert "No national amount" not in text


# --- Localities by calendar year ------------------------------------------------------------------


def test_rvu26c_prices_a_locality_with_the_cy2026_gpcis(client):
    data = price(client, "99213", locality=ALABAMA)

    # 1.30 x 1.000 + 1.46 x 0.875 + 0.09 x 0.566 = 2.62844 x 33.4009 = 87.79 (the floored work
    # GPCI; the CY2025 indices would give 2.56615 x 33.4009 = 85.71, the unfloored 87.27)
    assert data["release"] == "RVU26C"
    assert data["non_facility"]["amount"] == "87.79"
    locality = data["locality"]
    assert (locality["work_gpci"], locality["work_gpci_without_floor"]) == ("1.000", "0.988")
    assert locality["anesthesia_conversion_factor"] == "19.53"
    assert (locality["gpci_release"], locality["gpci_year"], locality["gpci_borrowed"]) == (
        "RVU26A",
        2026,
        False,
    )
    assert locality["gpci_note"] is None


def test_rvu25d_keeps_its_own_cy2025_gpcis(client):
    data = price(client, "99213", release="RVU25D", locality=ALABAMA)

    # 1.30 x 1 + 1.35 x 0.869 + 0.10 x 0.575 = 2.53065 x 32.3465 = 81.857...
    assert data["non_facility"]["amount"] == "81.86"
    assert data["locality"]["gpci_release"] == "RVU25D"
    assert data["locality"]["work_gpci_without_floor"] is None


def test_the_localities_api_lists_the_years_indices_and_anesthesia_factors(client):
    rows = client.get("/api/v1/localities/").json()  # RVU26C

    assert len(rows) == 109
    assert {(r["gpci_release"], r["gpci_year"], r["gpci_borrowed"]) for r in rows} == {
        ("RVU26A", 2026, False)
    }
    alabama = next(r for r in rows if r["key"] == ALABAMA)
    assert (alabama["work_gpci"], alabama["anesthesia_conversion_factor"]) == ("1.000", "19.53")
    older = client.get("/api/v1/localities/", {"release": "RVU25D"}).json()
    alabama_2025 = next(r for r in older if r["key"] == ALABAMA)
    assert alabama_2025["anesthesia_conversion_factor"] == "19.31"  # ANES2025.csv
    assert alabama_2025["gpci_year"] == 2025


def test_the_releases_api_leaves_out_the_locality_only_release_and_names_the_source(client):
    releases = {r["name"]: r for r in client.get("/api/v1/releases/").json()}

    assert set(releases) == {"RVU25D", "RVU26C"}  # RVU26A prices nothing itself
    assert releases["RVU26C"]["gpci_release"] == "RVU26A"
    assert releases["RVU26C"]["gpci_borrowed"] is False
    assert releases["RVU26C"]["anesthesia_conversion_factor"] == "20.49754"
    assert releases["RVU25D"]["anesthesia_conversion_factor"] == "20.3178"


def test_the_code_page_names_the_year_of_the_indices(client):
    text = page_text(client, "99213", locality=ALABAMA)

    assert "$87.79" in text
    assert "GPCIs 1.000 / 0.875 / 0.566 (CY2026 from RVU26A)" in text
    assert "locality files have been imported" not in text


def test_anesthesia_uses_the_years_conversion_factor_of_the_locality(client):
    text = page_text(client, "00100", locality=ALABAMA)

    assert (
        "Anesthesia conversion factor (CY2026 from RVU26A): national 20.49754; Alabama 19.53."
    ) in text


BORROWED = (
    "No CY2026 locality files have been imported: RVU26C is priced with the CY2025 GPCIs and "
    "anesthesia conversion factors of RVU25D."
)


def test_without_the_years_files_the_price_api_says_the_indices_are_borrowed(client):
    forget_rvu26a()

    locality = price(client, "99213", locality=ALABAMA)["locality"]

    assert (locality["gpci_release"], locality["gpci_year"]) == ("RVU25D", 2025)
    assert locality["gpci_borrowed"] is True and locality["gpci_note"] == BORROWED
    assert locality["anesthesia_conversion_factor"] == "19.31"


def test_without_the_years_files_the_localities_and_releases_say_so(client):
    forget_rvu26a()

    rows = client.get("/api/v1/localities/").json()
    releases = {r["name"]: r for r in client.get("/api/v1/releases/").json()}

    assert {r["gpci_borrowed"] for r in rows} == {True}
    assert {r["gpci_release"] for r in rows} == {"RVU25D"}
    assert releases["RVU26C"]["gpci_borrowed"] is True


def test_without_the_years_files_the_code_page_says_so(client):
    forget_rvu26a()

    text = page_text(client, "99213", locality=ALABAMA)

    assert BORROWED in text
    assert "(CY2025 from RVU25D)" in text
