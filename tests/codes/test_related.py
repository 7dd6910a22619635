"""Related codes (codes.related) on the real RVU26C rows: clinical relatives, not numeric
neighbours. The candidates are built from the bundled PPRRVU file as codes.selectors builds
them from the database: the code's family (first three characters) and its catch-all codes."""

import json
from pathlib import Path

import pytest

from codes import related
from tests.cms_files import pprrvu_records

EDITORIAL = Path(__file__).resolve().parents[2] / "codes" / "content" / "editorial.json"


def candidate(code: str) -> related.Candidate:
    row = pprrvu_records("RVU26C")[(code, "")]
    return related.Candidate(code, row["DESCRIPTION"], row["GLOB DAYS"])


def family(code: str, *extra: str) -> list[related.Candidate]:
    codes = {c for c, modifier in pprrvu_records("RVU26C") if not modifier}
    return [candidate(c) for c in sorted(codes) if c.startswith(code[:3]) or c in extra]


def related_to(code: str, *extra: str, curated=()) -> list[related.Relative]:
    return related.related_codes(candidate(code), family(code, *extra), curated=curated)


def codes_of(relatives) -> list[str]:
    return [r.candidate.code for r in relatives]


def test_a_total_knee_finds_its_revisions_and_never_the_thigh_incision():
    found = codes_of(related_to("27447"))

    assert found[:2] == ["27486", "27487"]  # "Revise/replace knee joint"
    assert "27446" in found  # "Revision of knee joint" (the unicompartmental arthroplasty)
    assert "27448" not in found and "27450" not in found  # "Incision of thigh"
    assert len(found) <= related.LIMIT


def test_an_x_ray_lists_its_other_view_counts():
    assert codes_of(related_to("71046")) == ["71045", "71047", "71048"]


def test_an_office_visit_lists_office_visits_first():
    found = codes_of(related_to("99213"))

    assert set(found[:7]) == {"99202", "99203", "99204", "99205", "99212", "99214", "99215"}
    assert "99291" not in found  # critical care shares only "min"


@pytest.mark.parametrize(
    ("code", "other", "relation"),
    [
        ("22551", "22552", related.ADD_ON_CODE),  # cervical fusion: each additional interspace
        ("22552", "22551", related.PRIMARY_CODE),
        ("11042", "11045", related.ADD_ON_CODE),  # debridement: each additional 20 sq cm
        ("99291", "99292", related.ADD_ON_CODE),  # critical care: each additional 30 minutes
    ],
)
def test_add_ons_and_primaries_find_each_other_first(code, other, relation):
    first = related_to(code)[0]

    assert (first.candidate.code, first.relation) == (other, relation)


def test_a_catch_all_drug_code_lists_the_other_catch_alls_of_its_category():
    # Their short descriptors say so ("Compounded drug, noc"); J9999 says it in its long one.
    siblings = ("J3590", "J7999", "J7199", "J7599")
    found = related_to("J3490", *siblings)

    assert set(codes_of(found)) >= set(siblings)
    assert {r.relation for r in found if r.candidate.code in siblings} == {related.CATCH_ALL_CODE}
    assert "J3480" not in codes_of(found)  # potassium chloride is a named drug


def test_a_procedure_lists_its_familys_unlisted_code_last():
    found = related_to("47562")  # laparoscopic cholecystectomy

    assert codes_of(found)[:2] == ["47563", "47564"]
    assert found[-1].candidate.code == "47579"  # "Unlisted laps px biliary trc"
    assert found[-1].relation == related.CATCH_ALL_CODE


def test_curated_codes_come_first_in_the_editors_order_and_keep_their_relation():
    found = related_to("27447", "27130", "27599", curated=["27130", "27446", "27599"])

    assert codes_of(found)[:3] == ["27130", "27446", "27599"]
    assert all(r.curated for r in found[:3]) and not any(r.curated for r in found[3:])
    assert found[2].relation == related.CATCH_ALL_CODE


def test_a_curated_code_missing_from_the_release_is_left_out():
    found = related_to("27447", curated=["27445", "27446"])  # 27445 was deleted

    assert codes_of(found)[0] == "27446" and "27445" not in codes_of(found)


def test_words_expand_cms_abbreviations_and_drop_filler():
    assert related.words("Office o/p est low 20 min") == {"office", "outpatient", "est", "low"}
    assert {"joint", "replace", "prosthesis"} <= related.words("Total knee arthroplasty")
    assert related.words("Drugs unclassified injection") == frozenset()


def test_every_curated_code_is_a_code_of_the_fee_schedule():
    entries = json.loads(EDITORIAL.read_text(encoding="utf-8"))
    rows = pprrvu_records("RVU26C")

    for entry in entries:
        listed = entry["related"]
        assert listed, entry["code"]
        assert entry["code"] not in listed and len(set(listed)) == len(listed), entry["code"]
        missing = [code for code in listed if (code, "") not in rows]
        assert not missing, f"{entry['code']}: {missing} not in RVU26C"
