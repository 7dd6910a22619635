"""Coding edits in the tracker: the global surgical package and the NCCI edits leave the lines
they bundle out of Medicare-style credit (raw keeps them; the employer policy has a switch per
rule), with the rule named, in quick entry's preview, the stored entry, history and the API; a
visit logged before the procedure whose package takes it in is checked again.

Real RVU26C rows (tests.cms_files slice): 99213 1.30, 99214 1.92, 20610 0.77 (global 000),
27447 19.11 (global 090), 64483 1.85 and its add-on 64484 0.98 (global ZZZ); the real NCCI
files bundled in data/ncci (AOC 2026Q2: 64484's only primary is 64483).
"""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from codes.services import release_import
from codes.wrvu import LineSpec
from ncci import services as ncci_services
from tests import cms_files
from tracking import services
from tracking.models import CreditPolicy, ProcedureLog

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def rvu26c(release, tmp_path):
    path = tmp_path / cms_files.PPRRVU_FILES["RVU26C"][1]
    source = cms_files.write_release_slice(path, "RVU26C")
    return release_import(source=source, make_current=True).release


@pytest.fixture
def ncci_edits():
    return ncci_services.edits_import(source=settings.NCCI_DATA_DIR)


def log(user, codes: str, day=TODAY):
    specs = []
    for word in codes.split():
        code, *mods = word.split("-")
        specs.append(LineSpec(code, tuple(mods)))
    return services.encounter_create(
        user=user, details=services.EntryDetails(date=day, setting="facility"), lines=specs
    )


def figures(logs):
    return [(entry.code.code, entry.raw, entry.medicare) for entry in logs]


def rules(entry):
    return [warning["rule"] for warning in entry.warnings]


def test_a_visit_on_the_day_of_a_000_procedure_is_in_its_package(attending, rvu26c):
    visit, injection = log(attending, "99213 20610")

    # 99213 without 25 on the day of 20610 (000): left out; raw keeps 1.30.
    assert figures([visit, injection]) == [
        ("99213", D("1.30"), D(0)),
        ("20610", D("0.77"), D("0.77")),
    ]
    assert rules(visit) == ["global-package"]
    assert (
        "same day as 20610" in visit.warnings[0]["message"]
        and "modifier 25" in visit.warnings[0]["message"]
    )
    assert "left out of credit by the global-package rule" in visit.explanation["medicare"]


def test_modifier_25_keeps_the_visit(attending, rvu26c):
    visit, injection = log(attending, "99213-25 20610")
    assert (visit.medicare, injection.medicare) == (D("1.30"), D("0.77"))
    assert visit.warnings == []


def test_two_visits_in_one_encounter_keep_the_higher(attending, rvu26c):
    low, high = log(attending, "99213 99214")
    assert (low.medicare, high.medicare) == (D(0), D("1.92"))
    assert rules(low) == ["duplicate-em"]


def test_a_clinic_day_of_patients_is_not_one_visit(attending, rvu26c):
    first = log(attending, "99213")
    second = log(attending, "20610")
    assert (first[0].medicare, second[0].medicare) == (D("1.30"), D("0.77"))


def test_an_add_on_without_its_listed_primary_gets_nothing(attending, rvu26c, ncci_edits):
    (alone,) = log(attending, "64484")
    other = log(attending, "27447 64484")[1]
    primary, addon = log(attending, "64483 64484")

    assert alone.medicare == D(0) and rules(alone)[0] in (
        "addon-without-primary",
        "add_on.without_primary",
    )
    # With a procedure that is not its primary: the AOC edit (type 1) still leaves it out.
    assert other.medicare == D(0) and "addon-without-primary" in rules(other)
    assert "64483" in next(
        w["message"] for w in other.warnings if w["rule"] == "addon-without-primary"
    )
    assert (primary.medicare, addon.medicare) == (D("1.85"), D("0.98"))


def test_a_visit_in_the_post_operative_days_of_a_logged_surgery_is_flagged_unless_24(
    attending, rvu26c
):
    surgery_day = TODAY - dt.timedelta(days=20)
    log(attending, "27447", surgery_day)

    (visit,) = log(attending, "99213", TODAY - dt.timedelta(days=15))
    (unrelated,) = log(attending, "99214-24", TODAY - dt.timedelta(days=14))

    # Another encounter (the tracker records no patient): flagged, credited.
    assert visit.medicare == D("1.30") and rules(visit) == ["global-package"]
    assert visit.warnings[0]["message"].startswith(
        f"If this visit is for the patient of 27447 on {surgery_day:%Y-%m-%d}:"
    )
    assert "within its 90-day post-operative period" in visit.warnings[0]["message"]
    assert unrelated.medicare == D("1.92") and unrelated.warnings == []


def test_a_visit_logged_before_its_surgery_is_checked_again(attending, rvu26c):
    (visit,) = log(attending, "99213", TODAY - dt.timedelta(days=10))
    assert visit.medicare == D("1.30")

    surgery = log(attending, "27447", TODAY - dt.timedelta(days=12))

    visit.refresh_from_db()
    assert visit.medicare == D("1.30") and rules(visit) == ["global-package"]

    services.procedure_logs_delete(user=attending, logs=surgery)

    visit.refresh_from_db()
    assert visit.medicare == D("1.30") and visit.warnings == []


def test_the_policy_switch_keeps_the_line_in_the_policy_figure(attending, rvu26c):
    CreditPolicy.objects.create(user=attending, global_package=False)

    visit, _ = log(attending, "99213 20610")

    assert (visit.medicare, visit.policy) == (D(0), D("1.30"))
    assert rules(visit) == ["global-package"]


def test_the_preview_shows_the_rule_and_25_removes_it(client, attending, rvu26c):
    client.force_login(attending)
    data = {"date": TODAY, "setting": "facility"}

    bundled = client.post(reverse("tracking:preview"), data | {"text": "99213 20610"}).text
    separate = client.post(reverse("tracking:preview"), data | {"text": "99213-25 20610"}).text

    assert "part of its package" in bundled
    assert "part of its package" not in separate


def test_quick_entry_saves_with_the_rule_and_a_refused_save_shows_it(client, attending, rvu26c):
    # The save prices without the view's preview of the edits: the service applies them.
    client.force_login(attending)
    data = {"date": TODAY, "setting": "facility", "text": "99213 20610"}

    saved = client.post(reverse("tracking:tracker"), data)

    assert saved.status_code == 302
    visit = ProcedureLog.objects.for_user(attending).get(code__code="99213")
    assert visit.medicare == D(0) and rules(visit) == ["global-package"]

    # The same again is refused (already logged): the form shown again has the rule.
    refused = client.post(reverse("tracking:tracker"), data)

    assert refused.status_code == 400
    assert "Already logged today" in refused.text
    assert "part of its package" in refused.text
    assert ProcedureLog.objects.for_user(attending).count() == 2


def test_the_api_lists_each_warning_with_its_rule(attending, rvu26c):
    api = APIClient()
    api.force_authenticate(attending)

    response = api.post(
        reverse("api-logs-list"),
        [{"code": "99213", "setting": "facility"}, {"code": "20610", "setting": "facility"}],
        format="json",
    )

    assert response.status_code == 201, response.json()
    visit = response.json()[0]
    assert visit["medicare"] == "0.0000"
    assert visit["warnings"][0]["rule"] == "global-package"
    assert set(visit["warnings"][0]) == {"rule", "message"}
    assert ProcedureLog.objects.filter(user=attending).count() == 2


def test_history_shows_each_entrys_warnings(client, attending, rvu26c):
    log(attending, "99213 20610")
    client.force_login(attending)

    html = client.get(reverse("tracking:history")).content.decode()

    assert 'data-rule="global-package"' in html and "part of its package" in html
