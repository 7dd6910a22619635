"""Entries to review: the page /track/review/ and GET /api/v1/logs/review/ list the user's
entries of a period whose stored warnings are not empty, by date, with their messages and the
links that fix them. Warnings are stored as {"rule", "message"} objects; a plain message
(an older entry, an old backup) reads with the rule "credit", as migration 0014 gave them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from codes.wrvu import LineSpec
from rvuedge import periods
from tracking import selectors, services
from tracking.models import ProcedureLog

pytestmark = pytest.mark.django_db

MUE = {"rule": "mue-exceeded", "message": "99213: 3 units on 2026-11-03; Medicare pays 2 a day."}


def log(user, release, code, day, *, modifiers=(), units=1):
    (entry,) = services.encounter_create(
        user=user,
        details=services.EntryDetails(date=day, setting="facility"),
        lines=[LineSpec(code, tuple(modifiers), units)],
        release=release,
    )
    return entry


@pytest.fixture
def days():
    today = timezone.localdate()
    first = periods.month_start(today)
    return {"today": today, "first": first, "last_month": first - dt.timedelta(days=3)}


@pytest.fixture
def entries(attending, other_user, release, days):
    """64484 alone (the credit engine warns: an add-on without its primary), a 99213 without
    warnings, a 99213 whose warning is stored as an object, one last month, another user's."""
    addon = log(attending, release, "64484", days["first"])
    clean = log(attending, release, "99213", days["today"])
    visit = log(attending, release, "99213", days["today"], units=3)
    ProcedureLog.objects.filter(pk=visit.pk).update(warnings=[MUE])
    earlier = log(attending, release, "64484", days["last_month"])
    others = log(other_user, release, "64484", days["today"])
    return {"addon": addon, "clean": clean, "visit": visit, "earlier": earlier, "others": others}


@pytest.mark.parametrize(
    ("stored", "read"),
    [
        (
            "Modifier 50 means both sides.",
            {"rule": "credit", "message": "Modifier 50 means both sides."},
        ),
        (MUE, MUE),
        ({"message": "No rule id."}, {"rule": "credit", "message": "No rule id."}),
        ({"rule": "ptp-bundled"}, {"rule": "ptp-bundled", "message": ""}),
    ],
)
def test_a_stored_warning_of_either_shape_reads_as_rule_and_message(stored, read):
    assert selectors.warning_item(stored) == read


def test_the_review_lists_entries_with_warnings_by_date(attending, entries, days):
    found = selectors.review_days(attending, days["first"], days["today"])

    by_day = {day.date: [item.log for item in day.entries] for day in found}
    if days["first"] == days["today"]:
        assert by_day == {days["today"]: [entries["addon"], entries["visit"]]}
    else:
        assert list(by_day) == [days["today"], days["first"]]  # newest first
        assert by_day[days["today"]] == [entries["visit"]]
        assert by_day[days["first"]] == [entries["addon"]]
    (addon,) = [i for day in found for i in day.entries if i.log == entries["addon"]]
    assert addon.warnings[0]["rule"] == "add_on.without_primary"
    assert "add-on code" in addon.warnings[0]["message"]


# --- Page --------------------------------------------------------------------------------------


def test_the_page_shows_this_months_warnings_with_links_to_edit(client, attending, entries):
    client.force_login(attending)
    html = client.get(reverse("tracking:review")).content.decode()

    assert "2 entries with warnings" in html
    assert MUE["message"] in html and 'data-rule="mue-exceeded"' in html
    assert "add-on code" in html
    for key in ("addon", "visit"):
        assert reverse("tracking:entry_edit", args=[entries[key].pk]) in html
    for key in ("clean", "earlier", "others"):
        assert f"/track/entries/{entries[key].pk}/" not in html


def test_the_page_takes_a_period(client, attending, entries, days):
    client.force_login(attending)
    day = days["last_month"].isoformat()
    html = client.get(reverse("tracking:review"), {"start": day, "end": day}).content.decode()

    assert "1 entry with warnings" in html
    assert reverse("tracking:entry_edit", args=[entries["earlier"].pk]) in html
    assert reverse("tracking:entry_edit", args=[entries["addon"].pk]) not in html


def test_a_period_without_warnings_says_so(client, attending, entries, days):
    client.force_login(attending)
    day = (days["last_month"] - dt.timedelta(days=40)).isoformat()
    html = client.get(reverse("tracking:review"), {"start": day, "end": day}).content.decode()

    assert 'id="review-empty"' in html
    assert f"Nothing to review from {day} to {day}." in html


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"start": "2026-05-02", "end": "2026-05-01"}, "on or after the start date"),
        ({"start": "2024-01-01", "end": "2025-06-30"}, "at most a year at a time"),
        ({"start": "yesterday"}, "Enter a valid date"),
    ],
)
def test_a_bad_period_is_refused_with_the_reason(client, attending, entries, params, error):
    client.force_login(attending)
    response = client.get(reverse("tracking:review"), params)

    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    assert 'value="{}"'.format(params["start"]) in html  # what was typed is kept
    assert "data-entry=" not in html


def test_another_user_sees_only_their_own_entries(client, other_user, entries):
    client.force_login(other_user)
    html = client.get(reverse("tracking:review")).content.decode()

    assert reverse("tracking:entry_edit", args=[entries["others"].pk]) in html
    assert reverse("tracking:entry_edit", args=[entries["addon"].pk]) not in html
    assert MUE["message"] not in html


def test_the_page_needs_sign_in(client, entries):
    response = client.get(reverse("tracking:review"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# --- API ---------------------------------------------------------------------------------------


@pytest.fixture
def api():
    return APIClient()


def test_the_api_lists_the_periods_entries_with_warnings(api, attending, entries, days):
    api.force_authenticate(attending)
    start, end = days["last_month"].isoformat(), days["today"].isoformat()
    response = api.get("/api/v1/logs/review/", {"start": start, "end": end})

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["start"], data["end"], data["count"]) == (start, end, 3)
    assert [day["date"] for day in data["days"]] == sorted(
        {d.isoformat() for d in (days["today"], days["first"], days["last_month"])}, reverse=True
    )
    items = {item["id"]: item for day in data["days"] for item in day["entries"]}
    assert set(items) == {entries[k].pk for k in ("addon", "visit", "earlier")}
    visit = items[entries["visit"].pk]
    assert visit["warnings"] == [MUE]
    assert (visit["code"], visit["units"], visit["modifiers"]) == ("99213", 3, [])
    assert visit["url"].endswith(f"/api/v1/logs/{entries['visit'].pk}/")
    assert visit["edit_url"].endswith(f"/track/entries/{entries['visit'].pk}/edit/")
    assert items[entries["addon"].pk]["warnings"][0]["rule"] == "add_on.without_primary"


def test_the_api_defaults_to_this_month(api, attending, entries, days):
    api.force_authenticate(attending)
    data = api.get("/api/v1/logs/review/").json()

    assert (data["start"], data["end"]) == (days["first"].isoformat(), days["today"].isoformat())
    assert data["count"] == 2


def test_the_api_refuses_a_bad_period(api, attending, entries):
    api.force_authenticate(attending)
    response = api.get("/api/v1/logs/review/", {"start": "2026-05-02", "end": "2026-05-01"})

    assert response.status_code == 400
    assert "on or after the start date" in response.json()["end"][0]


def test_the_api_shows_a_user_only_their_entries(api, other_user, entries):
    api.force_authenticate(other_user)
    data = api.get("/api/v1/logs/review/").json()

    ids = [item["id"] for day in data["days"] for item in day["entries"]]
    assert ids == [entries["others"].pk]


def test_the_api_needs_sign_in(api, entries):
    assert api.get("/api/v1/logs/review/").status_code in (401, 403)
