"""The sweep: every URL pattern of the site, generated from the URL conf, tried as another user
would (with the owner's ids, every method) and as a prober would (NUL bytes, over-long values,
over-deep JSON). A new URL is swept without anyone listing it.

- Cross-user: user A owns one of everything, each carrying a marker string; user B, signed in,
  requests every pattern with each of A's ids in each id slot, with GET, POST, PUT, PATCH and
  DELETE. Nothing may show A's marker, change A's rows, or answer 5xx.
- Probe: every pattern, anonymous and signed in, with NUL bytes and a 100 kB value in the query
  string, NUL in path values, and (to the API) a JSON body nested 100,000 deep: never 5xx.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import api_token_create
from codes.wrvu import LineSpec
from support.services import ticket_create
from tests.factories import UserFactory
from tracking import services
from tracking.models import (
    CompensationTier,
    DayOff,
    Encounter,
    Favorite,
    ImportJob,
    Location,
    LogTemplate,
    ProcedureLog,
    RepriceBatch,
    RestoreJob,
)

pytestmark = pytest.mark.django_db

MARKER = "alpha-secret-7c1e"
OWNED_MODELS = (ProcedureLog, Encounter, Location, LogTemplate, Favorite, DayOff,
                CompensationTier, ImportJob, RepriceBatch, RestoreJob)  # fmt: skip
METHODS = ("get", "post", "put", "patch", "delete")
# Values for route parameters that are not ids.
SAMPLE = {
    "slug": "x",
    "code": "99213",
    "format": "json",
    "fmt": "csv",
    "section": "codes",
    "content_type_id": "1",
    "object_id": "1",
    "uidb36": "1",
    "key": "x",
    "reference": "x",
}
GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def routes() -> list[str]:
    """Every pattern of the URL conf as a route template ("track/entries/<pk>/")."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    seen = []
    for route in walk(get_resolver().url_patterns):
        route = route.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
        route = GROUP.sub(lambda m: f"<{m.group(1)}>", route)
        route = CONVERTER.sub(lambda m: f"<{m.group(1)}>", route)
        if route not in seen:
            seen.append(route)
    return seen


def params(route: str) -> list[str]:
    return re.findall(r"<(\w+)>", route)


def fill(route: str, values: dict[str, str]) -> str:
    return "/" + re.sub(
        r"<(\w+)>", lambda m: values.get(m.group(1), SAMPLE.get(m.group(1), "1")), route
    )


@pytest.fixture
def owner(release, newer_release):
    """User A with one of everything a user can own, each named with the marker."""
    user = UserFactory(email=f"{MARKER}@example.com", first_name=MARKER, program=MARKER)
    today = timezone.localdate()
    location = Location.objects.create(user=user, name=MARKER)
    services.encounter_create(
        user=user,
        details=services.EntryDetails(
            date=today, setting="facility", note=MARKER, location=location
        ),
        lines=[LineSpec("27447"), LineSpec("20610")],
        release=release,
    )
    services.log_template_create(user=user, name=MARKER, lines=[LineSpec("99213")])
    services.reprice_apply(user=user, release=newer_release, date_from=today, date_to=today)
    Favorite.objects.create(user=user, code=ProcedureLog.objects.filter(user=user)[0].code)
    DayOff.objects.create(user=user, date=today - dt.timedelta(days=3), label=MARKER)
    CompensationTier.objects.create(user=user, starts_at=1000, rate=50)
    ImportJob.objects.create(
        user=user, filename=f"{MARKER}.csv", file_type="csv", data=b"date,code\n", release=release
    )
    RestoreJob.objects.create(  # stopped: "Run again" would restore it
        user=user, filename=f"{MARKER}.json", data=b"{}", status="stopped", message=MARKER
    )
    ticket = ticket_create(user=user, email=user.email, topic="other", body=MARKER)
    api_token_create(user=user, name=MARKER)
    return user, ticket, ApiToken.objects.get(user=user)


def owned_ids(user, ticket, token) -> dict[str, set[str]]:
    ids = set()
    for model in OWNED_MODELS:
        ids |= {str(pk) for pk in model.objects.filter(user=user).values_list("pk", flat=True)}
    return {
        "pk": ids,
        "object_id": ids,
        "reference": {ticket.reference},
        "key": {token.token_key, str(token.pk)},
    }


def snapshot(user) -> dict:
    """Everything of A's that a request could change."""
    return {
        model.__name__: sorted(
            tuple(sorted((k, str(v)) for k, v in row.items()))
            for row in model.objects.filter(user=user).values()
        )
        for model in OWNED_MODELS
    }


@pytest.fixture
def client(client):
    """Server errors come back as 500 responses to count, not as exceptions."""
    client.raise_request_exception = False
    return client


def test_another_users_ids_on_every_url_and_method_leak_nothing(client, owner):
    user, ticket, token = owner
    ids = owned_ids(user, ticket, token)
    before = snapshot(user)
    stranger = UserFactory()
    client.force_login(stranger)
    tried, problems = 0, []
    for route in routes():
        slots = [name for name in params(route) if name in ids]
        if not slots:
            continue
        for name in slots:
            for value in sorted(ids[name]):
                path = fill(route, {name: value})
                for method in METHODS:
                    response = getattr(client, method)(path)
                    tried += 1
                    body = b"" if response.streaming else response.content
                    if response.status_code >= 500 or MARKER.encode() in body:
                        problems.append(f"{method.upper()} {path} -> {response.status_code}")
                    client.force_login(stranger)  # a logout URL may have signed B out
    assert tried > 500  # the matrix really ran (patterns x ids x methods)
    assert problems == []
    assert snapshot(user) == before


@pytest.mark.parametrize("signed_in", [False, True])
def test_nul_bytes_and_long_values_never_cause_a_server_error(client, release, signed_in):
    if signed_in:
        client.force_login(UserFactory())
    problems = []
    for route in routes():
        path = fill(route, {})
        probes = [
            f"{path}?q=%00&page=%00&locality=a%00b&from=%00",
            f"{path}?q={'a' * 100_000}&page=99999999999999999999&page_size=-1",
            f"{path}?from=0001-01-01&to=9999-12-31&date=9999-12-31&year=99999&period=x",
            f"{path}?from=2025-13-45&to=x&group_by=century&release=%27;--&locality=zzz",
        ]
        if params(route):
            probes.append(fill(route, {name: "9%0099" for name in params(route)}))
        for probe in probes:
            status = client.get(probe).status_code
            if status >= 500:
                problems.append(f"GET {probe[:120]} -> {status}")
    assert problems == []


def test_over_deep_json_never_causes_a_server_error(client, release):
    client.force_login(UserFactory())
    deep = "[" * 100_000 + "]" * 100_000
    problems = []
    for route in routes():
        if not route.startswith("api/"):
            continue
        path = fill(route, {})
        for method in ("post", "put", "patch"):
            status = getattr(client, method)(
                path, deep, content_type="application/json"
            ).status_code
            if status >= 500:
                problems.append(f"{method.upper()} {path} -> {status}")
    assert problems == []


def test_a_nul_byte_is_answered_400_with_the_reason(client):
    response = client.get("/cpt-codes/search/?q=knee%00")

    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_date_beyond_the_calendar_is_a_400_from_the_stats_api(client):
    client.force_login(UserFactory())

    response = client.get("/api/v1/stats/?to=9999-12-31")

    assert response.status_code == 400
    assert "outside 1900-2199" in response.json()["to"]


def test_over_deep_json_is_a_400_that_says_so(client):
    client.force_login(UserFactory())

    response = client.post(
        "/api/v1/logs/", "[" * 100_000 + "]" * 100_000, content_type="application/json"
    )

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
