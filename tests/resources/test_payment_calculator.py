"""The Medicare payment calculator: figures from codes.pricing on real rows and GPCIs.

Expected values worked by hand from PPRRVU2025_Oct.csv and GPCI2025.csv:
  99213 non-facility national: (1.30 + 1.35 + 0.10) x 32.3465 = 88.952875 -> 88.95;
    non-par and limiting charge from the rounded amount: 88.95 x 0.95 = 84.5025 -> 84.50;
    88.95 x 1.0925 = 97.177875 -> 97.18.
  99213 facility national: (1.30 + 0.57 + 0.10) x 32.3465 = 63.722605 -> 63.72.
  99213 non-facility, Alaska (1.5, 1.081, 0.592):
    1.30 x 1.5 + 1.35 x 1.081 + 0.10 x 0.592 = 3.46855; x 32.3465 = 112.195452575 -> 112.20.
  27447 facility, Manhattan (1.065, 1.166, 1.656):
    19.60 x 1.065 + 15.30 x 1.166 + 3.98 x 1.656 = 45.30468; x 32.3465 -> 1465.45.
"""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from codes.models import Locality
from codes.pricing import NATIONAL, Gpci
from codes.services import release_import
from resources.calculator import breakdown
from tests.cms_files import RVU26C_PPRRVU, copy_real, locality_folder, pprrvu_slice

pytestmark = pytest.mark.django_db

URL = reverse("resources:payment_calculator")
ALASKA = Gpci(D("1.5"), D("1.081"), D("0.592"))


@pytest.mark.parametrize(
    ("pe_rvu", "gpci", "adjusted", "amount", "non_par", "limiting"),
    [
        # non-par = rounded x 0.95, limiting = rounded x 1.0925, each rounded half up:
        (D("1.35"), NATIONAL, "2.75", "88.95", "84.50", "97.18"),  # 84.5025, 97.177875
        (D("0.57"), NATIONAL, "1.97", "63.72", "60.53", "69.61"),  # 60.534, 69.6141
        (D("1.35"), ALASKA, "3.46855", "112.20", "106.59", "122.58"),  # 106.59, 122.5785
    ],
)
def test_breakdown_shows_each_term_and_rounds_once(
    pe_rvu, gpci, adjusted, amount, non_par, limiting
):
    result = breakdown(
        setting="non_facility",
        status="A",
        work_rvu=D("1.30"),
        pe_rvu=pe_rvu,
        mp_rvu=D("0.10"),
        pe_na=False,
        conversion_factor=D("32.3465"),
        gpci=gpci,
    )

    assert [t.product for t in result.terms] == [
        D("1.30") * gpci.work,
        pe_rvu * gpci.pe,
        D("0.10") * gpci.mp,
    ]
    assert result.adjusted_rvus == D(adjusted)
    assert result.amount.exact == D(adjusted) * D("32.3465")
    assert (
        result.amount.amount,
        result.amount.non_participating,
        result.amount.limiting_charge,
    ) == (D(amount), D(non_par), D(limiting))


def test_na_means_not_payable_never_zero():
    result = breakdown(
        setting="non_facility",
        status="A",
        work_rvu=D("19.60"),
        pe_rvu=D("15.30"),
        mp_rvu=D("3.98"),
        pe_na=True,
        conversion_factor=D("32.3465"),
    )
    assert not result.amount.payable and result.amount.amount is None
    assert "NA" in result.amount.reason


def test_99213_national(client, rvu25d):
    response = client.get(URL, {"code": "99213"})
    text = response.text

    quote = response.context["quote"]
    assert quote.non_facility.amount.amount == D("88.95")
    assert quote.facility.amount.amount == D("63.72")
    assert 'data-testid="amount-non_facility">$88.95<' in text
    assert "$84.50" in text and "$97.18" in text  # 88.95 x 0.95 = 84.5025; x 1.0925 = 97.177875
    assert "$63.72" in text
    assert "88.952875" in text  # the exact amount before rounding, in the arithmetic
    assert "32.3465" in text and "National (GPCIs of 1.000)" in text


def test_99213_in_alaska(client, rvu25d):
    alaska = Locality.objects.get(release=rvu25d, mac="02102", locality_number="01")

    response = client.get(URL, {"code": "99213", "locality": alaska.pk})

    quote = response.context["quote"]
    assert quote.locality == alaska
    assert quote.non_facility.adjusted_rvus == D("3.46855")
    assert quote.non_facility.amount.amount == D("112.20")
    assert "$112.20" in response.text and "1.081" in response.text


def test_locality_names_read_in_their_proper_case(client, rvu25d):
    houston = Locality.objects.get(release=rvu25d, mac="04412", locality_number="18")

    response = client.get(URL, {"code": "99213", "locality": houston.pk})

    assert houston.name == "HOUSTON"  # as CMS's file spells it
    assert "Houston (TX, locality 04412-18)" in response.text
    assert "HOUSTON" not in response.text
    assert f'<option value="{houston.pk}" selected>TX: Houston (04412-18)</option>' in response.text
    assert "DC: DC + MD/VA Suburbs (12202-01)" in response.text


def test_a_facility_only_code_shows_not_payable_in_the_office(client, rvu25d):
    manhattan = Locality.objects.get(release=rvu25d, mac="13202", locality_number="01")

    response = client.get(
        URL, {"code": "27447", "locality": manhattan.pk, "setting": "non_facility"}
    )

    quote = response.context["quote"]
    assert quote.facility.amount.amount == D("1465.45")
    assert not quote.non_facility.amount.payable
    assert "Not payable in this setting" in response.text
    assert quote.explained == quote.facility  # the arithmetic shown is the facility one
    assert "$0.00" not in response.text


def test_a_code_without_a_national_amount_says_why(client, rvu25d):
    response = client.get(URL, {"code": "j3490"})

    assert response.context["quote"].row.status == "E"
    assert "No national fee schedule amount" in response.text
    assert "average sales price" in response.text
    assert "$0.00" not in response.text


def test_a_component_row_is_priced_from_its_own_row(client, rvu25d):
    response = client.get(URL, {"code": "70450-26", "setting": "facility"})

    quote = response.context["quote"]
    assert quote.row.modifier == "26"
    assert quote.facility.amount.amount == D("38.82")  # 1.20 x 32.3465 = 38.8158


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("12345", "12345 is not in the RVU25D fee schedule."),
        ("abc", "Enter a five-character code"),
        ("99213-TC", "99213 has no separate -TC row in RVU25D"),
    ],
)
def test_bad_codes_get_a_message_naming_the_problem(client, rvu25d, code, message):
    response = client.get(URL, {"code": code})

    assert response.context["quote"] is None
    assert message in response.text


def test_an_unknown_locality_is_refused(client, rvu25d):
    response = client.get(URL, {"code": "99213", "locality": "999999"})

    assert response.context["quote"] is None
    assert "Select a valid choice" in response.text


def test_htmx_gets_only_the_result(client, rvu25d):
    response = client.get(URL, {"code": "99213"}, headers={"HX-Request": "true"})

    assert "<html" not in response.text
    assert 'data-testid="calc-result"' in response.text
    assert "HX-Request" in response["Vary"]


def test_localities_are_borrowed_when_the_current_release_has_no_gpci_file(client, rvu26c):
    manhattan = Locality.objects.get(mac="13202", locality_number="01")

    response = client.get(URL, {"code": "99213", "locality": manhattan.pk})

    # RVU26C: (1.30 x 1.065 + 1.46 x 1.166 + 0.09 x 1.656) x 33.4009
    expected = (D("1.30") * D("1.065") + D("1.46") * D("1.166") + D("0.09") * D("1.656")) * D(
        "33.4009"
    )
    quote = response.context["quote"]
    assert quote.release == rvu26c
    assert quote.non_facility.amount.exact == expected
    assert (
        "No CY2026 locality files have been imported: RVU26C is priced with the CY2025 GPCIs "
        "and anesthesia conversion factors of RVU25D."
    ) in response.text
    assert len(response.context["form"].fields["locality"].choices) == 110  # national + 109


def test_before_any_import_the_page_says_so(client, db):
    response = client.get(URL)

    assert "No CMS fee schedule has been imported yet" in response.text


# --- Issue 11: the OPPS imaging cap, status R, the year's localities -----------------------------


@pytest.fixture
def rvu25d_issue11(db, tmp_path):
    """RVU25D, current: the real rows of an imaging, a status R and an anesthesia code, with the
    real GPCI and ANES files."""
    folder = tmp_path / "RVU25D"
    folder.mkdir()
    pprrvu_slice(folder / "PPRRVU2025_Oct.csv", codes={"74261", "11055", "00100", "99213"})
    for name in ("GPCI2025.csv", "ANES2025.csv"):
        copy_real(folder, "RVU25D", name)
    return release_import(source=folder, make_current=True).release


def test_the_imaging_cap_is_applied_with_both_amounts_and_its_arithmetic(client, rvu25d_issue11):
    response = client.get(URL, {"code": "74261"})
    text = response.text

    office = response.context["quote"].non_facility
    # fee schedule (2.40 + 9.94 + 0.16) x 32.3465 = 404.33125; OPPS (2.40 + 4.15 + 0.14) x
    # 32.3465 = 216.398085: the lower is paid.
    assert (office.amount.amount, office.amount.fee_schedule_amount) == (D("216.40"), D("404.33"))
    assert office.opps_adjusted_rvus == D("6.69")
    assert 'data-testid="amount-non_facility">$216.40<' in text
    assert "OPPS imaging cap; fee schedule amount $404.33" in text
    assert "the fee schedule amount $404.33 is capped at the OPPS amount $216.40" in text
    assert "404.33125" in text and "216.398085" in text  # both exact amounts in the arithmetic
    assert "$205.58" in text  # non-participating: 216.40 x 0.95 = 205.58


def test_status_r_is_priced_with_its_note(client, rvu25d_issue11):
    response = client.get(URL, {"code": "11055"})

    quote = response.context["quote"]
    assert quote.non_facility.amount.amount == D("67.93")  # 2.10 x 32.3465 = 67.92765
    assert quote.facility.amount.amount == D("14.88")  # 0.46 x 32.3465 = 14.87939
    assert "Restricted coverage (status R)" in response.text
    assert "No national fee schedule amount" not in response.text


def test_an_anesthesia_code_shows_the_localitys_anesthesia_factor(client, rvu25d_issue11):
    alabama = Locality.objects.get(release=rvu25d_issue11, mac="10112")

    response = client.get(URL, {"code": "00100", "locality": alabama.pk})

    assert "Anesthesia conversion factor in Alabama (CY2025 from RVU25D): 19.31." in response.text


def test_rvu26c_uses_the_cy2026_localities_without_a_borrowed_note(
    client, rvu25d_issue11, tmp_path
):
    release_import(source=locality_folder(tmp_path / "RVU26A"))
    release_import(
        source=pprrvu_slice(
            tmp_path / RVU26C_PPRRVU, source=("RVU26C", RVU26C_PPRRVU), codes={"99213"}
        ),
        make_current=True,
    )
    alabama = Locality.objects.get(release__name="RVU26A", mac="10112")

    response = client.get(URL, {"code": "99213", "locality": alabama.pk})

    # 1.30 x 1.000 + 1.46 x 0.875 + 0.09 x 0.566 = 2.62844 x 33.4009 = 87.792261596
    assert response.context["quote"].non_facility.amount.amount == D("87.79")
    assert "GPCIs of CY2026 from RVU26A" in response.text
    assert 'data-testid="gpci-note"' not in response.text
