"""Code pages and the code API show the NCCI edits in force: the bundled MUE and add-on code
edit files (2026Q2, in force from 2026-04-01) imported through ncci.services, the PTP fixture
(tests/ncci/fixtures/ptp, not CMS data) when a test loads it, and a slice of RVU25D for the code
pages. Expected values are read from the files: 64484 MUE 4 MAI 3 with primary 64483 (type 1);
27447 MUE 1 MAI 2 "CMS Policy"; 99213 MUE 2 MAI 3; no MUE row for J3490; 69990 an add-on of
211 primary codes, 18 of them deleted by 2026."""

import datetime as dt
import re
from html import unescape

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from codes import ncci_page, selectors
from codes.models import Code, RelativeValue, Release, SourceFile
from codes.services import release_import
from ncci import services as ncci_services
from ncci.models import EditSet
from tests.cms_files import SLICE_CODES, write_release_slice
from tests.ncci.test_files import PTP_FIXTURE
from tests.ncci.test_import import mue_copy

pytestmark = pytest.mark.django_db

PAGE_CODES = SLICE_CODES | {"69990", "96160"}


def wipe():
    EditSet.objects.all().delete()
    RelativeValue.objects.all().delete()
    SourceFile.objects.all().delete()
    Release.objects.all().delete()
    Code.objects.all().delete()


@pytest.fixture(scope="module", autouse=True)
def imported(django_db_setup, django_db_blocker, tmp_path_factory):
    path = tmp_path_factory.mktemp("edits") / "PPRRVU2025_Oct.csv"
    with django_db_blocker.unblock():
        wipe()
        release_import(source=write_release_slice(path, codes=PAGE_CODES), make_current=True)
        ncci_services.edits_import(source=settings.NCCI_DATA_DIR)
    yield
    with django_db_blocker.unblock():
        wipe()


@pytest.fixture
def ptp(django_capture_on_commit_callbacks):
    """The PTP fixture's four parts imported as they would be, commit hooks and all."""
    with django_capture_on_commit_callbacks(execute=True):
        (outcome,) = ncci_services.edits_import(source=PTP_FIXTURE)
    return outcome.edit_set


def page(client, code):
    response = client.get(reverse("codes:detail", args=[code]))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def block(html, testid):
    """The text of one block of the coding edits (data-testid), tags stripped."""
    found = re.search(rf'data-testid="{testid}">(.*?)</div>\s*(?=<div class="edit-block"|</div>)',
                      html, re.S)  # fmt: skip
    assert found, testid
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


# --- Medically Unlikely Edits --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (
            "27447",
            [
                "1 unit of 27447 per patient per day",
                "Adjudication indicator 2 Per day, policy (absolute).",
                "units above 1 are denied",
                "an appeal does not lift it",
                "CMS's reason CMS Policy",
            ],
        ),
        (
            "99213",
            [
                "2 units of 99213 per patient per day",
                "Adjudication indicator 3 Per day, clinical.",
                "units above 2 are denied",
                "an appeal with records",
                "CMS's reason Clinical: Data",
            ],
        ),
        ("64484", ["4 units of 64484 per patient per day", "Adjudication indicator 3"]),
    ],
)
def test_the_page_gives_the_units_limit_and_what_its_indicator_means(client, code, words):
    text = block(page(client, code), "ncci-mue")
    for expected in words:
        assert expected in text
    source = "Source: CMS NCCI Medically Unlikely Edits, version 2026Q2, in force from 2026-04-01"
    assert source in text


@pytest.mark.parametrize(
    ("row", "phrase"),
    [  # rows of the MUE file: code, units, MAI
        (("A0425", 250, 1), "Claim line edit: Medicare checks each line on its own. Up to 250 "
         "units of A0425 on one line"),
        (("A6460", 1, 1), "Up to 1 unit of A6460 on one line"),
        (("27447", 1, 2), "so it is absolute"),
        (("99292", 8, 3), "every line of 99292 for the patient on the day, and units above 8 "
         "are denied"),
    ],
)  # fmt: skip
def test_each_adjudication_indicator_is_put_in_words(row, phrase):
    code, units, mai = row
    limit = ncci_page.MueLimit(units, mai, "", code)
    assert phrase in limit.meaning
    assert limit.per_day is (mai != 1)


def test_a_code_without_a_published_limit_says_so(client):
    text = block(page(client, "J3490"), "ncci-mue")
    assert "publish no units limit for J3490" in text
    assert "version 2026Q2" in text


# --- Add-on code edits -------------------------------------------------------------------------


def test_an_add_on_code_lists_its_primary_codes_linked_with_descriptors(client):
    html = page(client, "64484")
    text = block(html, "ncci-aoc")
    assert "64484 is an add-on code" in text
    assert "Report it only with one of the primary codes listed." in text
    assert "1 primary code listed: 64483 Njx aa&/strd tfrm epi l/s 1" in text
    assert 'href="/cpt-codes/64483/"' in html
    assert "Add-on code edits, version 2026Q2, in force from 2026-04-01" in text


def test_a_primary_code_lists_its_add_ons(client):
    text = block(page(client, "64483"), "ncci-aoc")
    assert "Add-on codes that may be reported with 64483 as their primary procedure: 64484" in text
    assert "is an add-on code" not in text


def test_a_long_list_of_primary_codes_is_folded(client):
    html = page(client, "69990")
    text = block(html, "ncci-aoc")
    # 211 rows in the file; 18 deleted before 2026 are left out: 193 listed, 12 shown open.
    assert "193 primary codes listed" in text
    assert "Show 181 more primary codes" in text
    details = re.search(r'<details class="edit-more">(.*?)</details>', html, re.S).group(1)
    assert len(re.findall(r"<li>", details)) == 181
    # A code the site has no page for is named, not linked.
    assert "not in this site's code list" in text


def test_a_type_3_add_on_says_the_contractor_may_allow_other_primaries(client):
    text = block(page(client, "96160"), "ncci-aoc")
    assert "or another the Medicare contractor allows" in text
    assert "99213" in text


def test_a_code_in_no_add_on_edit_says_so(client):
    text = block(page(client, "J3490"), "ncci-aoc")
    assert "J3490 is not an add-on code, and no add-on code lists it as a primary code." in text


def test_descriptors_of_cpt_codes_are_left_out_without_the_licence(client, settings):
    settings.SHOW_AMA_DESCRIPTORS = False
    text = block(page(client, "64484"), "ncci-aoc")
    assert "64483" in text
    assert "Njx aa&/strd" not in text


# --- Procedure-to-procedure edits --------------------------------------------------------------


def test_without_ptp_edits_the_page_says_they_are_not_loaded(client):
    text = block(page(client, "27447"), "ncci-ptp")
    assert "Procedure-to-procedure edits are not loaded" in text


def test_ptp_pairs_show_columns_the_modifier_and_the_version(client, ptp):
    knee = block(page(client, "27447"), "ncci-ptp")
    assert "27447 is the column 1 code of these pairs" in knee
    assert "27447 27446 Not allowed No modifier bypasses the edit" in knee
    assert "2015-01-01 Misuse of column two code with column one code" in knee
    assert "version v32.2r0, in force from 2026-07-01" in knee

    visit = block(page(client, "99213"), "ncci-ptp")
    assert "99213 is the column 2 code of these pairs" in visit
    assert "20610 Drain/inj joint/bursa w/o us 99213 Allowed A modifier may bypass" in visit


def test_a_deleted_ptp_edit_is_left_out(client, ptp):
    text = block(page(client, "64483"), "ncci-ptp")  # 64483/64479 was deleted on 2023-12-31
    assert "No procedure-to-procedure edit pairs 64483 with another code." in text


# --- Caching -----------------------------------------------------------------------------------


def test_an_import_after_a_page_was_cached_shows_on_the_page(
    client, django_capture_on_commit_callbacks
):
    before = selectors.page_state()
    assert "are not loaded" in block(page(client, "27447"), "ncci-ptp")

    with django_capture_on_commit_callbacks(execute=True):
        (outcome,) = ncci_services.edits_import(source=PTP_FIXTURE)

    after = selectors.page_state()
    assert after.version != before.version
    assert after.version.endswith(f"-{outcome.edit_set.pk}")
    assert "27446" in block(page(client, "27447"), "ncci-ptp")


def test_a_set_coming_into_force_replaces_the_cached_one_on_its_first_day(
    client, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    first_day = today + dt.timedelta(days=30)
    later = mue_copy(tmp_path, f"{first_day:%m-%d-%Y}", ("\n99213,2,3", "\n99213,3,3"))
    with django_capture_on_commit_callbacks(execute=True):
        ncci_services.edits_import(source=later)

    assert "2 units of 99213 per patient per day" in block(page(client, "99213"), "ncci-mue")

    monkeypatch.setattr(selectors.timezone, "localdate", lambda: first_day)
    text = block(page(client, "99213"), "ncci-mue")
    assert "3 units of 99213 per patient per day" in text
    assert f"in force from {first_day:%Y-%m-%d}" in text


def test_no_edits_loaded_is_said_plainly(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        EditSet.objects.all().delete()
    html = page(client, "27447")
    assert "coding edits (Medically Unlikely Edits, add-on code edits" in unescape(html)
    assert "are not loaded, so no units limit or code pairing is shown for 27447" in unescape(html)


def test_a_page_with_every_kind_of_edit_stays_within_12_queries(
    client, ptp, django_assert_max_num_queries
):
    # The fee schedule part makes 6 here (this slice has no locality files); the edits add the
    # sets in force, the MUE, the add-on edits, the PTP counts and one list (99213 is column 2
    # only), and the named codes' descriptors.
    with django_assert_max_num_queries(12):
        page(client, "99213")


# --- API ---------------------------------------------------------------------------------------


def test_the_code_api_gives_the_edits_with_their_versions(client):
    data = client.get("/api/v1/codes/64484/").json()["ncci"]

    assert data["mue"] == {
        "name": "Medically Unlikely Edits",
        "version": "2026Q2",
        "effective_on": "2026-04-01",
        "limit": {
            "units": 4,
            "adjudication_indicator": 3,
            "adjudication": "Per day, clinical",
            "per_day": True,
            "meaning": data["mue"]["limit"]["meaning"],
            "rationale": "Clinical: Data",
        },
    }
    assert "units above 4 are denied" in data["mue"]["limit"]["meaning"]
    add_on = data["add_on"]
    assert (add_on["version"], add_on["contractor_defined"], add_on["addons"]) == (
        "2026Q2",
        False,
        [],
    )
    assert add_on["primaries"] == [
        {
            "code": "64483",
            "descriptor": "Njx aa&/strd tfrm epi l/s 1",
            "has_page": True,
            "edit_type": 1,
            "effective_on": "2013-04-01",
            "notes": None,
        }
    ]
    assert data["ptp"] is None


def test_the_code_api_gives_ptp_pairs_when_loaded(client, ptp):
    data = client.get("/api/v1/codes/27447/").json()["ncci"]

    assert data["mue"]["limit"]["units"] == 1
    assert data["mue"]["limit"]["adjudication_indicator"] == 2
    ptp = data["ptp"]
    assert (ptp["version"], ptp["effective_on"]) == ("v32.2r0", "2026-07-01")
    assert (ptp["bundles_count"], ptp["bundled_into_count"], ptp["bundled_into"]) == (1, 0, [])
    (pair,) = ptp["bundles"]
    assert pair["column1"] == "27447" and pair["column2"] == "27446"
    assert pair["modifier_indicator"] == 0 and pair["modifier_allowed"] is False
    assert pair["other"]["code"] == "27446" and pair["other"]["has_page"] is False


def test_the_schema_documents_the_ncci_object(client):
    schema = client.get("/api/schema/?format=json").json()
    page_schema = schema["components"]["schemas"]["CodePage"]
    assert "ncci" in page_schema["required"]
    ncci = schema["components"]["schemas"]["Ncci"]["properties"]
    assert set(ncci) == {"mue", "add_on", "ptp"}
    assert "adjudication_indicator" in schema["components"]["schemas"]["MueLimit"]["properties"]
