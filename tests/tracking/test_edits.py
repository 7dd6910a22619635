"""Editing an entry: code, modifiers, units, date, setting and location, re-credited with the
release that priced it and its encounter re-ranked, on the edit page and by the API, with a
change history that reads as what the person changed. Real RVU26C rows throughout:

  27130 total hip arthroplasty   work 19.11, facility total 34.79
  27446 knee (unicompartmental)  work 16.70, facility total 31.36
  27487 knee revision            work 26.43, facility total 47.14
  20610 joint injection          work 0.77,  facility total 1.19
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from codes.services import release_import
from codes.wrvu import LineSpec
from tests import cms_files
from tracking import selectors, services
from tracking.models import Encounter, Location, LogChange, ProcedureLog

D = Decimal
pytestmark = pytest.mark.django_db
EDIT_CODES = cms_files.SLICE_CODES | {"27446", "27487"}
TODAY = timezone.localdate


@pytest.fixture
def rvu26c(db, tmp_path):
    """RVU26C, current, with the real rows of the codes above."""
    path = tmp_path / cms_files.PPRRVU_FILES["RVU26C"][1]
    source = cms_files.write_release_slice(path, "RVU26C", EDIT_CODES)
    return release_import(source=source, make_current=True).release


def encounter(user, release, *specs, setting="facility", date=None, location=None):
    return services.encounter_create(
        user=user,
        details=services.EntryDetails(
            date=date or TODAY() - dt.timedelta(days=1), setting=setting, location=location
        ),
        lines=list(specs),
        release=release,
    )


@pytest.fixture
def hip_and_knee(attending, rvu26c):
    """One encounter: 27130 ranked first (100%), 27446 second (50%)."""
    hip, knee = encounter(attending, rvu26c, LineSpec("27130"), LineSpec("27446"))
    assert (hip.medicare, knee.medicare) == (D("19.1100"), D("8.3500"))
    return hip, knee


def history(log) -> list[str]:
    """The entry's changes as its page lists them, newest first: "action: sentence"."""
    rows = selectors.change_rows(log.user, LogChange.objects.filter(log_pk=log.pk))
    return [f"{row.change.get_action_display()}: {row.text}" for row in rows]


# The service ----------------------------------------------------------------------------------


def test_a_new_code_is_credited_with_its_release_and_the_encounter_re_ranked(hip_and_knee):
    hip, knee = hip_and_knee

    services.procedure_log_update(log=knee, changes={"code": "27487"})

    hip.refresh_from_db()
    knee.refresh_from_db()
    # 27487 (47.14) now outranks 27130 (34.79): it is credited in full, the hip at 50%.
    assert (knee.code.code, knee.work_rvu, knee.medicare) == ("27487", D("26.4300"), D("26.4300"))
    assert hip.medicare == D("9.5550")
    assert "ranked 2nd" in " ".join(hip.explanation["medicare"])
    assert history(knee)[0] == (
        "Edited: Code 27446 → 27487; raw wRVU 16.70 → 26.43; Medicare-style wRVU 8.35 → 26.43"
    )
    assert history(hip)[0] == "Re-ranked with its encounter: Medicare-style wRVU 19.11 → 9.56"


def test_units_and_modifiers_are_re_credited(attending, rvu26c):
    knee, injection = encounter(attending, rvu26c, LineSpec("27446"), LineSpec("20610"))
    assert injection.medicare == D("0.3850")

    services.procedure_log_update(log=injection, changes={"units": 2, "modifiers": ["rt"]})

    injection.refresh_from_db()
    assert (injection.units, injection.modifiers, injection.raw) == (2, "RT", D("1.5400"))
    # Two units of a BILAT SURG 1 code are both sides (150%), then 50% as the second procedure.
    assert injection.medicare == D("0.5775")
    assert history(injection)[0] == (
        "Edited: Modifier RT added; units 1 → 2; raw wRVU 0.77 → 1.54; "
        "Medicare-style wRVU 0.39 → 0.58"
    )
    # The knee's credit did not move: nothing is recorded for it.
    assert LogChange.objects.filter(log_pk=knee.pk, action="rerank").count() == 0


def test_a_new_date_or_setting_moves_the_whole_encounter(attending, hip_and_knee):
    hip, knee = hip_and_knee
    clinic = Location.objects.create(user=attending, name="Clinic")
    day = TODAY() - dt.timedelta(days=3)

    services.procedure_log_update(
        log=knee, changes={"date": day, "setting": "non_facility", "location": clinic}
    )

    hip.refresh_from_db()
    assert Encounter.objects.get(pk=knee.encounter_id).date == day
    assert (hip.date, hip.setting, hip.location) == (day, "non_facility", None)
    assert history(knee)[0] == (
        f"Edited: Date of service {TODAY() - dt.timedelta(days=1)} → {day}; "
        "setting facility → non-facility (office); location set to Clinic"
    )
    assert history(hip)[0] == (
        f"Re-ranked with its encounter: Date of service {TODAY() - dt.timedelta(days=1)} → {day}; "
        "setting facility → non-facility (office)"
    )


def test_a_code_not_in_the_entrys_release_is_refused_naming_both(attending, release, rvu26c):
    # Priced with RVU25D (which lacks 27446) though RVU26C (which has it) is now current.
    (log,) = encounter(attending, release, LineSpec("27447"))

    with pytest.raises(ValidationError) as error:
        services.procedure_log_update(log=log, changes={"code": "27446"})

    assert error.value.message_dict == {
        "code": ["27446 is not a code in RVU25D, the release that priced this entry."]
    }
    log.refresh_from_db()
    assert (log.code.code, log.release) == ("27447", release)
    assert not LogChange.objects.filter(action="update").exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"modifiers": "ZZ"}, "modifiers", "ZZ is not a modifier."),
        ({"modifiers": "50-50"}, "modifiers", "A modifier is given twice."),
        ({"units": 0}, "units", "greater than or equal to 1"),
        # Tomorrow when the test runs (a call), not when it was collected: a run may cross midnight.
        (lambda: {"date": TODAY() + dt.timedelta(days=1)}, "date", "cannot be in the future"),
        ({"setting": "moon"}, "setting", "Choose facility or non-facility."),
        ({"code": ""}, "code", "Type a code."),
    ],
)
def test_a_bad_value_is_refused_by_field_and_nothing_changes(hip_and_knee, changes, field, message):
    _, knee = hip_and_knee

    with pytest.raises(ValidationError) as error:
        services.procedure_log_update(log=knee, changes=changes() if callable(changes) else changes)

    assert message in " ".join(error.value.message_dict[field])
    knee.refresh_from_db()
    assert (knee.code.code, knee.units, knee.modifiers, knee.medicare) == (
        "27446", 1, "", D("8.3500")
    )  # fmt: skip


def test_saving_the_same_values_records_nothing(hip_and_knee):
    _, knee = hip_and_knee

    services.procedure_log_update(log=knee, changes={"code": "27446", "units": 1, "note": "  "})

    assert not LogChange.objects.filter(action__in=["update", "rerank"]).exists()


def test_deleting_a_line_re_ranks_the_rest_and_says_so(attending, hip_and_knee):
    hip, knee = hip_and_knee

    services.procedure_logs_delete(user=attending, logs=[hip])

    knee.refresh_from_db()
    assert knee.medicare == D("16.7000")
    assert history(knee)[0] == "Re-ranked with its encounter: Medicare-style wRVU 8.35 → 16.70"
    assert history(hip) == [
        f"Deleted: 27130 on {TODAY() - dt.timedelta(days=1)}, facility: "
        "Medicare-style wRVU 19.11 with RVU26C",
        f"Created: 27130 on {TODAY() - dt.timedelta(days=1)}, facility: "
        "Medicare-style wRVU 19.11 with RVU26C",
    ]


# The edit page --------------------------------------------------------------------------------


def form_data(log, **changes) -> dict:
    data = {
        "code": log.code.code,
        "modifiers": log.modifiers,
        "units": log.units,
        "date": log.date.isoformat(),
        "setting": log.setting,
        "location": log.location_id or "",
        "role": log.role,
        "supervising_attending": log.supervising_attending,
        "note": log.note,
    }
    return data | changes


def test_the_edit_page_changes_the_code_and_the_entry_page_says_what_changed(
    client, attending, hip_and_knee
):
    hip, knee = hip_and_knee
    client.force_login(attending)
    url = reverse("tracking:entry_edit", args=[knee.pk])
    page = client.get(url).content.decode()
    assert 'name="code" value="27446"' in page

    response = client.post(url, form_data(knee, code=" 27487", modifiers="lt"))

    assert response.status_code == 302
    knee.refresh_from_db()
    assert (knee.code.code, knee.modifiers, knee.medicare) == ("27487", "LT", D("26.4300"))
    detail = client.get(reverse("tracking:entry", args=[knee.pk])).content.decode()
    assert "Code 27446 → 27487; modifier LT added; raw wRVU 16.70 → 26.43;" in detail
    assert "code_id" not in detail and "27.4300" not in detail
    hip_page = client.get(reverse("tracking:entry", args=[hip.pk])).content.decode()
    assert "Re-ranked with its encounter" in hip_page
    assert "Medicare-style wRVU 19.11 → 9.56" in hip_page


def test_the_edit_page_shows_a_refused_code_on_its_field(client, attending, release, rvu26c):
    (log,) = encounter(attending, release, LineSpec("27447"))
    client.force_login(attending)

    response = client.post(
        reverse("tracking:entry_edit", args=[log.pk]), form_data(log, code="27446", units="2")
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "27446 is not a code in RVU25D, the release that priced this entry." in html
    assert 'id="id_code_error"' in html
    assert 'value="2"' in html  # what was typed is kept
    log.refresh_from_db()
    assert (log.code.code, log.units) == ("27447", 1)


def test_an_unchanged_form_saves_nothing(client, attending, hip_and_knee):
    _, knee = hip_and_knee
    client.force_login(attending)

    response = client.post(reverse("tracking:entry_edit", args=[knee.pk]), form_data(knee))

    assert response.status_code == 302
    assert not LogChange.objects.filter(action="update").exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_users_entry_cannot_be_edited(client, other_user, hip_and_knee, method):
    _, knee = hip_and_knee
    client.force_login(other_user)

    response = getattr(client, method)(
        reverse("tracking:entry_edit", args=[knee.pk]), form_data(knee, code="27487")
    )

    assert response.status_code == 404
    knee.refresh_from_db()
    assert knee.code.code == "27446"


def test_the_changes_page_lists_every_change_deleted_entries_included(
    client, attending, other_user, hip_and_knee
):
    hip, knee = hip_and_knee
    services.procedure_log_update(log=knee, changes={"code": "27487"})
    services.procedure_logs_delete(user=attending, logs=[hip])
    client.force_login(attending)

    html = client.get(reverse("tracking:changes")).content.decode()

    assert "Code 27446 → 27487" in html
    assert "Deleted" in html and "27130 on" in html
    client.force_login(other_user)
    theirs = client.get(reverse("tracking:changes")).content.decode()
    assert "27446" not in theirs and "No changes yet." in theirs


# The API --------------------------------------------------------------------------------------


@pytest.fixture
def api():
    return APIClient()


def test_patch_changes_the_code_and_re_ranks_the_encounter(api, attending, hip_and_knee):
    hip, knee = hip_and_knee
    api.force_authenticate(attending)

    response = api.patch(
        reverse("api-logs-detail", args=[knee.pk]),
        {"code": "27487", "modifiers": ["LT"], "units": 1},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["code"], body["modifiers"], body["medicare"]) == ("27487", ["LT"], "26.4300")
    assert body["release"] == "RVU26C"
    hip.refresh_from_db()
    assert hip.medicare == D("9.5550")
    changes = api.get(reverse("api-logs-changes", args=[knee.pk])).json()
    assert changes[0]["action"] == "update"
    assert changes[0]["by"] == "you"
    assert changes[0]["changes"] == [
        "code 27446 → 27487",
        "modifier LT added",
        "raw wRVU 16.70 → 26.43",
        "Medicare-style wRVU 8.35 → 26.43",
    ]
    assert changes[0]["text"].startswith("Code 27446 → 27487; modifier LT added")
    assert [change["action"] for change in changes] == ["update", "create"]


def test_patch_refuses_a_code_not_in_the_entrys_release(api, attending, release, rvu26c):
    (log,) = encounter(attending, release, LineSpec("27447"))
    api.force_authenticate(attending)

    response = api.patch(
        reverse("api-logs-detail", args=[log.pk]), {"code": "27446"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": ["27446 is not a code in RVU25D, the release that priced this entry."]
    }
    log.refresh_from_db()
    assert log.code.code == "27447"


def test_patch_of_the_date_moves_the_encounter(api, attending, hip_and_knee):
    hip, knee = hip_and_knee
    day = TODAY() - dt.timedelta(days=6)
    api.force_authenticate(attending)

    response = api.patch(
        reverse("api-logs-detail", args=[knee.pk]),
        {"date": day.isoformat(), "setting": "non_facility"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert ProcedureLog.objects.get(pk=hip.pk).date == day


@pytest.mark.parametrize(
    ("method", "name"),
    [("patch", "api-logs-detail"), ("put", "api-logs-detail"), ("get", "api-logs-changes")],
)
def test_another_users_entry_is_404_by_api(api, other_user, hip_and_knee, method, name):
    _, knee = hip_and_knee
    api.force_authenticate(other_user)

    response = getattr(api, method)(
        reverse(name, args=[knee.pk]), {"code": "27487", "setting": "facility"}, format="json"
    )

    assert response.status_code == 404
    knee.refresh_from_db()
    assert knee.code.code == "27446"
    assert not LogChange.objects.filter(action="update").exists()
