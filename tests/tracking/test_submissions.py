"""Exactly once (tracking.submissions): every form that saves carries a one-time token, and a
repeat of it (Enter pressed twice, a retry) gets the first answer and saves nothing; the API's
Idempotency-Key does the same for POST /api/v1/logs/. Simultaneous repeats are tested with real
threads against PostgreSQL."""

import datetime as dt
import re
import threading

import pytest
from celery.schedules import crontab
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from codes.wrvu import LineSpec
from rvuedge.celery import app
from tests.tracking.test_import import csv_bytes, mapped, uploaded
from tracking import services, submissions, tasks
from tracking.models import ImportJob, LogChange, LogTemplate, ProcedureLog, SubmissionKey
from tracking.portability import imports

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="submission" value="([^"]+)"')


def token_of(client, url) -> str:
    """The one-time token the form on the page was issued with."""
    response = client.get(url)
    assert response.status_code == 200
    (token,) = TOKEN.findall(response.content.decode())
    return token


def quick_entry(text="99213 20610", **extra) -> dict:
    return {"text": text, "date": timezone.localdate(), "setting": "facility", **extra}


def saved_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def signed_in(client, attending, release):
    client.force_login(attending)
    return client


# Forms, one after the other --------------------------------------------------------------------


def test_quick_entry_sent_twice_with_its_token_saves_once_and_answers_the_same(
    signed_in, attending
):
    data = quick_entry(submission=token_of(signed_in, reverse("tracking:tracker")))

    first = signed_in.post(reverse("tracking:tracker"), data)
    again = signed_in.post(reverse("tracking:tracker"), data)

    assert (first.status_code, again.status_code) == (302, 302)
    assert again.url == first.url == reverse("tracking:tracker")
    assert ProcedureLog.objects.for_user(attending).count() == 2  # two lines, one encounter
    page = signed_in.get(reverse("tracking:tracker")).content.decode()
    assert page.count("Saved 2 entries") == 1  # the first answer's message, once


def test_a_repeat_on_its_own_gets_the_first_answers_message(signed_in, attending):
    """The browser may drop the first answer (a second Enter leaves the page) along with its
    message: the repeat brings it back."""
    data = quick_entry(submission=token_of(signed_in, reverse("tracking:tracker")))
    signed_in.post(reverse("tracking:tracker"), data)
    fresh = Client()
    fresh.force_login(attending)

    again = fresh.post(reverse("tracking:tracker"), data)

    assert again.status_code == 302
    assert any(text.startswith("Saved 2 entries: ") for text in saved_messages(again))
    assert ProcedureLog.objects.for_user(attending).count() == 2


def test_the_line_form_sent_twice_saves_once(signed_in, attending):
    data = quick_entry(
        "",
        line_code="27447",
        line_modifiers=["50"],
        line_units="1",
        submission=token_of(signed_in, reverse("tracking:tracker")),
    )

    for _ in range(2):
        assert signed_in.post(reverse("tracking:tracker"), data).status_code == 302

    (log,) = ProcedureLog.objects.for_user(attending)
    assert (log.code.code, log.modifiers) == ("27447", "50")


def test_a_template_saved_twice_is_saved_once_and_both_answers_say_so(signed_in, attending):
    data = {
        "name": "Knee",
        "lines": "27447-RT 20610",
        "submission": token_of(signed_in, reverse("tracking:templates")),
    }

    first = signed_in.post(reverse("tracking:templates"), data)
    again = signed_in.post(reverse("tracking:templates"), data)

    assert (first.status_code, again.status_code) == (302, 302)
    assert "Template “Knee” saved." in saved_messages(again)
    assert LogTemplate.objects.for_user(attending).count() == 1


def test_a_template_used_then_logged_twice_saves_its_lines_once(signed_in, attending):
    template = services.log_template_create(
        user=attending, name="Knee", lines=[LineSpec("27447", ("RT",)), LineSpec("20610")]
    )
    prefilled = signed_in.post(reverse("tracking:template_log", args=[template.pk]))
    page = signed_in.get(prefilled.url).content.decode()
    (token,) = TOKEN.findall(page)
    data = quick_entry("27447-RT 20610", submission=token)

    for _ in range(2):
        assert signed_in.post(reverse("tracking:tracker"), data).status_code == 302

    assert ProcedureLog.objects.for_user(attending).count() == 2


def test_an_edit_sent_twice_is_recorded_once(signed_in, attending, release):
    (log,) = services.encounter_create(
        user=attending,
        details=services.EntryDetails(date=timezone.localdate(), setting="facility"),
        lines=[LineSpec("99213")],
        release=release,
    )
    url = reverse("tracking:entry_edit", args=[log.pk])
    data = {
        "date": log.date,
        "modifiers": "",
        "units": 2,
        "setting": "facility",
        "role": "performed",
        "submission": token_of(signed_in, url),
    }

    for _ in range(2):
        assert signed_in.post(url, data).status_code == 302

    assert LogChange.objects.filter(log_pk=log.pk, action="update").count() == 1


def test_an_import_started_twice_starts_once(client, attending, release, monkeypatch):
    row = [timezone.localdate().isoformat(), "99213", "", "1", "facility", "", "", ""]
    job = mapped(client, uploaded(client, attending, csv_bytes([row])))
    starts = []
    start = imports.import_job_start
    monkeypatch.setattr(imports, "import_job_start", lambda **kw: starts.append(1) or start(**kw))
    url = reverse("tracking:import_job", args=[job.pk])
    data = {"mode": "valid_rows", "submission": token_of(client, url)}

    first = client.post(reverse("tracking:import_run", args=[job.pk]), data)
    again = client.post(reverse("tracking:import_run", args=[job.pk]), data)

    assert again.url == first.url == url
    assert len(starts) == 1
    job.refresh_from_db()
    assert (job.status, job.rows_imported) == (ImportJob.Status.DONE, 1)
    assert ProcedureLog.objects.for_user(attending).count() == 1


def test_a_form_with_errors_keeps_no_claim_so_the_fixed_form_saves(signed_in, attending):
    token = token_of(signed_in, reverse("tracking:tracker"))

    refused = signed_in.post(reverse("tracking:tracker"), quick_entry("99999", submission=token))
    fixed = signed_in.post(reverse("tracking:tracker"), quick_entry("99213", submission=token))

    assert (refused.status_code, fixed.status_code) == (400, 302)
    assert ProcedureLog.objects.for_user(attending).count() == 1


def test_a_spent_token_with_other_lines_is_a_new_submission(signed_in, attending):
    """A page brought back by Back and edited: what it sends now is saved."""
    token = token_of(signed_in, reverse("tracking:tracker"))

    signed_in.post(reverse("tracking:tracker"), quick_entry("99213", submission=token))
    other = signed_in.post(reverse("tracking:tracker"), quick_entry("20610", submission=token))

    assert other.status_code == 302
    codes = ProcedureLog.objects.for_user(attending).values_list("code__code", flat=True)
    assert sorted(codes) == ["20610", "99213"]


def test_a_form_without_a_token_is_saved_and_its_repeat_is_stopped_as_a_duplicate(
    signed_in, attending
):
    first = signed_in.post(reverse("tracking:tracker"), quick_entry())
    again = signed_in.post(reverse("tracking:tracker"), quick_entry())

    assert (first.status_code, again.status_code) == (302, 400)
    assert "Already logged today" in again.content.decode()
    assert ProcedureLog.objects.for_user(attending).count() == 2


def test_each_page_issues_a_new_token_and_is_not_kept_by_the_browser(signed_in):
    first = signed_in.get(reverse("tracking:tracker"))
    second = signed_in.get(reverse("tracking:tracker"))

    assert TOKEN.findall(first.content.decode()) != TOKEN.findall(second.content.decode())
    assert "no-store" in first["Cache-Control"]


def test_another_users_token_is_theirs_alone(signed_in, attending, other_user):
    data = quick_entry(submission="shared-token-1234567890")
    signed_in.post(reverse("tracking:tracker"), data)
    other = Client()
    other.force_login(other_user)

    assert other.post(reverse("tracking:tracker"), data).status_code == 302

    assert ProcedureLog.objects.for_user(other_user).count() == 2
    assert ProcedureLog.objects.for_user(attending).count() == 2


# The API ---------------------------------------------------------------------------------------


@pytest.fixture
def api(attending, release):
    client = APIClient()
    client.force_authenticate(attending)
    return client


def post_lines(api, lines, key=None, **params):
    headers = {"Idempotency-Key": key} if key else {}
    url = reverse("api-logs-list")
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return api.post(url, lines, format="json", headers=headers)


LINES = [{"code": "19303", "setting": "facility"}, {"code": "47562", "setting": "facility"}]


def test_the_same_key_gets_the_same_answer_and_saves_nothing_more(api, attending):
    first = post_lines(api, LINES, key="4f9c2b1e-client-retry")
    again = post_lines(api, LINES, key="4f9c2b1e-client-retry")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert ProcedureLog.objects.for_user(attending).count() == 2


def test_the_quick_entry_api_honours_the_key_too(api, attending):
    body = {"text": "99213 20610", "setting": "facility"}
    url = reverse("api-logs-quick")
    headers = {"Idempotency-Key": "quick-1"}

    first = api.post(url, body, format="json", headers=headers)
    again = api.post(url, body, format="json", headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert ProcedureLog.objects.for_user(attending).count() == 2


def test_the_same_key_with_another_body_is_refused(api, attending):
    post_lines(api, LINES, key="key-1")

    response = post_lines(api, [{"code": "99213", "setting": "facility"}], key="key-1")

    assert response.status_code == 422
    assert "was used for a different request" in response.json()["detail"]
    assert ProcedureLog.objects.for_user(attending).count() == 2


def test_another_user_with_the_same_key_is_independent(api, other_user, release):
    post_lines(api, LINES, key="key-1")
    other = APIClient()
    other.force_authenticate(other_user)

    response = post_lines(other, LINES, key="key-1")

    assert response.status_code == 201
    assert ProcedureLog.objects.for_user(other_user).count() == 2
    other_ids = {line["id"] for line in response.json()}
    assert other_ids == set(ProcedureLog.objects.for_user(other_user).values_list("pk", flat=True))


def test_an_error_is_not_kept_so_the_fixed_request_may_reuse_its_key(api, attending):
    bad = post_lines(api, [{"code": "99999", "setting": "facility"}], key="key-2")
    good = post_lines(api, LINES, key="key-2")

    assert (bad.status_code, good.status_code) == (400, 201)
    assert ProcedureLog.objects.for_user(attending).count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "naïve", "tab\tinside"])
def test_a_malformed_key_is_refused_with_a_message(api, key):
    response = api.post(
        reverse("api-logs-list"), LINES, format="json", headers={"Idempotency-Key": key}
    )

    assert response.status_code == 400
    assert "printable characters" in response.json()["Idempotency-Key"][0]
    assert not ProcedureLog.objects.exists()


def test_the_schema_documents_the_header_and_the_answers(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    create = schema["paths"]["/api/v1/logs/"]["post"]

    header = next(p for p in create["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header"
    assert "24 hours" in header["description"]
    assert {"409", "422"} <= set(create["responses"])
    assert "confirm_duplicate" in {p["name"] for p in create["parameters"]}


# Keeping and purging ---------------------------------------------------------------------------


def test_keys_are_kept_a_day_then_purged_daily(attending):
    now = timezone.now()
    for key, hours in (("day-old", 25), ("recent", 23)):
        SubmissionKey.objects.create(user=attending, key=key, scope="quick_entry", fingerprint="")
        SubmissionKey.objects.filter(key=key).update(created_at=now - dt.timedelta(hours=hours))

    assert tasks.purge_submission_keys() == 1

    assert list(SubmissionKey.objects.values_list("key", flat=True)) == ["recent"]
    entry = app.conf.beat_schedule["tracking.purge_submission_keys"]
    assert entry["task"] == tasks.purge_submission_keys.name
    assert isinstance(entry["schedule"], crontab)


# Simultaneous submissions (PostgreSQL, real threads) -------------------------------------------


def at_once(senders) -> list:
    """Call each sender in its own thread (its own database connection), all released at once."""
    start = threading.Barrier(len(senders))
    results = [None] * len(senders)

    def run(index):
        try:
            start.wait()
            results[index] = senders[index]()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(senders))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def signed_in_clients(user, count) -> list[Client]:
    clients = [Client() for _ in range(count)]
    for client in clients:
        client.force_login(user)
    return clients


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("count", [2, 5])
def test_simultaneous_repeats_of_one_token_save_once(attending, release, count):
    data = quick_entry(submission="one-token-for-all-of-them")
    senders = [
        lambda c=client: c.post(reverse("tracking:tracker"), data)
        for client in signed_in_clients(attending, count)
    ]

    answers = at_once(senders)

    assert [(a.status_code, a.url) for a in answers] == [(302, reverse("tracking:tracker"))] * count
    assert ProcedureLog.objects.for_user(attending).count() == 2
    assert SubmissionKey.objects.filter(user=attending).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_unique_key_alone_keeps_simultaneous_repeats_to_one(attending, release, monkeypatch):
    """Without the user's lock, the second insert of the key waits for the first transaction
    and then finds its claim."""
    monkeypatch.setattr(submissions.locks, "hold", lambda key: _no_lock())
    data = quick_entry(submission="one-token-without-the-lock")
    senders = [
        lambda c=client: c.post(reverse("tracking:tracker"), data)
        for client in signed_in_clients(attending, 5)
    ]

    answers = at_once(senders)

    assert {a.status_code for a in answers} == {302}
    assert ProcedureLog.objects.for_user(attending).count() == 2


class _no_lock:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_forms_without_a_token_save_once_and_the_rest_are_duplicates(
    attending, release
):
    data = quick_entry()
    senders = [
        lambda c=client: c.post(reverse("tracking:tracker"), data)
        for client in signed_in_clients(attending, 5)
    ]

    answers = at_once(senders)

    assert sorted(a.status_code for a in answers) == [302, 400, 400, 400, 400]
    assert ProcedureLog.objects.for_user(attending).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("count", [2, 5])
def test_simultaneous_api_requests_with_one_key_save_once(attending, release, count):
    def sender():
        client = APIClient()
        client.force_authenticate(attending)
        return lambda: post_lines(client, LINES, key="api-key-at-once")

    answers = at_once([sender() for _ in range(count)])

    assert [a.status_code for a in answers] == [201] * count
    assert len({a.content for a in answers}) == 1  # the first answer, byte for byte
    assert ProcedureLog.objects.for_user(attending).count() == 2
