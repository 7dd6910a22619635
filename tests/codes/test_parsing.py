"""Reading CMS files without a database: names, headers spread over lines, layouts, categories."""

import datetime as dt
from decimal import Decimal

import pytest

from codes import categories, parsing
from codes.changes import summarize
from tests.cms_files import (
    RVU26C_PPRRVU,
    column,
    gpci_records,
    pprrvu_slice,
    real_bytes,
    real_rows,
    write_rows,
)


def member(path):
    _, members = parsing.read_source(path)
    (only,) = members
    only.kind = parsing.recognise(only)
    return only


@pytest.mark.parametrize(
    ("file_name", "year", "quarter", "qp"),
    [
        ("PPRRVU24_JUL.csv", 2024, "C", False),
        ("PPRRVU2025_Oct.csv", 2025, "D", False),
        ("PPRRVU25_OCT.xlsx", 2025, "D", False),
        ("PPRRVU2026_Jul_nonQPP.csv", 2026, "C", False),
        ("PPRRVU2026_Jan_QPP.csv", 2026, "A", True),
        ("PPRRVU26_APR_nonQP.txt", 2026, "B", False),
    ],
)
def test_it_reads_year_quarter_and_qp_flag_from_pprrvu_file_names(file_name, year, quarter, qp):
    info = parsing.pprrvu_release_info(file_name, [])

    assert (info.year, info.quarter, info.is_qp) == (year, quarter, qp)
    assert info.name == f"RVU{year % 100}{quarter}"
    assert info.effective_on == dt.date(year, parsing.QUARTER_MONTHS[quarter], 1)


@pytest.mark.parametrize(
    ("text", "name", "revised"),
    [
        ("rvu26c.zip", "RVU26C", False),
        ("rvu26c-updated-06-30-2026.zip", "RVU26C", False),
        ("RVU25D", "RVU25D", False),
        ("rvu24ar.zip", "RVU24AR", True),
        ("PPRRVU2025_Oct", None, False),
    ],
)
def test_it_reads_release_names_from_zip_and_folder_names(text, name, revised):
    info = parsing.release_from_name(text)

    assert (info.name if info else None) == name
    if info:
        assert info.revised is revised


def test_the_release_date_and_year_come_from_the_preamble(tmp_path):
    path = pprrvu_slice(tmp_path / "fee_schedule.csv")  # a name that says nothing

    parsed = parsing.parse_pprrvu(member(path))

    assert parsed.info.name == "RVU25D"
    assert parsed.info.released_on == dt.date(2025, 9, 11)


@pytest.mark.parametrize(
    ("folder", "name", "columns", "pricing"),
    [("RVU25D", "PPRRVU2025_Oct.csv", 31, None), ("RVU26C", RVU26C_PPRRVU, 32, "9")],
)
def test_both_pprrvu_layouts_map_every_column_by_its_stacked_header(
    tmp_path, folder, name, columns, pricing
):
    rows = real_rows(folder, name)
    assert len(rows[9]) == columns
    path = pprrvu_slice(tmp_path / name, source=(folder, name), codes={"70450"})

    parsed = parsing.parse_pprrvu(member(path))

    by_modifier = {
        row[1]: dict(zip(parsing.PPRRVU_FIELDS, row, strict=True)) for row in parsed.rows
    }
    assert set(by_modifier) == {"", "26", "TC"}
    assert by_modifier["TC"]["work_rvu"] == Decimal("0.00")
    assert by_modifier["26"]["work_rvu"] == by_modifier[""]["work_rvu"] > 0
    assert by_modifier[""]["facility_na"] is True
    assert by_modifier[""]["diagnostic_imaging_family"] == "88"
    assert by_modifier[""]["pricing_indicator"] == pricing
    assert parsed.has_pricing_indicator is (pricing is not None)


def test_a_layout_with_columns_in_another_order_reads_the_same_values(tmp_path):
    original = pprrvu_slice(
        tmp_path / "PPRRVU2026_Jul_nonQPP.csv", source=("RVU26C", RVU26C_PPRRVU)
    )

    def reverse_after_description(rows, at):
        for i in range(at - 4, len(rows)):
            rows[i][3:] = rows[i][3:][::-1]

    shuffled = pprrvu_slice(
        tmp_path / "PPRRVU2026_Jul_nonQPP_shuffled.csv",
        source=("RVU26C", RVU26C_PPRRVU),
        mutate=reverse_after_description,
    )

    assert (
        parsing.parse_pprrvu(member(shuffled)).rows == parsing.parse_pprrvu(member(original)).rows
    )


def test_an_xlsx_pprrvu_reads_like_the_csv(tmp_path):
    import openpyxl

    csv_path = pprrvu_slice(tmp_path / "PPRRVU2025_Oct.csv")
    book = openpyxl.Workbook()
    for row in real_rows("RVU25D", "PPRRVU2025_Oct.csv")[:70]:
        book.active.append(row)
    xlsx_path = tmp_path / "PPRRVU2025_Oct.xlsx"
    book.save(xlsx_path)

    from_xlsx = parsing.parse_pprrvu(member(xlsx_path))

    assert from_xlsx.rows == parsing.parse_pprrvu(member(csv_path)).rows
    assert from_xlsx.conversion_factor == Decimal("32.3465")


def test_locco_gets_its_leading_zeros_back_and_carries_the_state_down(tmp_path):
    path = tmp_path / "25LOCCO.csv"
    path.write_bytes(real_bytes("RVU25D", "25LOCCO.csv"))

    rows = parsing.parse_locco(member(path)).dicts()

    alabama = rows[0]
    assert (alabama["mac"], alabama["locality_number"], alabama["state"]) == (
        "10112",
        "00",
        "ALABAMA",
    )
    marin = next(r for r in rows if r["counties"] == "MARIN")
    assert (marin["mac"], marin["locality_number"], marin["state"]) == ("01112", "52", "CALIFORNIA")


def test_gpci_and_anes_read_past_their_footnotes(tmp_path):
    gpci = tmp_path / "GPCI2025.csv"
    gpci.write_bytes(real_bytes("RVU25D", "GPCI2025.csv"))
    anes = tmp_path / "ANES2025.csv"
    anes.write_bytes(real_bytes("RVU25D", "ANES2025.csv"))

    assert len(parsing.parse_gpci(member(gpci)).rows) == 109
    parsed_anes = parsing.parse_anes(member(anes))
    assert len(parsed_anes.rows) == 109
    assert parsed_anes.extra["national_conversion_factor"] == Decimal("20.3178")


def anes_records(folder, name):
    """{(MAC, locality): [stripped cells]} of a real ANES file, read with the csv module."""
    rows = real_rows(folder, name)
    return {
        (r[0].strip(), r[1].strip()): [c.strip() for c in r]
        for r in rows
        if r and r[0].strip().isdigit()
    }


@pytest.mark.parametrize(
    ("folder", "name", "in_force", "unfloored"),
    [
        # CY2026 January: two work columns; the floored one is in force, both are kept.
        (
            "RVU26A",
            "GPCI2026.csv",
            "2026 PW GPCI (with 1.0 Floor)",
            "2026 PW GPCI (without 1.0 Floor)",
        ),
        # CY2025: one work column, the one in force.
        ("RVU25D", "GPCI2025.csv", "2025 PW GPCI (with 1.0 Floor)", None),
    ],
)
def test_gpci_files_give_the_work_gpci_in_force_and_keep_the_unfloored_one(
    tmp_path, folder, name, in_force, unfloored
):
    path = tmp_path / name
    path.write_bytes(real_bytes(folder, name))
    expected = gpci_records(folder, name)

    rows = {(r["mac"], r["locality_number"]): r for r in parsing.parse_gpci(member(path)).dicts()}

    assert set(rows) == set(expected) and len(rows) == 109
    for key, record in expected.items():
        assert rows[key]["work_gpci"] == Decimal(record[in_force])
        assert rows[key]["work_gpci_without_floor"] == (
            Decimal(record[unfloored]) if unfloored else None
        )
        assert rows[key]["pe_gpci"] == Decimal(record[f"{name[4:8]} PE GPCI"])


def test_the_two_2026_work_columns_differ_where_the_floor_lifts_the_index(tmp_path):
    path = tmp_path / "GPCI2026.csv"
    path.write_bytes(real_bytes("RVU26A", "GPCI2026.csv"))

    rows = parsing.parse_gpci(member(path)).dicts()
    lifted = [r for r in rows if r["work_gpci"] != r["work_gpci_without_floor"]]

    assert len(lifted) == 47  # SOURCES: the two columns differ for 47 localities
    assert all(r["work_gpci"] == 1 > r["work_gpci_without_floor"] for r in lifted)
    alabama = next(r for r in rows if r["mac"] == "10112")
    assert (alabama["work_gpci"], alabama["work_gpci_without_floor"]) == (
        Decimal("1.000"),
        Decimal("0.988"),
    )


def test_anes2026_gives_the_non_qp_and_qp_factors_with_their_national_values(tmp_path):
    path = tmp_path / "ANES2026.csv"
    path.write_bytes(real_bytes("RVU26A", "ANES2026.csv"))
    # Columns: contractor, locality, name, QP CF, non-QP CF (headers name the national CFs).
    expected = anes_records("RVU26A", "ANES2026.csv")

    parsed = parsing.parse_anes(member(path))
    rows = {(r["mac"].lstrip("0"), r["locality_number"]): r for r in parsed.dicts()}

    assert len(rows) == len(expected) == 109
    for (mac, number), cells in expected.items():
        row = rows[(mac.lstrip("0"), number.zfill(2))]
        assert row["qp_anesthesia_conversion_factor"] == Decimal(cells[3])
        assert row["anesthesia_conversion_factor"] == Decimal(cells[4])
    # "... Anes CF (with 2.5% statutory increase) of 20.599835": the CF, not the 2.5.
    assert parsed.extra["national_conversion_factor"] == Decimal("20.49754")
    assert parsed.extra["qp_national_conversion_factor"] == Decimal("20.599835")
    alabama = rows[("10112", "00")]
    assert alabama["anesthesia_conversion_factor"] == Decimal("19.53")
    assert alabama["qp_anesthesia_conversion_factor"] == Decimal("19.63")


def test_anes2025_has_one_factor_and_no_qp_one(tmp_path):
    path = tmp_path / "ANES2025.csv"
    path.write_bytes(real_bytes("RVU25D", "ANES2025.csv"))

    parsed = parsing.parse_anes(member(path))

    assert {r["qp_anesthesia_conversion_factor"] for r in parsed.dicts()} == {None}
    assert "qp_national_conversion_factor" not in parsed.extra


def test_the_later_2026_layout_with_only_the_floored_column_reads_the_same_indices(tmp_path):
    """RVU26B/C/D ship GPCI2026.csv with the floored work column alone."""
    rows = real_rows("RVU26A", "GPCI2026.csv")
    for row in rows:
        del row[4]  # "2026 PW GPCI (without 1.0 Floor)"
    path = write_rows(tmp_path / "GPCI2026.csv", rows)
    expected = gpci_records("RVU26A", "GPCI2026.csv")

    parsed = parsing.parse_gpci(member(path)).dicts()

    assert {r["work_gpci_without_floor"] for r in parsed} == {None}
    assert {(r["mac"], r["locality_number"]): r["work_gpci"] for r in parsed} == {
        key: Decimal(record["2026 PW GPCI (with 1.0 Floor)"]) for key, record in expected.items()
    }


def test_a_gpci_file_without_a_work_column_is_refused_naming_it(tmp_path):
    rows = real_rows("RVU26A", "GPCI2026.csv")
    for row in rows:  # drop both work columns
        del row[4:6]
    path = write_rows(tmp_path / "GPCI2026.csv", rows)

    with pytest.raises(parsing.ParseError, match="missing column: PW GPCI"):
        parsing.parse_gpci(member(path))


def test_a_gzipped_file_reads_like_the_original_and_keeps_its_sha256(tmp_path):
    import gzip

    raw = tmp_path / "GPCI2025.csv"
    raw.write_bytes(real_bytes("RVU25D", "GPCI2025.csv"))
    packed = tmp_path / "packed" / "GPCI2025.csv.gz"
    packed.parent.mkdir()
    packed.write_bytes(gzip.compress(raw.read_bytes()))

    assert member(packed).sha256 == member(raw).sha256
    assert member(packed).file_name == "GPCI2025.csv"


@pytest.mark.parametrize(
    ("code", "kind", "category"),
    [
        ("99213", categories.CPT_CATEGORY_I, "E/M"),
        ("27447", categories.CPT_CATEGORY_I, "Surgery"),
        ("70450", categories.CPT_CATEGORY_I, "Radiology"),
        ("80053", categories.CPT_CATEGORY_I, "Pathology and Laboratory"),
        ("0001U", categories.CPT_CATEGORY_I, "Pathology and Laboratory"),
        ("90471", categories.CPT_CATEGORY_I, "Medicine"),
        ("99500", categories.CPT_CATEGORY_I, "Medicine"),
        ("00100", categories.CPT_CATEGORY_I, "Anesthesia"),
        ("0001F", categories.CPT_CATEGORY_II, "Category II"),
        ("0042T", categories.CPT_CATEGORY_III, "Category III"),
        ("J3490", categories.HCPCS_LEVEL_II, "J Codes (Drugs)"),
        ("E0100", categories.HCPCS_LEVEL_II, "Durable Medical Equipment"),
        ("G2211", categories.HCPCS_LEVEL_II, "Procedures and Professional Services (Temporary)"),
    ],
)
def test_codes_get_their_kind_and_category_from_their_shape(code, kind, category):
    assert categories.code_kind(code) == kind
    assert categories.code_category(code) == category


def test_the_change_summary_lists_added_removed_and_largest_work_changes_first():
    old = [("A", "", Decimal("1.00")), ("B", "", Decimal("2.00")), ("C", "", Decimal("3.00"))]
    new = [("A", "", Decimal("1.00")), ("B", "", Decimal("2.50")), ("C", "", Decimal("1.00"))]
    new.append(("D", "", Decimal("4.00")))
    old.append(("E", "26", Decimal("0.50")))

    summary = summarize(previous_name="RVU25D", old=old, new=new, top=1)

    assert summary["codes_added"] == ["D"]
    assert summary["codes_removed"] == ["E"]
    assert (summary["work_rvu_changes"], summary["work_rvu_increased"]) == (2, 1)
    assert summary["largest_work_rvu_changes"] == [
        {"code": "C", "modifier": "", "old": "3.00", "new": "1.00"}
    ]


def test_write_rows_keeps_cms_encoding_and_line_endings(tmp_path):
    path = write_rows(tmp_path / "x.csv", [["café", "1"]])

    assert path.read_bytes() == "café,1\r\n".encode("latin-1")


def test_column_helper_finds_stacked_headers():
    rows = real_rows("RVU26C", RVU26C_PPRRVU)

    assert rows[9][column(rows, 9, "PRIC", "IND")] == "IND"
