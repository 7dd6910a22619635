"""Career-stage pages: real figures from the current release and sign-up preset to the stage.

Expected values worked by hand from PPRRVU2025_Oct.csv (conversion factor 32.3465):
  99213: work 1.30; office (1.30 + 1.35 + 0.10) = 2.75 -> $88.95; facility 1.97 -> $63.72.
  99223: work 3.50; office NA; facility (3.50 + 1.39 + 0.28) = 5.17 -> 167.231405 -> $167.23.
  47562 + 44970 in one operation (MULT PROC 2, ranked by facility total): 47562 at 100% = 10.47,
  44970 at 50% of 9.45 = 4.725; total 15.195 (raw 19.92).
  27447-50 (BILAT SURG 1): 19.60 x 150% = 29.40.
  Sample month: 70 x 1.30 + 55 x 1.92 + 12 x 2.80 + 10 x 2.60 + 40 x 0.33 = 269.40 wRVUs;
  70 x 88.95 + 55 x 125.18 + 12 x 175.64 + 10 x 163.35 + 40 x 15.53 = $17,473.78.
"""

import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from resources.career import attending_examples, resident_examples, student_examples

pytestmark = pytest.mark.django_db


def test_students_page_shows_real_figures_and_a_student_sign_up(client, rvu25d):
    response = client.get(reverse("medical_students"))
    text = response.text

    quotes = {q.row.code.code: q for q in response.context["examples"]["quotes"]}
    assert quotes["99213"].non_facility.amount.amount == D("88.95")
    assert quotes["99223"].facility.amount.amount == D("167.23")
    assert not quotes["99223"].non_facility.amount.payable
    assert "$88.95" in text and "$63.72" in text and "$167.23" in text
    assert "not payable in this setting" in text
    assert 'href="/accounts/signup/?stage=student"' in text


def test_students_page_compares_the_cheapest_and_dearest_locality(rvu25d):
    extremes = student_examples()["extremes"]

    low, high = (e.quote.non_facility.amount.exact for e in extremes)
    assert low < D("2.75") * D("32.3465") < high
    assert all(e.quote.row.work_rvu == D("1.30") for e in extremes)


def test_residents_page_credits_two_procedures_with_the_medicare_rule(client, rvu25d):
    response = client.get(reverse("residents"))
    examples = response.context["examples"]

    encounter = examples["encounter"]
    assert [line.medicare.credited for line in encounter.lines] == [D("10.47"), D("4.725")]
    assert encounter.raw == D("19.92") and encounter.credited == D("15.195")
    assert examples["bilateral"].lines[0].medicare.credited == D("29.40")
    assert "ranked 2nd by fee: 50% of 9.45" in response.text
    assert "15.195" in response.text and "29.40" in response.text
    assert 'href="/accounts/signup/?stage=resident"' in response.text


def test_attendings_page_adds_up_a_sample_month(client, rvu25d):
    response = client.get(reverse("attendings"))
    month = response.context["examples"]["month"]

    assert month.wrvu == D("269.40")
    assert month.payment == D("17473.78")
    assert "$17,473.78" in response.text
    assert 'href="/accounts/signup/?stage=attending"' in response.text


def test_attendings_page_compares_the_month_with_the_previous_release(rvu26c):
    examples = attending_examples()

    assert examples["month"].release == rvu26c
    assert examples["previous_month"].release.name == "RVU25D"
    assert examples["previous_month"].wrvu == D("269.40")


def test_the_signup_link_presets_the_stage_on_the_form(client, rvu25d):
    response = client.get("/accounts/signup/?stage=resident")

    assert response.status_code == 200
    radio = r'<input type="radio" name="career_stage" value="(\w+)"[^>]* checked'
    checked = re.findall(radio, response.text)
    assert checked == ["resident"]


@pytest.mark.parametrize("name", ["medical_students", "residents", "attendings"])
def test_career_pages_work_before_any_import(client, db, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert "appears once a CMS fee schedule has been imported" in response.text


def test_resident_examples_need_no_release(db):
    assert resident_examples() == {}
