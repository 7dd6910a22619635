"""Reading NCCI edit files: the real bundled MUE and AOC files, the PTP fixture, and the errors
that name the file, line and column. Pure: no database."""

import datetime as dt
import gzip
import io
import zipfile
from pathlib import Path

import pytest

from ncci import files

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "data" / "ncci"
PTP_FIXTURE = Path(__file__).parent / "fixtures" / "ptp"
MUE_FILE = "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv"
AOC_FILE = "AOC_V2026Q2-MCR.xlsx"


def bundled(name):
    return files.Member(name, gzip.decompress((BUNDLED / f"{name}.gz").read_bytes()))


@pytest.fixture(scope="module")
def mue():
    return {row.code: row for row in files.parse(bundled(MUE_FILE)).rows}


@pytest.fixture(scope="module")
def aoc():
    return files.parse(bundled(AOC_FILE)).rows


@pytest.mark.parametrize(
    ("name", "kind", "version", "effective_on", "part"),
    [
        (MUE_FILE, "mue", "2026Q2", dt.date(2026, 4, 1), 1),
        (
            "mcr-mue-practitionerservices-eff-07-01-2026.zip",
            "mue",
            "2026Q3",
            dt.date(2026, 7, 1),
            1,
        ),
        (AOC_FILE, "aoc", "2026Q2", dt.date(2026, 4, 1), 1),
        ("aoc-v2026q4-mcr.zip", "aoc", "2026Q4", dt.date(2026, 10, 1), 1),
        # Version 32 is 2026 (30 was 2024); .2 its third quarter; f3 the third part.
        ("ccipra-v322r0-f3.txt", "ptp", "v32.2r0", dt.date(2026, 7, 1), 3),
        ("ccipra-v300r1-f1.zip", "ptp", "v30.0r1", dt.date(2024, 1, 1), 1),
    ],
)
def test_a_file_name_says_its_kind_version_and_first_day(name, kind, version, effective_on, part):
    assert files.identify(name) == files.Identity(kind, version, effective_on, part)


@pytest.mark.parametrize("name", ["readme.pdf", "PPRRVU2026_Jul.csv", "ccipra-v324r0-f1.txt"])
def test_other_files_are_not_edit_files(name):
    assert files.identify(name) is None


def test_the_real_mue_file_has_15095_codes_read_past_the_copyright_cell(mue):
    assert len(mue) == 15095


@pytest.mark.parametrize(
    ("code", "units", "mai"),
    [
        # From MCR_MUE_PractitionerServices_Eff_04-01-2026.csv, as the file has them:
        ("99213", 2, 3),  # "99213,2,3 Date of Service Edit: Clinical,Clinical: Data"
        ("20610", 2, 3),
        ("64484", 4, 3),
        ("27447", 1, 2),  # "2 Date of Service Edit: Policy"
        ("22614", 13, 3),
        ("0001U", 1, 2),  # the first row after the header
        ("V5364", 0, 3),  # the last row
    ],
)
def test_real_mue_rows(mue, code, units, mai):
    assert (mue[code].units, mue[code].mai) == (units, mai)


def test_the_real_aoc_file_has_9000_edits_by_type(aoc):
    by_type = {t: sum(1 for row in aoc if row.edit_type == t) for t in (1, 2, 3)}
    assert len(aoc) == 9000
    assert by_type == {1: 8293, 2: 47, 3: 660}


def test_real_aoc_rows_with_julian_dates(aoc):
    # "1, 64484, , 64483, , 2013091": type 1 since the 91st day of 2013 (April 1).
    row = next(r for r in aoc if (r.addon, r.primary) == ("64484", "64483"))
    assert (row.edit_type, row.effective_on, row.deleted_on) == (1, dt.date(2013, 4, 1), None)
    # Type 2: the contractor defines the primary codes ("CCCCC").
    assert any(r.addon == "0054T" and r.primary == "CCCCC" and r.edit_type == 2 for r in aoc)
    # A deleted edit: U0005 with U0004, deleted 2023181 (June 30, 2023).
    deleted = next(r for r in aoc if (r.addon, r.primary) == ("U0005", "U0004"))
    assert deleted.deleted_on == dt.date(2023, 6, 30)


def test_the_ptp_fixture_parts_read_from_their_zips():
    members = files.read_source(PTP_FIXTURE)
    assert [m.file_name for m in members] == [f"ccipra-v322r0-f{p}.txt" for p in (1, 2, 3, 4)]
    rows = files.parse(members[0]).rows
    assert rows[0] == files.PtpRow(
        "20610", "99213", dt.date(2016, 1, 1), None, 1, "Standards of medical / surgical practice"
    )
    deleted = files.parse(members[2]).rows[0]
    assert (deleted.deleted_on, deleted.modifier) == (dt.date(2023, 12, 31), 9)


def mue_member(body: str) -> files.Member:
    header = (
        '"HCPCS/\nCPT Code",Practitioner Services MUE Values,MUE Adjudication Indicator,'
        "MUE Rationale\n"
    )
    return files.Member(MUE_FILE, ('"copyright"\n' + header + body).encode())


@pytest.mark.parametrize(
    ("body", "where", "problem"),
    [
        (
            "99213,2,3 Date of Service Edit: Clinical,x\n9921,1,2 Policy,x\n",
            "line 5, column 1",
            "“9921” is not",
        ),
        ("99213,two,3 Clinical,x\n", "line 4, column 2", "not a number of units"),
        ("99213,2,4 Other,x\n", "line 4, column 3", "not a MAI"),
        ("99213,2,3 Clinical,x\n99213,1,3 Clinical,x\n", "line 5, column 1", "listed twice"),
    ],
)
def test_a_bad_mue_row_names_the_file_line_and_column(body, where, problem):
    with pytest.raises(files.EditFileError) as caught:
        files.parse(mue_member(body))
    assert str(caught.value).startswith(f"{MUE_FILE}, {where}: ")
    assert problem in str(caught.value)


def test_a_file_without_the_header_says_which_columns_it_wants():
    with pytest.raises(files.EditFileError, match="no header row naming the columns"):
        files.parse(files.Member(MUE_FILE, b"a,b,c\n1,2,3\n"))


def test_nul_bytes_are_refused():
    with pytest.raises(files.EditFileError, match="NUL bytes"):
        files.parse(mue_member("99213,2,3\x00,x\n"))


def test_a_bad_ptp_date_names_line_and_column():
    text = (
        "Column1\tColumn2\t*\tEffective\tDeletion\tModifier\tRationale\n"
        "20610\t99213\t\t2016013\t*\t1\tx\n"
    )
    with pytest.raises(files.EditFileError) as caught:
        files.parse(files.Member("ccipra-v322r0-f1.txt", text.encode()))
    assert "ccipra-v322r0-f1.txt, line 2, column 4" in str(caught.value)


def test_a_zip_with_no_edit_file_says_what_it_expects(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(files.EditFileError, match="holds no NCCI edit file"):
        files.read_source(path)


def test_a_corrupt_zip_is_an_error_not_a_crash(tmp_path):
    path = tmp_path / "ccipra-v322r0-f1.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("ccipra-v322r0-f1.txt", "x" * 1000)
    path.write_bytes(buffer.getvalue()[:200])
    with pytest.raises(files.EditFileError, match="not a readable zip"):
        files.read_source(path)
