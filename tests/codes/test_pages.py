"""Code pages, browsing, SEO files and the locality choice, on slices of the real CMS files.

RVU25D (current: a PPRRVU slice with the real GPCI, LOCCO and ANES files), RVU26C (a slice, not
current) and the HCPCS rows of the same codes are imported once for the module through the real
importer, with the bundled editorial content. Expected amounts are worked from the file rows:
(work x work GPCI + PE x PE GPCI + MP x MP GPCI) x 32.3465, rounded once to cents.
"""

import json
import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from codes import selectors, services
from codes.models import (
    Code,
    CodeContent,
    CodeFaq,
    LocalityPreference,
    OppsCap,
    RelativeValue,
    Release,
    SourceFile,
)
from codes.services import release_import
from tests.cms_files import RVU26C_PPRRVU, copy_real, hcpcs_slice, pprrvu_slice
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CODES = {
    "99211", "99212", "99213", "99214", "99215", "27446", "27447", "27448", "70450", "70460",
    "J3490", "J3480", "10011", "10012", "22551", "22552", "45378", "45380", "0001F", "71046",
    "J3590", "J7999", "J9999", "96372",
}  # fmt: skip
MANHATTAN, ALABAMA, HOUSTON = "13202-01", "10112-00", "04412-18"
LOS_ANGELES = "01182-18"


def wipe():
    CodeContent.objects.all().delete()
    RelativeValue.objects.all().delete()
    OppsCap.objects.all().delete()
    SourceFile.objects.all().delete()
    Release.objects.all().delete()
    Code.objects.all().delete()


@pytest.fixture(scope="module", autouse=True)
def imported(django_db_setup, django_db_blocker, tmp_path_factory):
    root = tmp_path_factory.mktemp("pages")
    rvu25d = root / "RVU25D"
    rvu25d.mkdir()
    pprrvu_slice(rvu25d / "PPRRVU2025_Oct.csv", codes=CODES)
    for name in ("GPCI2025.csv", "25LOCCO.csv", "ANES2025.csv"):
        copy_real(rvu25d, "RVU25D", name)
    rvu26c = pprrvu_slice(root / RVU26C_PPRRVU, source=("RVU26C", RVU26C_PPRRVU), codes=CODES)
    with django_db_blocker.unblock():
        wipe()
        release_import(source=rvu25d, make_current=True)
        release_import(source=rvu26c)
        release_import(source=hcpcs_slice(root / "HCPC2025_OCT_ANWEB.xlsx", codes=CODES))
        call_command("load_editorial_content", verbosity=0)
    yield
    with django_db_blocker.unblock():
        wipe()


def page(client, code, **params):
    """The page's HTML, after the redirect that puts a remembered locality in the address."""
    response = client.get(reverse("codes:detail", args=[code]), params, follow=True)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def text_of(html):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def rvu_table(html) -> dict[str, list[str]]:
    """The RVU table as {row heading: [cell of each service]}, "" for the header row."""
    table = re.search(r'<table class="[^"]*rvu-table[^"]*">(.*?)</table>', html, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = [text_of(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows[cells[0] if cells[0] != "RVUs" else ""] = cells[1:]
    return rows


def section(html, section_id):
    found = re.search(rf'<section id="{section_id}".*?</section>', html, re.S)
    return found.group(0) if found else ""


def json_ld(html):
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


# --- Sections and values of the pages -----------------------------------------------------------


def test_j3490_is_named_hcpcs_level_ii_and_explains_why_it_has_no_national_amount(client):
    html = page(client, "J3490")
    text = text_of(html)

    assert "<title>J3490 Drugs unclassified injection" in html
    assert "HCPCS Level II" in text and "CPT Category" not in text
    assert "J Codes (Drugs)" in text
    assert "Status E: Excluded from the fee schedule by regulation" in text
    assert "Unclassified drugs" in text  # the HCPCS long descriptor
    assert "Also known as:" in text and "NOC drug" in text
    for heading in (
        "In plain language",
        "Clinical context",
        "Billing & documentation",
        "Frequently asked questions",
        "Related codes",
        "History",
    ):
        assert heading in text
    assert "No national fee schedule amount" in text
    assert "average sales price (ASP)" in text
    assert "96365-96379" in text  # the J code billing note: administration billed in addition
    assert "$0.00" not in text and "rvu-table" not in html  # no table of zeros


def test_99213_shows_its_rvus_and_national_amounts_from_rvu25d(client):
    text = text_of(page(client, "99213"))

    assert "CPT Category I" in text and "E/M" in text
    assert "Status A: Active code" in text
    # Global row: work 1.30, PE 1.35 office / 0.57 facility, MP 0.10; totals 2.75 / 1.97.
    table = rvu_table(page(client, "99213"))
    assert table[""] == ["Global (whole service)"]
    assert [table[name][0] for name in ("Work", "Practice expense, office")] == ["1.30", "1.35"]
    assert [table[name][0] for name in ("Practice expense, facility", "Malpractice")] == [
        "0.57",
        "0.10",
    ]
    assert (table["Total, office"], table["Total, facility"]) == (["2.75"], ["1.97"])
    assert table["National payment, office"] == ["$88.95"]
    assert "$88.95" in text  # 2.75 x 32.3465 = 88.952875
    assert "$63.72" in text  # 1.97 x 32.3465 = 63.722605
    assert "$84.50" in text  # non-participating: 88.95 x 0.95 = 84.5025
    assert "$97.18" in text  # limiting charge: 88.95 x 1.0925 = 97.177875


@pytest.mark.parametrize(
    ("locality", "name", "office", "facility"),
    [
        # 1.30 x 1.065 + 1.35 x 1.166 + 0.10 x 1.656 = 3.1242; x 32.3465 = 101.0569353
        # 1.30 x 1.065 + 0.57 x 1.166 + 0.10 x 1.656 = 2.21472; x 32.3465 = 71.63844048
        (MANHATTAN, "Manhattan", "$101.06", "$71.64"),
        # 1.30 x 1 + 1.35 x 0.869 + 0.10 x 0.575 = 2.53065; x 32.3465 = 81.857670225
        # 1.30 x 1 + 0.57 x 0.869 + 0.10 x 0.575 = 1.85283; x 32.3465 = 59.932565595
        (ALABAMA, "Alabama", "$81.86", "$59.93"),
        # 1.30 x 1.014 + 1.35 x 1.003 + 0.10 x 1.409 = 2.81315; x 32.3465 = 90.995556475
        # 1.30 x 1.014 + 0.57 x 1.003 + 0.10 x 1.409 = 2.03081; x 32.3465 = 65.689595665
        (HOUSTON, "Houston", "$91.00", "$65.69"),
    ],
)
def test_99213_payment_in_a_locality_follows_the_gpci_formula(
    client, locality, name, office, facility
):
    text = text_of(page(client, "99213", locality=locality))

    assert f"Setting National {name}" in text
    assert f"Office non-facility $88.95 {office}" in text
    assert f"Facility hospital, ASC $63.72 {facility}" in text


def test_the_locality_list_holds_every_locality_of_the_gpci_file(client):
    html = page(client, "99213")
    options = re.findall(r'<option value="(\d{5}-\d{2})"', html)

    assert len(options) == 109
    assert {MANHATTAN, ALABAMA, HOUSTON} <= set(options)
    assert '<optgroup label="TX">' in html


def test_70450_has_26_and_tc_columns_and_na_is_never_a_zero_amount(client):
    html = page(client, "70450", locality=ALABAMA)
    text, table = text_of(html), rvu_table(html)

    assert table[""] == [
        "Global (whole service)",
        "Professional component (-26)",
        "Technical component (-TC)",
    ]
    assert table["Work"] == ["0.85", "0.85", "0.00"]
    assert table["Practice expense, office"] == ["2.35", "0.31", "2.04"]
    assert table["Practice expense, facility"] == ["NA", "0.31", "NA"]
    assert table["Malpractice"] == ["0.05", "0.04", "0.01"]
    assert table["Total, office"] == ["3.25", "1.20", "2.05"]
    assert table["Total, facility"] == ["NA", "1.20", "NA"]
    # 3.25 x 32.3465 = 105.126125; 1.20 x 32.3465 = 38.8158; 2.05 x 32.3465 = 66.310325
    assert table["National payment, office"] == ["$105.13", "$38.82", "$66.31"]
    assert table["National payment, facility"] == ["NA", "$38.82", "NA"]
    assert "Facility hospital, ASC Global Not payable in this setting" in text
    assert "$0.00" not in text


def test_70450_component_amounts_match_the_formula():
    page_data = selectors.code_page("70450", locality_key=ALABAMA)
    lines = {line.modifier: line for line in page_data.lines}

    assert [line.modifier for line in page_data.lines] == ["", "26", "TC"]
    # 26: 1.20 x 32.3465 = 38.8158; Alabama: 0.85 + 0.31 x 0.869 + 0.04 x 0.575 = 1.14239
    assert str(lines["26"].national_facility.amount) == "38.82"
    assert str(lines["26"].local_facility.amount) == "36.95"  # 1.14239 x 32.3465 = 36.95231
    # TC: 2.05 x 32.3465 = 66.310325 in the office; NA in a facility.
    assert str(lines["TC"].national_non_facility.amount) == "66.31"
    assert not lines["TC"].national_facility.payable
    assert lines["TC"].national_facility.amount is None


def test_27447_shows_its_90_day_global_period_split_and_office_na(client):
    text = text_of(page(client, "27447"))

    assert "90-day global" in text
    assert "Pre / intra / post-op split" in text
    assert "Total knee arthroplasty" in text
    assert "$1,257.63" in text  # facility: 38.88 x 32.3465 = 1257.63192
    assert "National, office Not payable (NA)" in text
    assert "Bilateral (50) 1" in text and "paid at 150% of one side" in text


def test_the_split_care_wording_matches_what_the_credit_engine_pays(client):
    text = text_of(page(client, "27447"))  # PRE / INTRA / POST 0.10 / 0.69 / 0.21

    # 54 is pre + intra (0.10 + 0.69), as codes.credit credits it, not the intra share alone.
    assert "Modifier 54 (surgical care only) pays the preoperative and intraoperative" in text
    assert "shares, 79%; 55 (postoperative care only) the postoperative share, 21%" in text
    assert "56 (preoperative care only) the preoperative share, 10%" in text
    assert "54 and 55 on one line pay the whole package" in text


def test_a_status_c_code_explains_contractor_pricing_instead_of_zeros(client):
    text = text_of(page(client, "10011"))

    assert "Status C: Contractor (MAC) priced" in text
    assert "No national fee schedule amount" in text
    assert "Priced by the Medicare contractor (MAC)" in text
    assert "$0.00" not in text


def test_an_add_on_code_is_badged_and_explained(client):
    text = text_of(page(client, "22552"))

    assert "Add-on code (ZZZ)" in text
    assert "Is 22552 an add-on code?" in text
    assert "never reduced by the multiple-procedure rule" in text


def test_history_lists_every_imported_release_with_its_values(client):
    html = page(client, "27447")
    rows = re.findall(
        r"<tr>\s*<th scope=\"row\" class=\"fw-normal\">(RVU2\w+)</th>(.*?)</tr>", html, re.S
    )
    history = {name: text_of(cells).split() for name, cells in rows}

    assert history["RVU25D"][:3] == ["A", "19.60", "32.3465"]
    assert history["RVU26C"][:3] == ["A", "19.11", "33.4009"]
    assert 'id="history-data"' in html and 'id="history-chart"' in html


def test_comparison_ranks_the_work_rvu_within_its_category():
    data = selectors.code_page("27447")
    # Paid surgery codes with a work RVU in the slice, in RVU25D.
    works = sorted(
        RelativeValue.objects.filter(
            release=data.release, modifier="", status="A", work_rvu__gt=0, code__category="Surgery"
        ).values_list("work_rvu", flat=True)
    )
    below = sum(1 for w in works if w < data.main_line.work_rvu)

    assert data.comparison.count == len(works)
    assert data.comparison.percentile == round(below * 100 / len(works))


def test_a_code_without_editorial_content_still_has_every_section():
    data = selectors.code_page("27446")

    assert not CodeContent.objects.filter(code__code="27446").exists()
    assert data.text.summary and data.text.plain_language and data.text.clinical_context
    assert data.text.billing_notes  # the Surgery category default
    assert data.text.sources["billing_notes"] == "category"
    assert any(f.question == "How many work RVUs is 27446?" for f in data.text.faqs)


def test_ama_descriptors_are_hidden_when_the_setting_says_so(client, settings):
    settings.SHOW_AMA_DESCRIPTORS = False

    cpt = text_of(page(client, "99213"))
    hcpcs = text_of(page(client, "J3490"))

    assert "Office o/p est low 20 min" not in cpt
    assert "established patient" in cpt  # our summary instead
    assert "Drugs unclassified injection" in hcpcs  # CMS's own codes keep theirs


# --- SEO ----------------------------------------------------------------------------------------


def test_code_page_has_canonical_open_graph_and_json_ld(client, settings):
    html = page(client, "J3490")

    assert '<link rel="canonical" href="http://localhost:8000/cpt-codes/J3490/">' in html
    assert '<meta property="og:title" content="J3490 Drugs unclassified injection">' in html
    assert re.search(r'<meta name="description" content="[^"]{40,}">', html)
    code, faq = json_ld(html)
    assert code["@type"] == "MedicalCode" and code["codeValue"] == "J3490"
    assert code["codingSystem"] == "HCPCS"
    assert faq["@type"] == "FAQPage"
    assert faq["mainEntity"][0]["name"] == "What is HCPCS code J3490?"


def test_sitemap_index_lists_sections_that_cover_every_code_page(client):
    index = client.get("/sitemap.xml").content.decode()
    codes = client.get("/sitemap-codes.xml").content.decode()

    assert "<loc>http://localhost:8000/sitemap-codes.xml</loc>" in index
    assert "<loc>http://localhost:8000/sitemap-code-sections.xml</loc>" in index
    locations = re.findall(r"<loc>([^<]+)</loc>", codes)
    assert len(locations) == Code.objects.count()
    assert "http://localhost:8000/cpt-codes/J3490/" in locations


def test_robots_txt_points_at_the_sitemap(client):
    robots = client.get("/robots.txt")

    assert robots["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://localhost:8000/sitemap.xml" in robots.content.decode()


# --- Addresses ----------------------------------------------------------------------------------


def test_unknown_code_is_a_404_with_nearby_codes(client):
    response = client.get("/cpt-codes/99219/")
    html = response.content.decode()

    assert response.status_code == 404
    assert "We have no code 99219" in html
    assert 'href="/cpt-codes/99213/"' in html and 'href="/cpt-codes/99215/"' in html


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/cpt-codes/j3490/", "/cpt-codes/J3490/"),
        ("/cpt-codes/j-codes/J3490/", "/cpt-codes/J3490/"),
        ("/cpt-codes/em/99213/", "/cpt-codes/99213/"),
        ("/cpt-codes/surgery/27447/", "/cpt-codes/27447/"),
        ("/cpt-codes/em/", "/cpt-codes/browse/evaluation-and-management/"),
    ],
)
def test_old_and_lowercase_addresses_redirect_permanently(client, old, new):
    response = client.get(old)

    assert response.status_code == 301
    assert response["Location"] == new


def test_browse_lists_sections_and_a_range_page_lists_codes_with_work_rvus(client):
    index = text_of(client.get("/cpt-codes/").content.decode())
    em = client.get("/cpt-codes/browse/evaluation-and-management/").content.decode()

    assert "Evaluation and Management (E/M)" in index and "99202-99499" in index
    assert "Musculoskeletal system" in index and "HCPCS Level II codes by letter" in index
    assert re.search(r'href="/cpt-codes/99213/">99213</a></th>\s*<td>Office o/p est low 20 min', em)
    assert "1.30" in text_of(em)


# --- Speed and caching --------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["J3490", "99213", "27447", "70450", "10011", "22552", "45380"])
def test_a_code_page_makes_at_most_9_queries_on_an_empty_cache(
    client, django_assert_max_num_queries, code
):
    # 8 for the fee schedule and one for the NCCI edit sets in force (none imported here; the
    # edits' own queries are counted in tests/codes/test_code_page_edits.py).
    with django_assert_max_num_queries(9):
        page(client, code)


@pytest.mark.parametrize("code", ["J3490", "27447", "70450"])
def test_an_uncached_page_in_a_chosen_locality_for_a_signed_in_user_stays_within_8_queries(
    client, django_assert_max_num_queries, code
):
    client.login(email=UserFactory().email, password=PASSWORD)
    page(client, "99214", locality=HOUSTON)  # the choice is saved; shared pieces are cached

    with django_assert_max_num_queries(8):
        html = page(client, code, locality=HOUSTON)
    assert "Houston" in html or code == "J3490"


def test_a_cached_page_needs_no_query_for_a_visitor(client, django_assert_num_queries):
    page(client, "99213")

    with django_assert_num_queries(0):
        page(client, "99213")


def test_the_cached_page_follows_a_change_of_current_release(
    client, django_capture_on_commit_callbacks
):
    assert "$88.95" in page(client, "99213")

    with django_capture_on_commit_callbacks(execute=True):
        services.release_make_current(release=Release.objects.get(name="RVU26C"))

    text = text_of(page(client, "99213"))
    assert "$95.19" in text  # RVU26C: (1.30 + 1.46 + 0.09) x 33.4009 = 95.192565
    assert "RVU26C" in text


def test_the_signed_in_parts_are_not_cached_with_the_page(client):
    user = UserFactory()
    assert "Sign up free to track 99213" in page(client, "99213")

    client.login(email=user.email, password=PASSWORD)
    html = page(client, "99213")

    assert 'href="/track/?codes=99213"' in html
    assert "Sign up free to track" not in html
    assert 'action="/track/favorites/99213/"' in html


# --- Locality choice ----------------------------------------------------------------------------


def test_the_locality_choice_is_remembered_in_the_session(client):
    page(client, "99213", locality=MANHATTAN)

    assert "$101.06" in page(client, "99213")
    assert "$91.00" in text_of(page(client, "99213", locality=HOUSTON))
    assert "$101.06" not in page(client, "70450")
    assert "Houston" in text_of(page(client, "70450"))
    assert "Houston" not in text_of(page(client, "99213", locality="national")).split("Price")[0]


def test_a_signed_in_users_locality_is_kept_across_sessions(client):
    user = UserFactory()
    client.login(email=user.email, password=PASSWORD)
    page(client, "99213", locality=MANHATTAN)
    client.logout()

    assert LocalityPreference.objects.get(user=user).locality_key == MANHATTAN
    client.login(email=user.email, password=PASSWORD)
    assert "$101.06" in page(client, "27447") or "Manhattan" in text_of(page(client, "99213"))
    assert "$101.06" in page(client, "99213")


def test_the_payment_card_swaps_in_by_htmx(client):
    response = client.get(
        reverse("codes:payment", args=["99213"]), {"locality": ALABAMA}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="payment"')
    assert "$81.86" in html and "<html" not in html


# --- Editorial content --------------------------------------------------------------------------


def test_load_editorial_content_is_idempotent_and_keeps_admin_edits():
    content = CodeContent.objects.get(code__code="99213")
    content.summary = "Edited in the admin."
    content.save()
    faqs = CodeFaq.objects.count()

    call_command("load_editorial_content", verbosity=0)

    content.refresh_from_db()
    assert content.summary == "Edited in the admin."
    assert CodeFaq.objects.count() == faqs

    call_command("load_editorial_content", "--overwrite", verbosity=0)
    content.refresh_from_db()
    assert content.summary != "Edited in the admin."
    assert CodeFaq.objects.count() == faqs


def test_load_editorial_content_gives_kept_content_its_related_codes_once():
    content = CodeContent.objects.get(code__code="27447")
    content.summary = "Edited in the admin."
    content.related = ""
    content.save()

    call_command("load_editorial_content", verbosity=0)

    content.refresh_from_db()
    assert content.summary == "Edited in the admin."  # kept
    assert content.related_list[:3] == ["27446", "27486", "27487"]  # filled from the file
    content.related = "27130"
    content.save()
    call_command("load_editorial_content", verbosity=0)
    content.refresh_from_db()
    assert content.related_list == ["27130"]  # an editor's list is kept


def test_a_related_list_of_something_else_than_codes_is_refused():
    content = CodeContent.objects.get(code__code="27447")
    content.related = "27446\nknee revision"

    with pytest.raises(ValidationError, match="Not a five-character code: knee, revision"):
        content.full_clean()


def test_editing_content_in_the_admin_shows_on_the_cached_page(
    client, django_capture_on_commit_callbacks
):
    page(client, "99213")
    content = CodeContent.objects.get(code__code="99213")
    content.plain_language = "A follow-up visit, in plain words."
    with django_capture_on_commit_callbacks(execute=True):
        content.save()

    assert "A follow-up visit, in plain words." in page(client, "99213")


def test_an_unknown_locality_is_priced_nationally_and_caches_nothing_of_its_own(client):
    from django.core.cache import cache

    from codes.pages import page_cache_key
    from codes.views import SESSION_LOCALITY
    from rvuedge import edge_cache

    national = text_of(page(client, "99213"))
    bogus = [f"zz{i:03d}-99" for i in range(30)]
    for value in bogus:
        response = client.get(reverse("codes:detail", args=["99213"]), {"locality": value})
        assert text_of(response.content.decode()) == national
        assert response["Cache-Control"] == "private"

    assert SESSION_LOCALITY not in client.session
    version = edge_cache.current_version()
    for value in bogus:
        assert cache.get(page_cache_key("99213", value)) is None
        key = edge_cache.page_key(version, "/cpt-codes/99213/", f"locality={value}")
        assert edge_cache.lookup(key) is None


def test_a_known_locality_is_still_remembered(client):
    from codes.views import SESSION_LOCALITY

    page(client, "99213", locality=HOUSTON)

    assert client.session[SESSION_LOCALITY] == HOUSTON


# --- Issue 14: what people read on a code page --------------------------------------------------


def test_no_figure_reads_none_or_more_than_two_decimals(client):
    for code in ("J3490", "27447", "71046", "99213", "70450", "22552", "10011", "0001F"):
        text = text_of(page(client, code))

        assert not re.search(r"\bNone\b", text), code
        assert not re.search(r"\d\.\d{3,} wRVU", text), code  # was "12.0600000000000 wRVU"
        assert not re.search(r"\d\.\d{5,}", text), code  # no raw Decimal anywhere


def test_j3490s_tiles_say_not_applicable_instead_of_none(client):
    html = page(client, "J3490")
    tiles = text_of(re.search(r'<dl class="code-stats.*?</dl>', html, re.S).group(0))

    assert tiles.startswith("Work RVU Not applicable status E: not paid from RVUs")
    assert "National, office No national amount" in tiles
    assert "Global period Not applicable XXX: no global period" in tiles


def test_related_wrvus_have_two_decimals(client):
    related = text_of(section(page(client, "27447"), "related"))

    # 27446 in RVU25D: work 17.13 (the Decimal annotation used to read 17.1300000000000).
    assert "27446 Revision of knee joint 17.13 wRVU" in related


def test_27447s_related_codes_are_relatives_not_numeric_neighbours(client):
    related = section(page(client, "27447"), "related")

    assert 'href="/cpt-codes/27446/"' in related  # curated: the other knee arthroplasty
    assert "27448" not in related and "Incision of thigh" not in related  # a femur osteotomy


def test_the_curated_list_comes_first_in_the_editors_order():
    data = selectors.code_page("J3490")
    content = CodeContent.objects.get(code__code="J3490")

    # The catch-all siblings and the administration code of the slice, as the editor ordered
    # them (editorial.json lists J3590, J7999, J9999, 96372, 96374, 96365).
    assert content.related_list[:4] == ["J3590", "J7999", "J9999", "96372"]
    assert [r.code for r in data.related] == ["J3590", "J7999", "J9999", "96372"]
    assert data.related[0].relation == "Unlisted / not classified"


def test_without_curated_codes_a_catch_all_lists_its_catch_all_siblings():
    CodeContent.objects.filter(code__code="J3490").update(related="")

    data = selectors.code_page("J3490")

    assert [r.code for r in data.related] == ["J3590", "J7999", "J9999"]
    assert "J3480" not in [r.code for r in data.related]  # a named drug, not a sibling


def test_an_add_on_lists_its_primary_and_the_primary_its_add_on():
    CodeContent.objects.filter(code__code__in=["22551", "22552"]).update(related="")

    assert selectors.code_page("22552").related[0].code == "22551"
    assert selectors.code_page("22552").related[0].relation == "Primary procedure"
    assert selectors.code_page("22551").related[0].code == "22552"
    assert selectors.code_page("22551").related[0].relation == "Add-on code"


def test_locality_names_are_in_their_proper_case(client):
    houston = text_of(page(client, "99213", locality=HOUSTON))
    los_angeles = text_of(page(client, "99213", locality=LOS_ANGELES))

    assert "Houston, office" in houston and "HOUSTON" not in houston
    assert "Los Angeles-Long Beach-Anaheim (Los Angeles/Orange Cnty)" in los_angeles
    assert "Los Angeles-long Beach" not in los_angeles
    assert "NY · NYC Suburbs/Long Island" in houston  # in the locality list
    assert "DC · DC + MD/VA Suburbs" in houston


def test_71046_shows_the_26_and_tc_amounts_beside_the_global_amount(client):
    text = text_of(page(client, "71046"))

    # RVU25D 71046: global office 1.01, facility NA; -26 0.31 / 0.31; -TC 0.70 / NA.
    # 1.01 x 32.3465 = 32.669965; 0.31 x 32.3465 = 10.027415; 0.70 x 32.3465 = 22.64255
    assert (
        "National, office $32.67 -26 professional: $10.03 -TC technical: $22.64" in text
    )  # the tile
    assert (
        "National, facility Not payable (NA) -26 professional: $10.03 -TC technical: not payable"
        in text
    )
    assert (
        "Facility hospital, ASC Global Not payable in this setting -26 professional $10.03 "
        "-TC technical Not payable in this setting" in text
    )  # the payment card


def test_the_tiles_follow_the_chosen_locality(client):
    text = text_of(page(client, "71046", locality=HOUSTON))

    # Houston 1.014 / 1.003 / 1.409: global office 0.22 x 1.014 + 0.77 x 1.003 + 0.02 x 1.409
    # = 1.02357 x 32.3465 = 33.1089; -26 facility 0.22 x 1.014 + 0.08 x 1.003 + 0.01 x 1.409 =
    # 0.31741 x 32.3465 = 10.2672; -TC office 0.69 x 1.003 + 0.01 x 1.409 = 0.70616 -> 22.8418
    assert "Houston, office $33.11 -26 professional: $10.27 -TC technical: $22.84" in text
    assert "National $32.67" in text  # the national amount stays beside it
    assert "Houston, facility Not payable (NA) -26 professional: $10.27" in text
    table = rvu_table(page(client, "71046", locality=HOUSTON))
    assert table["Houston payment, office"] == ["$33.11", "$10.27", "$22.84"]


def test_a_remembered_locality_goes_into_the_address(client):
    page(client, "99213", locality=HOUSTON)

    response = client.get("/cpt-codes/71046/")

    assert response.status_code == 302
    assert response["Location"] == f"/cpt-codes/71046/?locality={HOUSTON}"
    html = client.get(response["Location"]).content.decode()
    assert '<link rel="canonical" href="http://localhost:8000/cpt-codes/71046/">' in html
    national = client.get("/cpt-codes/71046/", {"locality": "national"})
    assert national.status_code == 200
    assert client.get("/cpt-codes/71046/").status_code == 200  # national is remembered too


def test_a_shared_address_prices_in_its_locality_for_a_new_visitor(client):
    text = text_of(page(client, "99213", locality=MANHATTAN))

    assert "Manhattan, office $101.06" in text


def test_the_locality_form_swaps_the_whole_page_and_pushes_the_address(client):
    form = re.search(r'<form class="locality-form[^>]*>', page(client, "99213")).group(0)

    assert 'method="get"' in form and 'action="/cpt-codes/99213/#payment"' in form
    assert 'hx-get="/cpt-codes/99213/"' in form
    assert 'hx-select="#code-page"' in form and 'hx-target="#code-page"' in form
    assert 'hx-push-url="true"' in form


def test_the_on_this_page_index_links_every_section(client):
    html = page(client, "27447")
    index = re.search(r'<nav class="on-this-page.*?</nav>', html, re.S).group(0)
    targets = re.findall(r'href="#([a-z-]+)"', index)

    assert targets == [
        "description", "rvus", "payment", "policy", "billing", "coding-edits", "history",
        "compare", "faq", "related",
    ]  # fmt: skip
    for target in targets:
        assert f'id="{target}"' in html, target


def test_indicators_that_do_not_apply_are_folded_away(client):
    j3490 = section(page(client, "J3490"), "policy")
    knee = section(page(client, "27447"), "policy")

    assert "No payment-policy indicator applies to J3490" in text_of(j3490)
    folded = re.search(r'<details class="indicators-na.*?</details>', j3490, re.S).group(0)
    assert "8 indicators that do not apply to J3490" in text_of(folded)
    assert "Bilateral (50)" in folded and "Global period" in folded
    # 27447's bilateral and global rows apply: they stay in the open table.
    open_part = knee.split("<details")[0]
    assert "Bilateral (50)" in open_part and "Global period" in open_part
    assert "Team surgery (66)" in open_part  # 0: not permitted, which applies


def test_the_stat_tiles_are_a_valid_description_list(client):
    html = page(client, "71046")
    tiles = re.search(r'<dl class="code-stats[^"]*"[^>]*>(.*?)</dl>', html, re.S).group(1)
    children = re.findall(
        r"<div class=\"stat\"[^>]*>\s*<dt>.*?</dt>\s*<dd>.*?</dd>\s*</div>", tiles, re.S
    )

    assert len(children) == 4
    # Nothing else sits in the list: every dt and dd is inside one of those div groups.
    assert re.sub(r"\s+", "", "".join(children)) == re.sub(r"\s+", "", tiles)


def test_a_browse_page_lists_work_rvus_to_two_places(client):
    html = client.get("/cpt-codes/browse/evaluation-and-management/").content.decode()

    assert re.search(
        r'href="/cpt-codes/99213/">99213</a></th>.*?<td class="num">1\.30</td>', html, re.S
    )
    assert not re.search(r"\d\.\d{3,}", text_of(html))  # SQLite hands the subquery's raw value
