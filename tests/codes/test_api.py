"""The public API under /api/v1/ on real data: the search module's RVU25D ranges (current, with
the real GPCI file), HCPCS descriptors and editorial content, plus a slice of RVU26C (no GPCI
file of its own). Expected amounts are worked here from the CMS files themselves:
(work x work GPCI + PE x PE GPCI + MP x MP GPCI) x conversion factor, rounded once, half up.
"""

import csv
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.management import call_command

from codes.place_names import display_name
from codes.serializers import CodePageSerializer
from codes.services import release_import
from tests.cms_files import pprrvu_records, pprrvu_slice, real_bytes
from tests.codes.test_search import import_search_data, wipe
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MONEY = re.compile(r"^\d+\.\d{2}$")
RVU26C_CODES = {"99213", "27447", "70450", "J3490"}


@pytest.fixture(scope="module", autouse=True)
def imported(django_db_setup, django_db_blocker, tmp_path_factory):
    root = tmp_path_factory.mktemp("api")
    rvu26c = pprrvu_slice(
        root / "PPRRVU2026_Jul_nonQPP.csv",
        source=("RVU26C", "PPRRVU2026_Jul_nonQPP.csv"),
        codes=RVU26C_CODES,
    )
    with django_db_blocker.unblock():
        import_search_data(root)
        release_import(source=rvu26c)  # ready, not current
    yield
    with django_db_blocker.unblock():
        wipe()


def gpci(key: str) -> tuple[Decimal, Decimal, Decimal]:
    """(work, PE, MP) GPCIs of "MAC-locality" read straight from GPCI2025.csv."""
    mac, number = key.split("-")
    for row in csv.reader(real_bytes("RVU25D", "GPCI2025.csv").decode("latin-1").splitlines()):
        if len(row) >= 7 and row[0].strip() == mac and row[2].strip() == number:
            return Decimal(row[4]), Decimal(row[5]), Decimal(row[6])
    raise KeyError(key)


PE_COLUMN = {"non_facility": "NON-FAC PE RVU", "facility": "FACILITY PE RVU"}


def expected(code, key=None, setting="non_facility", modifier="", release="RVU25D") -> str:
    row = pprrvu_records(release)[(code, modifier)]
    work_g, pe_g, mp_g = gpci(key) if key else (Decimal(1),) * 3
    total = (
        Decimal(row["WORK RVU"]) * work_g
        + Decimal(row[PE_COLUMN[setting]]) * pe_g
        + Decimal(row["MP RVU"]) * mp_g
    ) * Decimal(row["CONV FACTOR"])
    return str(total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def price(client, code, **params):
    return client.get(f"/api/v1/codes/{code}/price", params)


# --- Price ----------------------------------------------------------------------------------------


def test_99213_national_non_facility_in_rvu25d_is_88_95(client):
    response = price(client, "99213", release="RVU25D")
    assert response.status_code == 200
    data = response.json()
    assert data["non_facility"] == {
        "amount": "88.95",
        "payable": True,
        "reason": None,
        "non_participating": "84.50",  # 88.95 x 0.95 = 84.5025, from the rounded amount
        "limiting_charge": "97.18",  # 88.95 x 1.0925 = 97.177875
        "fee_schedule_amount": "88.95",
        "opps_cap_applied": False,
        "notes": [],
    }
    assert data["facility"]["amount"] == expected("99213", setting="facility") == "63.72"
    assert {k: data[k] for k in ("code", "modifier", "release", "locality")} == {
        "code": "99213",
        "modifier": None,
        "release": "RVU25D",
        "locality": None,
    }
    assert data["conversion_factor"] == "32.3465"
    assert data["rvus"]["work"] == "1.30"


@pytest.mark.parametrize(
    ("code", "key"),
    [
        ("99213", "13202-01"),  # Manhattan
        ("99214", "10112-00"),  # Alabama
        ("47562", "01112-05"),  # San Francisco
        ("27447", "04412-18"),  # Houston
    ],
)
def test_a_locality_from_the_gpci_file_prices_with_its_indices(client, code, key):
    data = price(client, code, release="RVU25D", locality=key).json()
    na = pprrvu_records("RVU25D")[(code, "")]["NON-FAC NA INDICATOR"] == "NA"
    assert data["non_facility"]["amount"] == (None if na else expected(code, key))
    assert data["facility"]["amount"] == expected(code, key, setting="facility")
    work_g, pe_g, mp_g = gpci(key)
    assert data["locality"]["key"] == key
    assert data["locality"]["display_name"] == display_name(data["locality"]["name"])
    assert data["locality"]["display_name"] != data["locality"]["name"]
    assert Decimal(data["locality"]["work_gpci"]) == work_g
    assert Decimal(data["locality"]["pe_gpci"]) == pe_g
    assert Decimal(data["locality"]["mp_gpci"]) == mp_g
    assert data["locality"]["gpci_release"] == "RVU25D"


def test_amounts_are_strings_with_two_decimals(client):
    for code, params in [("99213", {}), ("70450", {"modifier": "26"}), ("27447", {})]:
        data = price(client, code, locality="13202-01", **params).json()
        for setting in ("non_facility", "facility"):
            for name in ("amount", "non_participating", "limiting_charge"):
                value = data[setting][name]
                assert value is None or MONEY.match(value), (code, setting, name, value)


def test_na_means_no_amount_and_a_reason(client):
    data = price(client, "27447", release="RVU25D").json()
    assert data["non_facility"]["amount"] is None
    assert data["non_facility"]["payable"] is False
    assert "Not payable in this setting" in data["non_facility"]["reason"]
    assert data["rvus"]["non_facility_na"] is True
    assert data["facility"]["amount"] == expected("27447", setting="facility")


def test_j3490_has_no_amount_and_says_why(client):
    data = price(client, "J3490").json()
    assert data["status"] == "E"
    for setting in ("non_facility", "facility"):
        assert data[setting]["amount"] is None
        assert data[setting]["payable"] is False
        assert "average sales price" in data[setting]["reason"]


def test_professional_and_technical_components(client):
    pc = price(client, "70450", release="RVU25D", modifier="26").json()
    tc = price(client, "70450", release="RVU25D", modifier="tc").json()
    assert (pc["modifier"], tc["modifier"]) == ("26", "TC")
    assert pc["non_facility"]["amount"] == expected("70450", modifier="26")
    assert tc["non_facility"]["amount"] == expected("70450", modifier="TC")
    assert tc["rvus"]["work"] == "0.00"


def test_the_current_release_is_the_default_and_another_can_be_named(client):
    assert price(client, "99213").json()["release"] == "RVU25D"
    newer = price(client, "99213", release="rvu26c").json()
    assert newer["release"] == "RVU26C"
    assert newer["conversion_factor"] == "33.4009"
    assert newer["non_facility"]["amount"] == expected("99213", release="RVU26C")


def test_a_release_without_a_gpci_file_borrows_the_localities_of_an_older_one(client):
    data = price(client, "99213", release="RVU26C", locality="13202-01").json()
    assert data["locality"]["gpci_release"] == "RVU25D"
    assert data["non_facility"]["amount"] == expected("99213", "13202-01", release="RVU26C")


# --- Errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/api/v1/codes/99999/price", 404, "Unknown code: 99999"),
        ("/api/v1/codes/ZZZ/", 404, "Unknown code: ZZZ"),
        ("/api/v1/codes/99213/price?release=RVU99Z", 400, "Unknown release: RVU99Z"),
        ("/api/v1/codes/99213/?release=RVU99Z", 400, "Unknown release: RVU99Z"),
        ("/api/v1/localities/?release=RVU99Z", 400, "Unknown release: RVU99Z"),
        ("/api/v1/codes/99213/price?locality=99999-99", 400, "Unknown locality: 99999-99"),
        ("/api/v1/codes/99213/price?locality=manhattan", 400, "Unknown locality: MANHATTAN"),
        ("/api/v1/codes/99213/price?modifier=50", 400, "Unknown modifier: 50"),
        ("/api/v1/codes/99213/price?modifier=26", 400, "99213 has no -26 row in RVU25D"),
        ("/api/v1/codes/47562/price?release=RVU26C", 404, "47562 is not in the fee schedule"),
        ("/api/v1/codes/?q=", 400, "?q="),
    ],
)
def test_errors_are_json_with_a_message_naming_the_problem(client, url, status, message):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert message in response.json()["detail"]


def test_the_price_url_also_answers_with_a_trailing_slash(client):
    assert client.get("/api/v1/codes/99213/price/").json()["code"] == "99213"


# --- Search, code, localities, releases ----------------------------------------------------------


@pytest.mark.postgres
def test_search_returns_ranked_paginated_results(client):
    response = client.get("/api/v1/codes/", {"q": "knee replacement", "page_size": 5})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] > 5 and data["next"]
    first = data["results"][0]
    assert first == {
        "code": "27447",
        "descriptor": "Total knee arthroplasty",
        "long_descriptor": "",
        "kind": "CPT Category I",
        "category": "Surgery",
        "synonym": "knee replacement",
        "url": "http://testserver/cpt-codes/27447/",
        "api_url": "http://testserver/api/v1/codes/27447/",
    }
    second = client.get(data["next"]).json()["results"]
    assert {r["code"] for r in second}.isdisjoint(r["code"] for r in data["results"])


def test_search_finds_exact_codes_prefixes_and_misspellings(client):
    def first(q):
        return client.get("/api/v1/codes/", {"q": q}).json()["results"][0]["code"]

    assert first("99213") == "99213"
    assert first("9921").startswith("9921")
    assert first("lap chole") == "47562"


def test_the_code_endpoint_has_everything_on_the_page(client):
    data = client.get("/api/v1/codes/99213/", {"release": "RVU25D"}).json()
    assert set(data) == set(CodePageSerializer().fields)
    assert data["release"] == "RVU25D"
    main = data["rvus"][0]
    assert main["national_non_facility"]["amount"] == "88.95"
    assert "established patient office visit, low complexity" in data["content"]["synonyms"]
    local = client.get("/api/v1/codes/99213/", {"locality": "13202-01"}).json()
    assert local["locality"]["key"] == "13202-01"
    assert (local["locality"]["name"], local["locality"]["display_name"]) == (
        "MANHATTAN",
        "Manhattan",
    )
    works = [r["work_rvu"] for r in local["related"] if r["work_rvu"]]
    assert works and all(re.fullmatch(r"\d+\.\d\d", w) for w in works)  # not "1.92000000000000"
    assert local["rvus"][0]["local_non_facility"]["amount"] == expected("99213", "13202-01")


def test_the_code_endpoint_shows_a_code_without_national_amount(client):
    data = client.get("/api/v1/codes/j3490/").json()
    assert data["code"] == "J3490"
    assert data["status"] == "E"
    assert data["rvus"][0]["national_non_facility"]["amount"] is None
    assert data["no_amount_reason"]


def test_localities_of_a_release(client):
    data = client.get("/api/v1/localities/", {"release": "RVU25D"}).json()
    assert len(data) == 109
    manhattan = next(loc for loc in data if loc["key"] == "13202-01")
    assert manhattan["name"] == "MANHATTAN"
    assert manhattan["display_name"] == "Manhattan"
    assert (manhattan["work_gpci"], manhattan["pe_gpci"], manhattan["mp_gpci"]) == (
        "1.065",
        "1.166",
        "1.656",
    )
    # RVU26C has no GPCI file here: the localities of RVU25D price it.
    assert len(client.get("/api/v1/localities/", {"release": "RVU26C"}).json()) == 109


def test_releases_newest_first_with_the_current_one_marked(client):
    data = client.get("/api/v1/releases/").json()
    assert [(r["name"], r["current"]) for r in data] == [("RVU26C", False), ("RVU25D", True)]
    assert data[1]["conversion_factor"] == "32.3465"
    assert data[1]["locality_count"] == 109


# --- Access, throttling, schema -------------------------------------------------------------------


def test_the_api_is_public_and_signed_in_callers_may_use_it_too(client):
    assert client.get("/api/v1/releases/").status_code == 200
    client.force_login(UserFactory())
    assert price(client, "99213").status_code == 200


def test_anonymous_callers_are_throttled(client, settings):
    rates = {"anon": "3/min", "user": "1000/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    cache.clear()
    for _ in range(3):
        assert price(client, "99213").status_code == 200
    response = client.get("/api/v1/codes/", {"q": "knee"})
    assert response.status_code == 429
    assert "throttled" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    # A signed-in caller has the user rate, not the anonymous one.
    client.force_login(UserFactory())
    assert price(client, "99213").status_code == 200


def test_the_schema_validates_and_documents_the_endpoints(tmp_path):
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    schema = path.read_text()
    for endpoint in (
        "/api/v1/codes/:",
        "/api/v1/codes/{code}/:",
        "/api/v1/codes/{code}/price:",
        "/api/v1/localities/:",
        "/api/v1/releases/:",
    ):
        assert endpoint in schema
    assert "/api/v1/codes/{code}/price/:" not in schema


def test_the_docs_page_loads_only_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    assert all(not re.match(r"^(https?:)?//", url) for url in assets), assets
    # Swagger UI's start-up script comes from the page itself (no inline script, for the CSP).
    assets.remove("/api/docs/?script=")
    start_up = client.get("/api/docs/?script=")
    assert start_up["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in start_up.content.decode()
    for url in assets:  # each one a file of ours (the sidecar package), served from static/
        assert url.startswith(settings.STATIC_URL), url
        assert finders.find(url.removeprefix(settings.STATIC_URL)), url
    assert client.get("/api/schema/").status_code == 200
    assert settings.SPECTACULAR_SETTINGS["SWAGGER_UI_DIST"] == "SIDECAR"
