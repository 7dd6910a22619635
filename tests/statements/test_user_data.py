"""Statements are part of "download my data", and go when the account goes."""

import json

import pytest

from accounts.services import user_delete
from accounts.user_data import user_data_json
from statements.models import Statement, StatementLine, StatementMapping

from . import month
from .test_reconcile import OCTOBER, reconcile

pytestmark = pytest.mark.django_db


def test_download_my_data_holds_the_statements_and_delete_removes_them(
    attending, other_user, rvu26c
):
    month.log_month(attending, rvu26c)
    mine = reconcile(attending, month.csv_per_line(), "october.csv", period=OCTOBER)
    theirs = reconcile(other_user, month.csv_per_line(), "theirs.csv", period=OCTOBER)

    sections = json.loads(user_data_json(user=attending))["sections"]

    (statement,) = sections["statements"]
    assert (statement["file"], statement["period_from"], statement["differs"]) == (
        "october.csv", "2025-10-01", 10,
    )  # fmt: skip
    assert statement["owed_wrvu"] == "1.7660"
    assert len(sections["statement_lines"]) == len(month.EXPECTED)
    assert {line["statement"] for line in sections["statement_lines"]} == {mine.pk}
    assert {"field": "wrvu", "column": "wRVU"} in sections["statement_columns"]

    user_delete(user=attending)

    assert list(Statement.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert StatementLine.objects.filter(statement=theirs).count() == len(month.ROWS)
    assert not StatementLine.objects.filter(statement_id=mine.pk).exists()
    assert list(StatementMapping.objects.values_list("user", flat=True)) == [other_user.pk]
