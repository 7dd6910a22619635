"""The Medicare payment calculator: figures from codes.pricing on real rows and GPCIs.

Expected values worked by hand from PPRRVU2025_Oct.csv and GPCI2025.csv:
  99213 non-facility national: (1.30 + 1.35 + 0.10) x 32.3465 = 88.952875 -> 88.95;
    non-par 88.952875 x 0.95 = 84.50523125 -> 84.51; limiting 84.50523125 x 1.15 -> 97.18.
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
from resources.calculator import breakdown

pytestmark = pytest.mark.django_db

URL = reverse("resources:payment_calculator")
ALASKA = Gpci(D("1.5"), D("1.081"), D("0.592"))


@pytest.mark.parametrize(
    ("pe_rvu", "gpci", "adjusted", "amount", "non_par", "limiting"),
    [
        (D("1.35"), NATIONAL, "2.75", "88.95", "84.51", "97.18"),
        (D("0.57"), NATIONAL, "1.97", "63.72", "60.54", "69.62"),
        (D("1.35"), ALASKA, "3.46855", "112.20", "106.59", "122.57"),
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
    assert "$84.51" in text and "$97.18" in text  # non-par and limiting charge
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
    assert "RVU26C has no GPCI file of its own; localities are borrowed from RVU25D." in (
        response.text
    )
    assert len(response.context["form"].fields["locality"].choices) == 110  # national + 109


def test_before_any_import_the_page_says_so(client, db):
    response = client.get(URL)

    assert "No CMS fee schedule has been imported yet" in response.text
