"""The contracts API: the compensation calculator (signed in) and contracts, owner only."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from contracts.models import Contract
from tests.contracts.factories import contract
from tracking.models import Location

pytestmark = pytest.mark.django_db
D = Decimal
CALCULATE = "/api/v1/compensation/calculate"


@pytest.fixture
def api():
    return APIClient()


def calculate(api, user, body):
    api.force_authenticate(user)
    return api.post(CALCULATE, body, format="json")


def test_the_calculator_answers_in_cents_with_its_steps(api, attending):
    response = calculate(
        api,
        attending,
        {
            "contract": {
                "base_salary": "300000",
                "threshold_wrvu": "5000",
                "tiers": [{"from_wrvu": "0", "rate": "50"}, {"from_wrvu": "7000", "rate": "55"}],
                "quality_bonus_percent": "5",
                "stipends": [{"kind": "call", "amount": "20000"}],
            },
            "wrvu": "7500",
            "quality_achieved_percent": "80",
        },
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    # (7,000 - 5,000) x 50 = 100,000 + 500 x 55 = 27,500: 127,500 productivity.
    # Quality: 5% of 300,000 = 15,000 x 80% = 12,000. Total 300,000 + 127,500 + 12,000
    # + 20,000 = 459,500; 459,500 / 7,500 = 61.2667 -> 61.27.
    assert {k: v for k, v in body.items() if k != "steps"} == {
        "base": "300000.00",
        "productivity": "127500.00",
        "quality_bonus": "12000.00",
        "stipends": "20000.00",
        "total": "459500.00",
        "effective_rate_per_wrvu": "61.27",
    }
    assert "5,000.00 to 7,000.00 wRVU: 2,000.00 × $50.00 = $100,000.00" in body["steps"]
    assert body["steps"][-1] == "Effective rate: $459,500.00 ÷ 7,500.00 wRVU = $61.27 per wRVU"


def test_wrvus_below_the_first_tier_earn_nothing_beyond_base(api, attending):
    body = calculate(
        api,
        attending,
        {
            "contract": {"base_salary": "200000", "tiers": [{"from_wrvu": "4000", "rate": "60"}]},
            "wrvu": "3500",
        },
    ).json()

    assert (body["productivity"], body["total"]) == ("0.00", "200000.00")


def test_stipends_may_be_one_amount_and_no_volume_has_no_rate(api, attending):
    body = calculate(
        api, attending, {"contract": {"base_salary": "1", "stipends": "12000.5"}, "wrvu": "0"}
    ).json()

    assert (body["stipends"], body["total"]) == ("12000.50", "12001.50")
    assert body["effective_rate_per_wrvu"] is None


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        (
            {
                "contract": {
                    "tiers": [
                        {"from_wrvu": "5000", "rate": "50"},
                        {"from_wrvu": "4000", "rate": "60"},
                    ]
                },
                "wrvu": "6000",
            },
            ("contract", "tiers"),
            "Tiers must ascend: tier 2 starts at 4,000.00 wRVU, not above tier 1 (5,000.00).",
        ),
        (
            {"contract": {"base_salary": "-1"}, "wrvu": "6000"},
            ("contract", "base_salary"),
            "Ensure this value is greater than or equal to 0.",
        ),
        (
            {"contract": {}, "wrvu": "6000", "quality_achieved_percent": "101"},
            ("quality_achieved_percent",),
            "Ensure this value is less than or equal to 100.",
        ),
        ({"contract": {}}, ("wrvu",), "This field is required."),
        (
            {"contract": {"threshold_wrvu": "5000"}, "wrvu": "6000"},
            ("contract", "tiers"),
            "A threshold needs a tier: add the $ per wRVU paid above it.",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, attending, body, path, message):
    response = calculate(api, attending, body)

    assert response.status_code == 400
    found = response.json()
    for key in path:
        found = found[key]
    assert message in found


def test_the_calculator_needs_a_signed_in_user(api):
    response = api.post(CALCULATE, {"contract": {}, "wrvu": "1"}, format="json")

    assert response.status_code == 401


# --- /api/v1/contracts/ --------------------------------------------------------------------------

NEW = {
    "name": "Offer: Lakeside",
    "status": "offer",
    "start_date": "2026-07-01",
    "base_salary": "280000.00",
    "threshold_wrvu": "4500.00",
    "tiers": [{"from_wrvu": "0.00", "rate": "52.00"}],
    "bonuses": [
        {"name": "Quality", "kind": "percent", "value": "5.00", "achieved_percent": "90.00"}
    ],
    "stipends": [{"kind": "teaching", "name": "", "annual_amount": "8000.00"}],
}


def test_a_contract_is_created_read_updated_and_deleted(api, attending):
    api.force_authenticate(attending)
    location = Location.objects.create(user=attending, name="Lakeside ASC")

    created = api.post(
        "/api/v1/contracts/",
        {**NEW, "location_rates": [{"location": location.pk, "rate": "61.00"}]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    url = f"/api/v1/contracts/{created.json()['id']}/"
    read = api.get(url).json()
    assert read["tiers"] == [{"from_wrvu": "0.00", "rate": "52.00"}]
    assert read["location_rates"] == [{"location": location.pk, "rate": "61.00"}]

    patched = api.patch(url, {"base_salary": "290000"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["base_salary"] == "290000.00"
    assert patched.json()["tiers"] == read["tiers"]  # rows left out stay

    replaced = api.patch(url, {"tiers": [{"from_wrvu": "0", "rate": "55"}]}, format="json")
    assert replaced.json()["tiers"] == [{"from_wrvu": "0.00", "rate": "55.00"}]

    assert api.delete(url).status_code == 204
    assert not Contract.objects.exists()


def test_the_list_holds_only_the_users_contracts(api, attending, other_user):
    contract(attending)
    contract(other_user, name="Theirs")
    api.force_authenticate(attending)

    names = [item["name"] for item in api.get("/api/v1/contracts/").json()["results"]]

    assert names == ["St. Mary's 2026"]


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_another_users_contract_is_a_404(api, attending, other_user, method):
    theirs = contract(other_user)
    api.force_authenticate(attending)

    response = getattr(api, method)(f"/api/v1/contracts/{theirs.pk}/", NEW, format="json")

    assert response.status_code == 404
    assert Contract.objects.get(pk=theirs.pk).base_salary == D(300000)


def test_anonymous_callers_are_refused(api, attending):
    mine = contract(attending)

    assert api.get("/api/v1/contracts/").status_code == 401
    assert api.get(f"/api/v1/contracts/{mine.pk}/").status_code == 401


def test_invalid_contracts_are_400s_and_nothing_is_saved(api, attending, other_user):
    theirs = Location.objects.create(user=other_user, name="Their ASC")
    contract(attending, end_date=dt.date(2026, 12, 31))
    api.force_authenticate(attending)

    descending = api.post(
        "/api/v1/contracts/",
        {**NEW, "tiers": [{"from_wrvu": "5000", "rate": "50"}, {"from_wrvu": "100", "rate": "1"}]},
        format="json",
    )
    overlapping = api.post(
        "/api/v1/contracts/", {**NEW, "status": "signed", "start_date": "2026-12-01"}, format="json"
    )
    backwards = api.post("/api/v1/contracts/", {**NEW, "end_date": "2026-01-01"}, format="json")
    stolen = api.post(
        "/api/v1/contracts/",
        {**NEW, "location_rates": [{"location": theirs.pk, "rate": "60"}]},
        format="json",
    )

    assert descending.status_code == 400
    assert descending.json()["tiers"][0].startswith("Tiers must ascend")
    assert "is in force on some of these dates" in overlapping.json()["start_date"][0]
    assert backwards.json()["end_date"] == ["The end date must be on or after the start date."]
    assert stolen.json()["location_rates"]["0"]["location"][0].startswith("Invalid pk")
    assert Contract.objects.count() == 1


def test_the_schema_documents_both(api):
    schema = api.get(reverse("api-schema"), {"format": "json"}).json()

    assert "/api/v1/compensation/calculate" in schema["paths"]
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/contracts/"])
    assert (
        "effective_rate_per_wrvu"
        in schema["components"]["schemas"]["CompensationResult"]["properties"]
    )
