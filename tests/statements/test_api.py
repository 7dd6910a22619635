"""The statements API: POST a statement (multipart), its reconciliation as the issue specifies,
DELETE; owner only (another user 404, anonymous 401); bad uploads answer 400 with errors per
row and keep nothing."""

import datetime as dt
import io
import json

import pytest
from rest_framework.test import APIClient

from statements.models import Statement
from tracking.portability import tables

from . import month

pytestmark = pytest.mark.django_db
STATEMENTS = "/api/v1/statements/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def logged(attending, rvu26c):
    month.log_month(attending, rvu26c)
    return attending


def post(api, user, body: bytes, name="october.csv", **fields):
    if user is not None:
        api.force_authenticate(user)
    handle = io.BytesIO(body)
    handle.name = name
    return api.post(STATEMENTS, {"file": handle, **fields}, format="multipart")


def reconciliation(pk: int) -> str:
    return f"/api/v1/statements/{pk}/reconciliation"


def test_a_statement_is_reconciled_and_its_lines_answered_as_the_issue_says(api, logged):
    response = post(
        api, logged, month.csv_per_line(), period_from="2025-10-01", period_to="2025-10-31"
    )

    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == "done" and created["period_to"] == "2025-10-31"
    body = api.get(reconciliation(created["id"])).json()
    assert body["summary"] == {
        "matched": 9, "differs": 10, "missing_from_statement": 2, "not_in_log": 1,
        "statement_wrvu": "181.8000", "log_wrvu": "181.6460", "log_medicare_wrvu": "181.6460",
        "owed_wrvu": "1.7660", "owed_medicare_wrvu": "1.7660",
    }  # fmt: skip
    lines = {(line["date"], line["code"]): line for line in body["lines"]}
    assert len(lines) == len(month.EXPECTED)
    assert lines[("2025-10-23", "27447")] | {"reason": ""} == lines[("2025-10-23", "27447")] | {
        "status": "differs", "date": "2025-10-23", "code": "27447", "modifiers": [], "units": 1,
        "statement_wrvu": "19.6000", "log_wrvu": "29.4000", "owed_wrvu": "9.8000",
        "rule": "modifier_dropped", "reason": "",
    }  # fmt: skip
    assert lines[("2025-10-09", "99213")]["statement_wrvu"] is None
    late = lines[("2025-10-07", "99214")]
    assert (late["date_off_by_one"], late["log_date"], late["status"]) == (
        True,
        "2025-10-06",
        "matched",
    )
    assert lines[("2025-10-13", "99214")]["log_wrvu"] is None
    for key, (status, rule, _) in month.EXPECTED.items():
        line = lines[(dt.date(2025, 10, key[0]).isoformat(), key[1])]
        assert (line["status"], line["rule"]) == (status, rule)
        assert set(line) >= {"status", "date", "code", "modifiers", "units", "statement_wrvu",
                             "log_wrvu", "reason"}  # fmt: skip


def test_a_mapping_chooses_the_columns_and_the_others_are_guessed(api, logged):
    body = month.csv_per_code_and_day().replace(b"Total wRVUs", b"Amount")
    mapping = {"wrvu": "Amount", "units": ""}

    response = post(api, logged, body, mapping=json.dumps(mapping), period_from="2025-10-01",
                    period_to="2025-10-31")  # fmt: skip

    assert response.status_code == 201, response.json()
    statement = Statement.objects.get(pk=response.json()["id"])
    assert statement.columns == {"date": "DOS", "code": "CPT/HCPCS", "wrvu": "Amount"}
    assert statement.counts["not_in_log"] == 1


def test_rows_that_cannot_be_read_answer_400_with_errors_per_row_and_keep_nothing(api, logged):
    body = month.csv_per_line().replace(b"10/10/2025", b"10/40/2025").replace(b"14.18", b"lots")

    response = post(api, logged, body)

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 5, "errors": ["“10/40/2025” is not a date (use YYYY-MM-DD or MM/DD/YYYY)."]},
        {"row": 18, "errors": ["The credited wRVU “lots” is not a number."]},
    ]
    assert response.json()["rows"] == 2
    assert not Statement.objects.exists()


@pytest.mark.parametrize(
    ("fields", "body", "name", "key", "message"),
    [
        ({}, b"date,code,wrvu\n", "s.csv", "file", "The statement has a header but no rows"),
        ({}, b"\x00\x01binary" * 10, "s.csv", "file", "This file is not a text CSV file."),
        ({}, b"not a zip", "s.xlsx", "file", "This is not an XLSX workbook."),
        ({}, b"%PDF-1.4 broken", "s.pdf", "file", "This is not a readable PDF."),
        ({}, b"date,code\n", "s.txt", "file", "Upload a .csv or .xlsx or .pdf file."),
        ({}, b"Day,Thing,Value\n2025-10-01,99213,1.3\n", "s.csv", "mapping",
         "Choose the column for: Date of service, Code (CPT/HCPCS), Credited wRVU."),
        ({"mapping": '{"wrvu": "Nope"}'}, month.csv_per_line(), "s.csv", "mapping",
         "The file has no column 'Nope'."),
        ({"mapping": '{"price": "wRVU"}'}, month.csv_per_line(), "s.csv", "mapping",
         "Not a statement field: price"),
        ({"mapping": "[1, 2]"}, month.csv_per_line(), "s.csv", "mapping", "Give a JSON object"),
        ({"period_from": "2025-10-01"}, month.csv_per_line(), "s.csv", "non_field_errors",
         "Give period_from and period_to, or neither."),
    ],
)  # fmt: skip
def test_bad_uploads_answer_400_saying_why(
    api, attending, rvu26c, fields, body, name, key, message
):
    response = post(api, attending, body, name, **fields)

    assert response.status_code == 400
    assert message in " ".join(response.json()[key])
    assert not Statement.objects.exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(api, attending, rvu26c, settings):
    settings.STATEMENTS_MAX_BYTES = 1024

    response = post(api, attending, b"date,code,wrvu\n" + b"2025-10-01,99213,1.30\n" * 100)

    assert response.status_code == 400
    assert response.json() == {"file": ["The file is larger than 1 kB."]}


def test_too_many_rows_are_refused(api, attending, rvu26c, monkeypatch):
    monkeypatch.setattr(tables, "MAX_ROWS", 5)

    response = post(api, attending, b"date,code,wrvu\n" + b"2025-10-01,99213,1.30\n" * 6)

    assert response.status_code == 400
    assert "At most 5 rows per file" in response.json()["file"][0]


def test_owner_only_another_user_404_anonymous_401(api, logged, other_user):
    created = post(api, logged, month.csv_per_line()).json()
    pk = created["id"]
    urls = [reconciliation(pk), f"{STATEMENTS}{pk}/"]

    for url in urls:
        assert api.get(url).status_code == 200
    api.force_authenticate(other_user)
    for url in urls:
        assert api.get(url).status_code == 404
    assert api.delete(f"{STATEMENTS}{pk}/").status_code == 404
    assert api.get(STATEMENTS).json()["count"] == 0
    api.force_authenticate(None)
    for url in [*urls, STATEMENTS]:
        assert api.get(url).status_code == 401
    assert post(api, None, month.csv_per_line()).status_code == 401
    assert Statement.objects.filter(pk=pk).exists()


def test_the_owner_lists_and_deletes_a_statement(api, logged):
    pk = post(api, logged, month.csv_per_line()).json()["id"]

    listed = api.get(STATEMENTS).json()
    assert [s["id"] for s in listed["results"]] == [pk]
    assert listed["results"][0]["counts"]["differs"] == 10
    assert api.delete(f"{STATEMENTS}{pk}/").status_code == 204
    assert not Statement.objects.exists()
    assert api.get(reconciliation(pk)).status_code == 404


def test_a_statement_not_reconciled_yet_answers_409(
    api, logged, settings, django_capture_on_commit_callbacks
):
    settings.STATEMENTS_ASYNC_ROWS = 5
    with django_capture_on_commit_callbacks():
        created = post(api, logged, month.csv_per_line()).json()

    assert created["status"] == "queued"
    response = api.get(reconciliation(created["id"]))
    assert response.status_code == 409
    assert response.json() == {"detail": "Not reconciled: queued.", "status": "queued"}
