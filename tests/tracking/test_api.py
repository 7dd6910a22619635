import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from codes.wrvu import LineSpec
from tracking import services
from tracking.models import Favorite, LogTemplate, ProcedureLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def entry(attending, release):
    (log,) = services.encounter_create(
        user=attending,
        details=services.EntryDetails(date=timezone.localdate(), setting="facility"),
        lines=[LineSpec("99213")],
        release=release,
    )
    return log


def test_a_list_of_lines_is_one_encounter(api, attending, release):
    api.force_authenticate(attending)
    today = timezone.localdate().isoformat()

    response = api.post(
        reverse("api-logs-list"),
        [
            {"date": today, "code": "19303", "setting": "facility"},
            {"date": today, "code": "47562", "modifiers": ["62"], "setting": "facility"},
        ],
        format="json",
    )

    assert response.status_code == 201, response.json()
    first, second = response.json()
    assert first["encounter"] == second["encounter"]
    assert second["modifiers"] == ["62"]
    assert (second["release"], second["raw"], second["medicare"]) == ("RVU25D", "10.4700", "3.2719")
    assert "ranked 2nd by fee: 50% of 6.54" in second["explanation"]["medicare"]


def test_one_line_is_created_and_read_back(api, attending, release):
    api.force_authenticate(attending)

    response = api.post(
        reverse("api-logs-list"),
        {"code": "27447", "modifiers": ["50"], "setting": "facility", "note": "right then left"},
        format="json",
    )

    assert response.status_code == 201
    body = api.get(reverse("api-logs-detail", args=[response.json()["id"]])).json()
    assert {k: body[k] for k in ("code", "modifiers", "units", "medicare", "note")} == {
        "code": "27447",
        "modifiers": ["50"],
        "units": 1,
        "medicare": "29.4000",
        "note": "right then left",
    }


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"code": "99999"}, "99999 is not a code in RVU25D."),
        ({"code": "27447", "modifiers": ["ZZ"]}, "Not a modifier: ZZ."),
        ({"code": "20610", "units": 0}, "greater than or equal to 1"),
        ({"code": "20610", "units": 100}, "less than or equal to 99"),
        (
            {"code": "99213", "date": (timezone.localdate() + dt.timedelta(days=2)).isoformat()},
            "cannot be in the future",
        ),
    ],
)
def test_bad_lines_get_a_message_per_line_and_save_nothing(api, attending, release, line, message):
    api.force_authenticate(attending)

    response = api.post(
        reverse("api-logs-list"),
        [{"code": "99213", "setting": "facility"}, {"setting": "facility"} | line],
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == ["1"]  # the second line, by position
    assert message in str(errors["1"])
    assert not ProcedureLog.objects.exists()


def test_update_re_credits(api, attending, entry):
    api.force_authenticate(attending)

    response = api.patch(reverse("api-logs-detail", args=[entry.pk]), {"units": 2}, format="json")

    assert response.status_code == 200
    assert response.json()["raw"] == "2.6000"


def test_filters(api, attending, entry):
    api.force_authenticate(attending)

    found = api.get(reverse("api-logs-list"), {"code": "99213"}).json()["results"]
    none = api.get(reverse("api-logs-list"), {"code": "27447"}).json()["results"]
    bad = api.get(reverse("api-logs-list"), {"start": "yesterday"})

    assert [row["id"] for row in found] == [entry.pk]
    assert none == []
    assert bad.status_code == 400


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_users_entry_is_404(api, other_user, entry, method):
    api.force_authenticate(other_user)

    response = getattr(api, method)(reverse("api-logs-detail", args=[entry.pk]), {}, format="json")

    assert response.status_code == 404
    assert ProcedureLog.objects.filter(pk=entry.pk, units=1).exists()


@pytest.mark.parametrize("url", ["api-logs-list", "api-favorites-list", "api-templates-list"])
def test_anonymous_gets_401(api, url):
    response = api.get(reverse(url))

    assert response.status_code == 401


def test_lists_show_only_the_users_things(api, attending, other_user, entry, release):
    Favorite.objects.create(user=attending, code=entry.code)
    services.log_template_create(user=attending, name="Visit", lines=[LineSpec("99213")])
    api.force_authenticate(other_user)

    assert api.get(reverse("api-logs-list")).json()["results"] == []
    assert api.get(reverse("api-favorites-list")).json()["results"] == []
    assert api.get(reverse("api-templates-list")).json()["results"] == []


def test_delete_removes_the_entry(api, attending, entry):
    api.force_authenticate(attending)

    assert api.delete(reverse("api-logs-detail", args=[entry.pk])).status_code == 204
    assert not ProcedureLog.objects.exists()


def test_favorites_and_templates(api, attending, other_user, release):
    api.force_authenticate(attending)

    favorite = api.post(reverse("api-favorites-list"), {"code": "99213"}, format="json")
    template = api.post(
        reverse("api-templates-list"),
        {"name": "Knee", "lines": [{"code": "27447", "modifiers": ["RT"]}, {"code": "20610"}]},
        format="json",
    )

    assert favorite.status_code == 201 and favorite.json()["code"] == "99213"
    assert template.status_code == 201
    assert template.json()["lines"] == [
        {"code": "27447", "modifiers": ["RT"], "units": 1},
        {"code": "20610", "modifiers": [], "units": 1},
    ]
    api.force_authenticate(other_user)
    pk = LogTemplate.objects.get().pk
    assert api.delete(reverse("api-templates-detail", args=[pk])).status_code == 404
    assert (
        api.delete(reverse("api-favorites-detail", args=[favorite.json()["id"]])).status_code == 404
    )


def test_calculate_is_public_and_answers_the_contract(api, release):
    response = api.post(
        reverse("api-wrvu-calculate"),
        {
            "release": "RVU25D",
            "setting": "facility",
            "lines": [{"code": "19303"}, {"code": "47562", "modifiers": ["62"], "units": 1}],
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["release"] == "RVU25D"
    assert body["totals"] == {"raw": "25.4700", "medicare": "18.2719"}
    line = body["lines"][1]
    assert {k: line[k] for k in ("code", "modifiers", "units", "work_rvu", "raw", "medicare")} == {
        "code": "47562",
        "modifiers": ["62"],
        "units": 1,
        "work_rvu": "10.4700",
        "raw": "10.4700",
        "medicare": "3.2719",
    }
    assert "62: co-surgeon at 62.5%" in line["explanation"]
    assert line["warnings"] == [
        {
            "rule": "co_surgery.documentation",
            "message": "Co-surgery is paid for this code only with documentation.",
        }
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"release": "RVU99Z", "lines": [{"code": "99213"}]}, "Unknown release RVU99Z."),
        ({"lines": [{"code": "99213"}, {"code": "00000"}]}, "00000 is not a code in RVU25D."),
        ({"lines": []}, "This list may not be empty."),
        ({"setting": "home", "lines": [{"code": "99213"}]}, "is not a valid choice"),
    ],
)
def test_calculate_explains_bad_input(api, release, body, message):
    response = api.post(reverse("api-wrvu-calculate"), body, format="json")

    assert response.status_code == 400
    assert message in str(response.json())


def test_calculate_is_throttled_for_anonymous_callers(api, release, settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "user": "1000/min"}
    }
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    body = {"lines": [{"code": "99213"}]}

    codes = [
        api.post(reverse("api-wrvu-calculate"), body, format="json").status_code for _ in range(3)
    ]

    assert codes == [200, 200, 429]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # Issue 11's figures, RVU25D facility; the arithmetic is in tests/codes/test_credit.py.
        ([{"code": "31231", "units": 2}], "1.1000"),  # bilateral 2: 1.10 in total
        (
            [{"code": "70450", "modifiers": ["26"]}, {"code": "72148", "modifiers": ["26"]}],
            "2.2875",
        ),
        ([{"code": "27447", "modifiers": ["54", "55"]}], "19.6000"),
        (
            [{"code": "27447", "modifiers": ["RT"]}, {"code": "27447", "modifiers": ["LT"]}],
            "29.4000",
        ),
    ],
)
def test_calculate_applies_the_issue_11_rules(api, release, lines, expected):
    response = api.post(reverse("api-wrvu-calculate"), {"lines": lines}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["totals"]["medicare"] == expected


def test_calculate_gives_each_warning_a_stable_id(api, release):
    response = api.post(
        reverse("api-wrvu-calculate"), {"lines": [{"code": "22552"}]}, format="json"
    )

    (line,) = response.json()["lines"]
    assert line["medicare"] == "0.0000"
    assert line["warning_ids"] == ["add_on.without_primary"]
    assert line["warnings"][0]["rule"] == "add_on.without_primary"
    assert "add-on code" in line["warnings"][0]["message"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"code": "27447", "modifiers": ["TC"]}, "Modifier TC cannot be used with 27447"),
        ({"code": "20610", "modifiers": ["50"], "units": 2}, "Modifier 50 means both sides"),
    ],
)
def test_lines_the_fee_schedule_forbids_are_refused(api, attending, release, line, message):
    api.force_authenticate(attending)

    listed = api.post(
        reverse("api-logs-list"),
        [{"code": "99213", "setting": "facility"}, {"setting": "facility"} | line],
        format="json",
    )
    single = api.post(reverse("api-logs-list"), {"setting": "facility"} | line, format="json")
    calculated = api.post(reverse("api-wrvu-calculate"), {"lines": [line]}, format="json")

    assert listed.status_code == single.status_code == calculated.status_code == 400
    assert list(listed.json()) == ["1"]
    assert message in str(listed.json()["1"])
    assert message in str(single.json()["modifiers"])
    assert message in str(calculated.json()["lines"]["0"])
    assert not ProcedureLog.objects.exists()


def test_editing_an_entry_into_a_forbidden_line_is_refused(api, attending, entry):
    api.force_authenticate(attending)

    response = api.patch(
        reverse("api-logs-detail", args=[entry.pk]), {"modifiers": ["26"]}, format="json"
    )

    assert response.status_code == 400
    assert "Modifier 26 cannot be used with 99213" in str(response.json())
    entry.refresh_from_db()
    assert entry.modifiers == ""


def quick(api, text, **extra):
    body = {"text": text, "setting": "facility"} | extra
    return api.post(reverse("api-logs-quick"), body, format="json")


def test_quick_entry_by_api_logs_one_encounter(api, attending, release):
    api.force_authenticate(attending)

    # 25: the visit is separate from the injection (otherwise its 000-day package holds it).
    response = quick(api, "99213-25 x 2, 20610-50")

    assert response.status_code == 201, response.json()
    assert [(line["code"], line["units"], line["medicare"]) for line in response.json()] == [
        ("99213", 2, "2.6000"),
        ("20610", 1, "1.1850"),
    ]


def test_quick_entry_by_api_needs_confirm_for_a_high_value_run(api, attending, release):
    api.force_authenticate(attending)

    asked = quick(api, "992135243644")
    saved = quick(api, "992135243644", confirm=True)

    assert asked.status_code == 400
    (message,) = asked.json()["confirm"]
    assert "read as 99213-52 + 43644 (43644 is 29.40 work RVU)" in message
    assert saved.status_code == 201
    assert [line["code"] for line in saved.json()] == ["99213", "43644"]


@pytest.mark.parametrize(
    ("text", "line", "error"),
    [
        ("27447-TC", "27447-TC", "Modifier TC cannot be used with 27447"),
        ("99213 99999", "99999", "99999 is not a code in this fee schedule release."),
    ],
)
def test_quick_entry_by_api_names_the_lines_to_fix(api, attending, release, text, line, error):
    api.force_authenticate(attending)

    response = quick(api, text)

    assert response.status_code == 400
    (problem,) = response.json()["lines"]
    assert problem["typed"] == line
    assert error in problem["errors"][0]
    assert not ProcedureLog.objects.exists()


def test_quick_entry_by_api_offers_the_readings_to_choose(api, attending, release):
    api.force_authenticate(attending)

    response = quick(api, "20610 X2")

    assert response.status_code == 400
    assert response.json() == {
        "readings": [{"typed": "20610 X2", "readings": [["20610 x2"], ["20610-X2"]]}]
    }


def test_quick_entry_by_api_needs_sign_in(api, release):
    assert quick(api, "99213").status_code == 401


def test_quick_entry_by_api_answers_with_a_format_suffix(api, attending, release):
    api.force_authenticate(attending)

    url = reverse("api-logs-quick", kwargs={"format": "json"})
    response = api.post(url, {"text": "99213", "setting": "facility"}, format="json")

    assert response.status_code == 201
