"""Code search with real data: whole ranges of the real RVU25D PPRRVU file (E/M, anesthesia,
hip and knee, arthroscopy, biliary, colonoscopy, cataract, CT head, lower extremity imaging, J
codes), the HCPCS long descriptors of its Level II codes and the bundled editorial synonyms,
imported once for the module through the real importer. Whole ranges give the ranking real
neighbours to beat ("lap chole" against every other biliary code, "knee" against every
anesthesia code for the knee, "9921" against the rest of E/M).

Tests taking the `engine` fixture run twice: with the PostgreSQL search, and with the simple
search the embedded default (SQLite) uses. Under the services lane the simple search runs on
PostgreSQL (USING_POSTGRES set to False: it uses only the ORM); under the embedded lane
(`-m "not postgres"`, SQLite) the PostgreSQL runs are deselected and the simple ones run on
SQLite itself.
"""

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from codes import search
from codes.models import Code, CodeContent, OppsCap, RelativeValue, Release, SourceFile
from codes.services import release_import
from tests.cms_files import copy_real, hcpcs_slice, header_index, pprrvu_slice, real_rows

pytestmark = pytest.mark.django_db

RANGES = [
    ("99202", "99499"),  # E/M
    ("00100", "01999"),  # anesthesia
    ("20600", "20611"),  # joint injection and aspiration
    ("27000", "27599"),  # pelvis, hip, femur, knee
    ("29800", "29999"),  # arthroscopy
    ("47000", "47999"),  # liver and biliary tract
    ("44380", "44408"),  # endoscopy through a stoma
    ("45300", "45399"),  # endoscopy of the colon
    ("66820", "66990"),  # cataract
    ("70450", "70498"),  # CT of head and neck (with 26/TC rows)
    ("73700", "73725"),  # CT and MRI of the lower extremity
    ("J0000", "J3999"),  # drugs
]
# Category II and Level II codes whose words compete: a measure for cataract surgery, knee
# replacement outcome measures, screening colonoscopy, a cataract satisfaction measure.
EXTRA = {"90686", "G0008", "3325F", "M1045", "M1046", "M1141", "G0121", "G0916"}
HCPCS_ONLY = "J0135"  # adalimumab: in the HCPCS file, not in the fee schedule


def release_codes() -> set[str]:
    """Every code of the chosen ranges in the real RVU25D PPRRVU file."""
    rows = real_rows("RVU25D", "PPRRVU2025_Oct.csv")
    codes = {r[0].strip() for r in rows[header_index(rows) + 1 :] if r and r[0].strip()}
    return {c for c in codes if any(lo <= c <= hi for lo, hi in RANGES)} | EXTRA


def wipe():
    CodeContent.objects.all().delete()
    RelativeValue.objects.all().delete()
    OppsCap.objects.all().delete()
    SourceFile.objects.all().delete()
    Release.objects.all().delete()
    Code.objects.all().delete()


def import_search_data(root):
    """RVU25D (current) with the ranges and the real GPCI file, the HCPCS rows of its J codes
    (and of one HCPCS-only code), and the editorial content."""
    codes = release_codes()
    folder = root / "RVU25D"
    folder.mkdir()
    pprrvu_slice(folder / "PPRRVU2025_Oct.csv", codes=codes)
    copy_real(folder, "RVU25D", "GPCI2025.csv")
    hcpcs = {c for c in codes if c[0].isalpha()} | {HCPCS_ONLY}
    wipe()
    release_import(source=folder, make_current=True)
    release_import(source=hcpcs_slice(root / "HCPC2025_OCT_ANWEB.xlsx", codes=hcpcs))
    call_command("load_editorial_content", verbosity=0)


@pytest.fixture(scope="module", autouse=True)
def imported(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        import_search_data(tmp_path_factory.mktemp("search"))
    yield
    with django_db_blocker.unblock():
        wipe()


def codes(query, limit=20):
    return [hit.code for hit in search.search(query, limit=limit).hits]


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres), "simple"])
def engine(request, settings):
    """The PostgreSQL search, or the simple one of the embedded default (see the docstring)."""
    if request.param == "simple":
        settings.USING_POSTGRES = False
    return request.param


# --- Reading the query ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code", "prefix", "words"),
    [
        ("99213", "99213", None, ("99213",)),
        (" j3490 ", "J3490", None, ("j3490",)),
        ("0001F", "0001F", None, ("0001f",)),
        ("99213-26", "99213", None, ("99213", "26")),
        ("70450 TC", "70450", None, ("70450", "tc")),
        ("9921", None, "9921", ("9921",)),
        ("J34", None, "J34", ("j34",)),
        ("knee replacement", None, None, ("knee", "replacement")),
        ("totknee", None, None, ("totknee",)),  # seven letters are not a code with a modifier
        ("TKA", None, None, ("tka",)),
        ("", None, None, ()),
    ],
)
def test_it_reads_codes_prefixes_and_words(typed, code, prefix, words):
    query = search.parse_query(typed)
    assert (query.code, query.prefix, query.words) == (code, prefix, words)


def test_it_looks_for_misspellings_only_in_words_of_four_letters_or_more():
    assert search.parse_query("cholecystectmy").fuzzy
    assert not search.parse_query("lap ct").fuzzy
    assert not search.parse_query("9921").fuzzy


# --- Relevance ------------------------------------------------------------------------------------


def test_an_exact_code_comes_first():
    for code in ("99213", "47562", "27447", "J3490", "70450"):
        assert codes(code)[0] == code


def test_a_code_with_a_modifier_finds_the_code():
    assert codes("70450-26")[0] == "70450"


def test_a_code_prefix_lists_its_family_first():
    found = codes("9921")
    assert set(found[:5]) == {"99211", "99212", "99213", "99214", "99215"}
    assert all(code.startswith("9921") for code in found)


@pytest.mark.postgres  # 27486 comes from trigram similarity: "Revise/replace" is one token
def test_knee_replacement_finds_total_knee_arthroplasty_first():
    results = search.search("knee replacement")
    assert results.hits[0].code == "27447"
    assert results.hits[0].synonym == "knee replacement"
    assert "27486" in [h.code for h in results.hits]  # "Revise/replace knee joint", by words


def test_lap_chole_finds_laparoscopic_cholecystectomy_first():
    assert codes("lap chole")[0] == "47562"


def test_a_misspelt_procedure_is_still_found():
    found = codes("cholecystectmy", limit=5)
    assert "47562" in found
    assert {"47600", "47562"} <= set(found)  # open and laparoscopic cholecystectomy
    assert codes("knee replacment")[0] == "27447"


def test_abbreviations_match_the_start_of_words():
    assert "27447" in codes("tot knee", limit=3)


def test_words_of_hcpcs_long_descriptors_are_searched():
    # The short descriptor says "phos"; only the long one says "phosphate".
    assert codes("dexamethasone phosphate")[0] == "J1100"


def test_only_codes_of_the_release_are_found():
    assert Code.objects.filter(code=HCPCS_ONLY).exists()
    assert HCPCS_ONLY not in codes("adalimumab")
    assert codes(HCPCS_ONLY) == []


def test_results_of_another_release_can_be_asked_for(tmp_path):
    rvu26c = pprrvu_slice(
        tmp_path / "PPRRVU2026_Jul_nonQPP.csv",
        source=("RVU26C", "PPRRVU2026_Jul_nonQPP.csv"),
        codes={"99213"},
    )
    newer = release_import(source=rvu26c).release
    assert [h.code for h in search.search("99213", release=newer).hits] == ["99213"]
    assert search.search("47562", release=newer).hits == []


def test_nothing_matches_nonsense_and_an_empty_query():
    assert search.search("qqqzzzxx").total == 0
    assert search.search("   ").hits == []


def test_results_are_paginated_with_a_total():
    first = search.search("knee", limit=10)
    second = search.search("knee", limit=10, offset=10)
    assert first.total > 20
    assert len(first.hits) == len(second.hits) == 10
    assert not {h.code for h in first.hits} & {h.code for h in second.hits}


@pytest.mark.postgres
def test_the_queries_use_the_search_indexes():
    """The expressions in codes.search must match the indexes of migration 0003."""
    queries = {
        "codes_code_search_vector": f"SELECT c.id FROM codes_code c "
        f"WHERE {search.DESCRIPTOR_VECTOR} @@ to_tsquery('english', %s)",
        "codes_code_short_trgm": "SELECT c.id FROM codes_code c WHERE %s <%% c.short_descriptor",
        "codes_codecontent_synonyms_vector": "SELECT cc.id FROM codes_codecontent cc "
        f"WHERE {search.SYNONYMS_VECTOR} @@ to_tsquery('english', %s)",
        "codes_codecontent_synonyms_trgm": "SELECT cc.id FROM codes_codecontent cc "
        "WHERE %s <%% cc.synonyms",
        "codes_code_code_prefix": "SELECT c.id FROM codes_code c WHERE c.code LIKE %s",
    }
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for index, sql in queries.items():
            cursor.execute("EXPLAIN " + sql, ["cholecystectmy"])
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert index in plan, plan


def test_the_simple_search_without_postgresql_finds_codes_prefixes_and_words(settings):
    settings.USING_POSTGRES = False
    assert codes("99213")[0] == "99213"
    assert set(codes("9921")[:5]) == {"99211", "99212", "99213", "99214", "99215"}
    assert "47562" in codes("laparoscopic cholecystectomy")
    assert "27447" in codes("tka")  # a synonym only
    assert codes("qqqzzz") == []
    # The synonym shown is the shortest line holding every word typed.
    synonyms = {hit.code: hit.synonym for hit in search.search("knee replacement").hits}
    assert synonyms["27447"] == "knee replacement"  # not "total knee replacement"
    assert {hit.code: hit.synonym for hit in search.search("tka").hits}["27447"] == "TKA"
    synonyms = {hit.code: hit.synonym for hit in search.search("knee", limit=200).hits}
    assert synonyms["27447"] == "knee replacement"
    assert synonyms["27446"] is None  # "Revision of knee joint": found by its descriptor


# --- Clinical relevance, phrases and misspellings on both databases (issue 14) -----------------

ISSUE_QUERIES = [
    ("knee", "27447"),  # not nine anesthesia codes first
    ("colonoscopy", "45378"),  # not 44388, colonoscopy through a stoma
    ("cataract", "66984"),  # not 3325F, a Category II measure
    ("mri knee", "73721"),  # "Mri jnt of lwr extre w/o dye"
    ("E/M level 4", "99214"),  # through the editorial names
    ("kne replacment", "27447"),
    ("colonscopy", "45378"),
    ("cateract", "66984"),
    # What worked before on PostgreSQL, now on both.
    ("knee replacement", "27447"),
    ("lap chole", "47562"),
    ("cholecystectmy", "47562"),
    ("tka", "27447"),
    ("tot knee", "27447"),
    ("mri of the knee", "73721"),
    ("em level 4", "99214"),
]


@pytest.mark.parametrize(("typed", "expected"), ISSUE_QUERIES)
def test_the_issue_queries_find_their_code_in_the_top_three(engine, typed, expected):
    assert expected in codes(typed, limit=3)


def test_the_usual_procedure_comes_first(engine):
    assert codes("colonoscopy")[0] == "45378"
    assert codes("cataract")[0] == "66984"
    assert codes("knee replacement")[0] == "27447"


def test_anesthesia_codes_come_after_the_procedures_unless_anesthesia_is_asked_for(engine):
    knee = search.search("knee", limit=10).hits
    assert len(knee) == 10
    assert not [hit.code for hit in knee if hit.category == "Anesthesia"]
    assert (
        Code.objects.filter(category="Anesthesia", short_descriptor__icontains="knee").count() > 9
    )
    asked = search.search("anesthesia knee", limit=5).hits
    assert [hit.category for hit in asked] == ["Anesthesia"] * 5
    assert codes("anesthesia knee arthroplasty", limit=1) == ["01402"]


def test_measurement_codes_come_after_the_services_they_measure(engine):
    found = codes("cataract", limit=50)
    services = [c for c in found if c.isdigit()]
    assert found.index("3325F") > max(found.index(c) for c in services)
    knee = codes("knee replacement", limit=50)
    assert knee.index("27447") < min(knee.index(c) for c in ("M1045", "M1046", "M1141"))


def test_a_phrase_finds_codes_through_what_its_words_mean(engine):
    # "mri knee": CPT calls it a joint of the lower extremity, never a knee.
    assert set(codes("mri knee", limit=3)) == {"73721", "73722", "73723"}
    assert "73718" not in codes("mri knee")  # lower extremity other than a joint
    assert codes("knee mri", limit=3) == codes("mri knee", limit=3)
    assert {"99214", "99204"} <= set(codes("E/M level 4", limit=3))


def test_a_corrected_query_says_what_it_searched_for(engine):
    results = search.search("kne replacment")
    assert results.query.corrected and results.query.text == "kne replacement"
    assert not search.search("knee replacement").query.corrected


@pytest.mark.postgres
def test_the_sql_prior_is_the_python_prior():
    """One rule on both databases: codes.search_rank.prior_sql computes what prior() does."""
    from decimal import Decimal

    from codes import search_rank

    kinds = ["cpt1", "cpt2", "cpt3", "hcpcs2"]
    cases = [
        (kind, category, status, work, curated, anesthesia)
        for kind in kinds
        for category in ("Surgery", "Anesthesia")
        for status in ("A", "R", "T", "J", "I", "M")
        for work in (Decimal("0.00"), Decimal("6.85"))
        for curated in (False, True)
        for anesthesia in (False, True)
    ]
    expression = search_rank.prior_sql(
        kind="%(kind)s", category="%(category)s", status="%(status)s",
        work_rvu="%(work)s", curated="%(curated)s",
    )  # fmt: skip
    with connection.cursor() as cursor:
        for kind, category, status, work, curated, anesthesia in cases:
            params = {
                "kind": kind, "category": category, "status": status, "work": work,
                "curated": curated, "anesthesia": anesthesia,
            }  # fmt: skip
            cursor.execute(f"SELECT {expression}::float8", params)
            expected = search_rank.prior(
                kind=kind, category=category, status=status, work_rvu=work,
                curated=curated, anesthesia=anesthesia,
            )  # fmt: skip
            assert cursor.fetchone()[0] == pytest.approx(expected), params


@pytest.mark.postgres
def test_the_simple_search_computes_similarity_as_pg_trgm_does():
    from codes import search_rank

    pairs = [
        ("knee replacement", "Total knee arthroplasty"),
        ("mri knee", "Mri jnt of lwr extre w/o dye"),
        ("colonoscopy", "Colonoscopy thru stoma spx"),
        ("e/m level 4", "established patient E/M level 4"),
    ]
    with connection.cursor() as cursor:
        for a, b in pairs:
            cursor.execute("SELECT similarity(%s, %s)", [a, b])
            ours = search_rank.similarity(search_rank.trigrams(a), search_rank.trigrams(b))
            assert ours == pytest.approx(cursor.fetchone()[0], abs=1e-6), (a, b)


# --- Pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "page"),
    [
        ("27447", "/cpt-codes/27447/"),
        ("j3490", "/cpt-codes/J3490/"),
        (" 99213 ", "/cpt-codes/99213/"),
        ("70450-26", "/cpt-codes/70450/"),
    ],
)
def test_a_whole_code_goes_straight_to_its_page(client, engine, typed, page):
    response = client.get(reverse("code_search:search"), {"q": typed})
    assert response.status_code == 302
    assert response["Location"] == page


def test_the_header_box_submits_to_the_results_page_which_redirects_a_code(client):
    html = client.get(reverse("code_search:search")).content.decode()
    form = re.search(r'<form[^>]*class="[^"]*header-search[^"]*"[^>]*>', html).group(0)
    assert f'action="{reverse("code_search:search")}"' in form and 'method="get"' in form
    assert re.search(r'<input id="header-q"[^>]*name="q"', html)
    assert client.get(reverse("code_search:search"), {"q": "47562"})["Location"] == (
        "/cpt-codes/47562/"
    )


def test_the_api_search_ranks_as_the_page_does(client, engine):
    response = client.get("/api/v1/codes/", {"q": "mri knee"})
    assert response.status_code == 200
    found = [row["code"] for row in response.json()["results"]]
    assert found[:3] == codes("mri knee", limit=3) and "73721" in found[:3]
    assert client.get("/api/v1/codes/", {"q": "27447"}).json()["results"][0]["code"] == "27447"


def test_suggestions_still_list_an_exact_code(client):
    results = client.get(reverse("code_search:suggest"), {"q": "27447"}).json()["results"]
    assert results[0]["code"] == "27447"


def test_a_code_outside_the_release_or_a_prefix_shows_the_results_page(client):
    url = reverse("code_search:search")
    assert client.get(url, {"q": HCPCS_ONLY}).status_code == 200  # not in the release
    assert client.get(url, {"q": "9921"}).status_code == 200
    assert client.get(url, {"q": "27447 knee"}).status_code == 200  # words, not a code


def test_the_suggest_endpoint_answers_the_quick_entry_shape(client):
    response = client.get(reverse("code_search:suggest"), {"q": "lap chole"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0] == {
        "code": "47562",
        "descriptor": "Laparoscopic cholecystectomy",
        "url": "/cpt-codes/47562/",
    }
    assert all(set(r) == {"code", "descriptor", "url"} for r in results)


def test_suggestions_hide_cpt_descriptors_where_ama_text_may_not_be_shown(client, settings):
    settings.SHOW_AMA_DESCRIPTORS = False
    url = reverse("code_search:suggest")
    assert client.get(url, {"q": "47562"}).json()["results"][0]["descriptor"] == ""
    assert client.get(url, {"q": "J3490"}).json()["results"][0]["descriptor"] == (
        "Drugs unclassified injection"
    )


@pytest.mark.postgres
def test_the_search_leaves_the_planner_settings_as_it_found_them():
    with connection.cursor() as cursor:
        search.search("cholecystectmy")
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"


def test_suggestions_are_at_most_ten_and_cached(client, django_assert_num_queries):
    url = reverse("code_search:suggest")
    assert len(client.get(url, {"q": "knee"}).json()["results"]) == 10
    with django_assert_num_queries(0):
        assert len(client.get(url, {"q": "knee"}).json()["results"]) == 10
    assert client.get(url, {"q": ""}).json() == {"results": []}


def test_the_search_page_lists_results_with_synonyms_and_pages(client):
    url = reverse("code_search:search")
    html = client.get(url, {"q": "knee replacement"}).content.decode()
    assert re.search(r'href="/cpt-codes/27447/">27447</a>', html)
    assert "Also known as: <mark>knee replacement</mark>" in html
    first = client.get(url, {"q": "knee"}).content.decode()
    second = client.get(url, {"q": "knee", "page": 2}).content.decode()
    assert "page 1 of" in first and "page 2 of" in second
    assert re.findall(r'href="/cpt-codes/(\w+)/">', first) != re.findall(
        r'href="/cpt-codes/(\w+)/">', second
    )


def test_the_search_page_explains_an_empty_result(client):
    html = client.get(reverse("code_search:search"), {"q": "qqqzzzxx"}).content.decode()
    assert "No codes match “qqqzzzxx”" in html
    assert "Tips:" in html
    assert "Tips:" in client.get(reverse("code_search:search")).content.decode()


def test_search_and_suggest_answer_before_code_pages():
    assert reverse("code_search:search") == "/cpt-codes/search/"
    assert reverse("code_search:suggest") == "/cpt-codes/suggest/"
