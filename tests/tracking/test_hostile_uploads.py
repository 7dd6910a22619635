"""Hostile and damaged uploads: each stops at a limit with a clear 400 in seconds, reading no
more than the limit allows, and a NUL byte in one cell fails that row only. The files are made
here (a few hundred kB at most); the large ones compress well, as the attacks do."""

import io
import time
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook

from tests.tracking.test_import import csv_bytes, days_ago, good_rows, mapped, run, uploaded
from tracking.models import ImportJob, ProcedureLog
from tracking.portability import tables

pytestmark = pytest.mark.django_db

CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)


def post(client, user, body: bytes, name: str):
    client.force_login(user)
    handle = io.BytesIO(body)
    handle.name = name
    started = time.monotonic()
    response = client.post(reverse("tracking:import"), {"file": handle})
    return response, time.monotonic() - started


def workbook_zip(members: dict[str, object]) -> bytes:
    """A zip laid out like an XLSX; a member given as (chunk, times) is streamed, so a member of
    hundreds of MB never sits in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        for name, body in members.items():
            with archive.open(name, "w", force_zip64=True) as handle:
                if isinstance(body, tuple):
                    chunk, times = body
                    for _ in range(times):
                        handle.write(chunk)
                else:
                    handle.write(body)
    return out.getvalue()


def sheet(rows_xml: bytes, times: int = 1) -> dict[str, object]:
    start = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    return {"xl/worksheets/sheet1.xml": start + rows_xml * times + b"</sheetData></worksheet>"}


def real_workbook_with_sheet(sheet_xml: bytes) -> bytes:
    """A workbook openpyxl wrote, with its first sheet's XML replaced."""
    book = Workbook()
    book.active.append(["Date", "Code"])
    saved = io.BytesIO()
    book.save(saved)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(saved) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        for member in source.infolist():
            body = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                body = sheet_xml
            archive.writestr(member.filename, body)
    return out.getvalue()


def test_a_workbook_of_three_million_rows_is_refused_by_its_uncompressed_size(
    client, attending, release
):
    rows = b'<row><c t="inlineStr"><is><t>99213</t></is></c></row>' * 1000
    body = workbook_zip({"xl/worksheets/sheet1.xml": (rows, 3000)})
    assert len(body) < 1_000_000  # under a megabyte on the wire

    response, _ = post(client, attending, body, "bomb.xlsx")

    assert response.status_code == 400
    assert "expands to more than" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_shared_strings_bomb_is_refused_before_it_is_parsed(client, attending, release):
    strings = b"<si><t>" + b"A" * 10_000 + b"</t></si>"
    body = workbook_zip({"xl/sharedStrings.xml": (strings, 11_000), **sheet(b"")})

    response, _ = post(client, attending, body, "strings.xlsx")

    assert response.status_code == 400
    assert "expands to more than" in response.content.decode()


def test_a_workbook_that_declares_a_dtd_is_refused(client, attending, release):
    dtd = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
    body = workbook_zip({"xl/workbook.xml": dtd + b"<workbook/>", **sheet(b"")})

    response, _ = post(client, attending, body, "dtd.xlsx")

    assert response.status_code == 400
    assert "declares a DTD" in response.content.decode()


def test_a_sheet_of_millions_of_blank_rows_stops_at_the_line_limit(client, attending, release):
    # One cell far down: a reader fills the rows above it with blanks.
    far = tables.MAX_LINES * 30
    body = real_workbook_with_sheet(
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Date</t></is></c></row>'
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>'
        b"</sheetData></worksheet>" % (far, far)
    )

    response, _ = post(client, attending, body, "blank.xlsx")

    assert response.status_code == 400
    assert f"more than {tables.MAX_LINES:,} lines" in response.content.decode()


def test_a_csv_with_100000_columns_is_refused(client, attending, release):
    body = (",".join(f"c{i}" for i in range(100_000)) + "\n" + "1," * 99_999 + "1\n").encode()

    response, _ = post(client, attending, body, "wide.csv")

    assert response.status_code == 400
    assert f"more than {tables.MAX_COLUMNS} columns" in response.content.decode()


def test_a_csv_cell_over_128_kb_is_a_clear_error(client, attending, release):
    body = b"date,code,note\n2025-01-02,99213," + b"x" * 200_000 + b"\n"

    response, _ = post(client, attending, body, "long.csv")

    assert response.status_code == 400
    assert "Line 2: this CSV cannot be read" in response.content.decode()


def test_a_csv_of_too_many_rows_stops_at_the_row_limit(client, attending, release):
    body = b"date,code\n" + b"2025-01-02,99213\n" * (tables.MAX_ROWS + 5)

    response, _ = post(client, attending, body, "many.csv")

    assert response.status_code == 400
    assert f"At most {tables.MAX_ROWS:,} rows" in response.content.decode()


def test_a_nul_byte_in_one_cell_fails_that_row_only(client, attending, release):
    padding = [[days_ago(2), "99213", "", "1", "", "", "", "x" * 100]] * 50  # past the 4 kB sniff
    rows = [*good_rows(), *padding, [days_ago(1), "99213", "", "1", "", "", "", "bad\x00note"]]
    job = mapped(client, uploaded(client, attending, csv_bytes(rows)))

    job = run(client, job, mode="valid_rows")

    assert job.status == ImportJob.Status.DONE
    assert job.rows_imported == len(good_rows()) + len(padding)
    assert [error["row"] for error in job.errors] == [len(rows) + 1]
    assert "NUL" in job.errors[0]["errors"][0]
    assert not ProcedureLog.objects.filter(note__startswith="bad").exists()
