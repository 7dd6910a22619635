"""Likely duplicates (tracking.duplicates): an encounter with the date, location, codes and
modifiers of one already logged is shown in quick entry's preview ("Already logged today: log
again?") and saved only when confirmed; the API answers 409 unless `confirm_duplicate`."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from codes.wrvu import LineSpec
from tracking import selectors, services
from tracking.models import Location, ProcedureLog

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def logged(user, release, specs, *, date=None, location=None):
    return services.encounter_create(
        user=user,
        details=services.EntryDetails(date=date or TODAY(), setting="facility", location=location),
        lines=specs,
        release=release,
    )


@pytest.fixture
def clinic(attending):
    return Location.objects.create(user=attending, name="Clinic")


# The query -------------------------------------------------------------------------------------


KNEE = [LineSpec("27447", ("50", "RT")), LineSpec("20610", (), 2)]


@pytest.mark.parametrize(
    ("typed", "where", "found"),
    [
        (KNEE, {}, True),
        ([LineSpec("20610"), LineSpec("27447", ("RT", "50"))], {}, True),  # order, units aside
        ([LineSpec("27447", ("50",)), LineSpec("20610", (), 2)], {}, False),  # a modifier less
        ([LineSpec("27447", ("50", "RT"))], {}, False),  # a code less
        ([*KNEE, LineSpec("99213")], {}, False),  # a code more
        (KNEE, {"date": -1}, False),
        (KNEE, {"location": "clinic"}, False),
    ],
)
def test_an_encounter_repeats_one_with_the_same_date_location_codes_and_modifiers(
    attending, release, clinic, typed, where, found
):
    (first, _) = logged(attending, release, KNEE)
    date = TODAY() + dt.timedelta(days=where.get("date", 0))
    location = clinic if where.get("location") else None

    (match,) = selectors.already_logged(attending, date=date, location=location, encounters=[typed])

    assert (match is not None) == found
    if found:
        assert (match.encounter_id, match.first_log_id) == (first.encounter_id, first.pk)
        assert match.lines == ("27447-50-RT", "20610")


def test_only_the_users_own_entries_count(attending, other_user, release):
    logged(other_user, release, [LineSpec("99213")])

    assert selectors.already_logged(
        attending, date=TODAY(), location=None, encounters=[[LineSpec("99213")]]
    ) == [None]


def test_each_encounter_is_looked_up_at_once(attending, release, clinic, django_assert_num_queries):
    logged(attending, release, [LineSpec("99213")], location=clinic)
    logged(attending, release, [LineSpec("99214")], location=clinic)

    with django_assert_num_queries(1):
        found = selectors.already_logged(
            attending,
            date=TODAY(),
            location=clinic,
            encounters=[[LineSpec("99214")], [LineSpec("99215")], [LineSpec("99213")]],
        )

    assert [f.lines if f else None for f in found] == [("99214",), None, ("99213",)]


# Quick entry -----------------------------------------------------------------------------------


def entry(text="99213 20610", **extra):
    return {"text": text, "date": TODAY(), "setting": "facility", **extra}


def test_the_preview_says_already_logged_today_and_offers_to_log_again(client, attending, release):
    (first, _) = logged(attending, release, [LineSpec("99213"), LineSpec("20610")])
    client.force_login(attending)

    html = client.post(reverse("tracking:preview"), entry()).content.decode()

    assert "Already logged today: log again?" in html
    assert 'hx-swap-oob="true"' in html  # refreshed with the preview, under it
    assert f'href="{reverse("tracking:entry", args=[first.pk])}"' in html
    assert 'name="confirm_duplicate"' in html


def test_the_preview_names_the_day_when_it_is_not_today(client, attending, release):
    day = TODAY() - dt.timedelta(days=3)
    logged(attending, release, [LineSpec("99213")], date=day)
    client.force_login(attending)

    html = client.post(reverse("tracking:preview"), entry("99213", date=day)).content.decode()

    assert f"Already logged on {day:%b} {day.day}, {day.year}: log again?" in html


def test_the_preview_says_nothing_for_another_location(client, attending, release, clinic):
    logged(attending, release, [LineSpec("99213")])
    client.force_login(attending)

    html = client.post(
        reverse("tracking:preview"), entry("99213", location=clinic.pk)
    ).content.decode()

    assert "Already logged" not in html
    assert '<div id="duplicates" hx-swap-oob="true">' in html  # an old warning is cleared


def test_saving_a_duplicate_needs_the_confirmation(client, attending, release):
    logged(attending, release, [LineSpec("99213"), LineSpec("20610")])
    client.force_login(attending)

    asked = client.post(reverse("tracking:tracker"), entry())

    assert asked.status_code == 400
    html = asked.content.decode()
    assert "Already logged today: tick “Log it again" in html
    assert 'name="confirm_duplicate"' in html
    assert "99213 20610" in html  # nothing typed is lost
    assert ProcedureLog.objects.for_user(attending).count() == 2

    saved = client.post(reverse("tracking:tracker"), entry(confirm_duplicate="yes"))

    assert saved.status_code == 302
    assert ProcedureLog.objects.for_user(attending).count() == 4


def test_a_template_prefilled_into_quick_entry_shows_the_warning(client, attending, release):
    logged(attending, release, [LineSpec("27447", ("RT",))])
    template = services.log_template_create(
        user=attending, name="Knee", lines=[LineSpec("27447", ("RT",))]
    )
    client.force_login(attending)

    prefilled = client.post(reverse("tracking:template_log", args=[template.pk]))
    html = client.get(prefilled.url).content.decode()

    assert "Already logged today: log again?" in html


# The API ---------------------------------------------------------------------------------------


@pytest.fixture
def api(attending, release):
    client = APIClient()
    client.force_authenticate(attending)
    return client


LINES = [{"code": "99213", "setting": "facility"}, {"code": "20610", "setting": "facility"}]


def test_the_api_refuses_a_duplicate_with_409_and_says_how_to_confirm(api, attending, release):
    (first, _) = logged(attending, release, [LineSpec("99213"), LineSpec("20610")])

    response = api.post(reverse("api-logs-list"), LINES, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == (
        "Already logged today: 99213 20610. Send confirm_duplicate: true to log these lines "
        "once more."
    )
    assert body["duplicates"] == [
        {
            "encounter": first.encounter_id,
            "entry": first.pk,
            "date": TODAY().isoformat(),
            "lines": ["99213", "20610"],
        }
    ]
    assert ProcedureLog.objects.for_user(attending).count() == 2


def test_the_api_logs_a_confirmed_duplicate(api, attending, release):
    logged(attending, release, [LineSpec("99213"), LineSpec("20610")])

    listed = api.post(reverse("api-logs-list") + "?confirm_duplicate=true", LINES, format="json")
    one = api.post(
        reverse("api-logs-list"),
        {"code": "99213", "setting": "facility", "confirm_duplicate": True},
        format="json",
    )

    assert (listed.status_code, one.status_code) == (201, 201)


def test_the_quick_entry_api_refuses_a_duplicate_unless_confirmed(api, attending, release):
    logged(attending, release, [LineSpec("99213")])
    body = {"text": "99213", "setting": "facility"}

    refused = api.post(reverse("api-logs-quick"), body, format="json")
    confirmed = api.post(
        reverse("api-logs-quick"), body | {"confirm_duplicate": True}, format="json"
    )

    assert refused.status_code == 409
    assert confirmed.status_code == 201
    assert ProcedureLog.objects.for_user(attending).count() == 2


def test_a_confirmation_that_is_not_a_boolean_is_refused(api, attending, release):
    logged(attending, release, [LineSpec("99213"), LineSpec("20610")])

    response = api.post(
        reverse("api-logs-list") + "?confirm_duplicate=perhaps", LINES, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"confirm_duplicate": ["Use true or false."]}
