"""The real CMS files bundled in data/cms (gzipped, byte for byte the CMS downloads), read
independently of the importer: whole, as rows, or in slices written to a temporary folder, so that
importer tests and tests of pure calculations (pricing, wRVU credit) check against the files
themselves. Only files inside the repository are read."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path

from codes.credit import FeeRow

BUNDLED_CMS = Path(__file__).resolve().parents[1] / "data" / "cms"

RVU25D_FILES = (
    "PPRRVU2025_Oct.csv",
    "GPCI2025.csv",
    "25LOCCO.csv",
    "ANES2025.csv",
    "OPPSCAP_Oct.csv",
)
# RVU26A is bundled with its locality members only (CY2026's GPCIs, counties, anesthesia CFs).
RVU26A_FILES = ("GPCI2026.csv", "26LOCCO.csv", "ANES2026.csv")
RVU26C_PPRRVU = "PPRRVU2026_Jul_nonQPP.csv"
HCPCS_XLSX = "HCPC2025_OCT_ANWEB.xlsx"
HCPCS_2026_XLSX = "HCPC2026_JAN_ANWEB_01122026.xlsx"
HCPCS_FILES = {"HCPCS2025_OCT": HCPCS_XLSX, "HCPCS2026_JAN": HCPCS_2026_XLSX}
# The PPRRVU file of each release, by folder and the name CMS gives it.
PPRRVU_FILES = {
    "RVU25D": ("RVU25D", "PPRRVU2025_Oct.csv"),
    "RVU26C": ("RVU26C", RVU26C_PPRRVU),
}


def real_path(folder: str, name: str) -> Path:
    """Path of a bundled CMS file (as is, or its .gz copy)."""
    for candidate in (BUNDLED_CMS / folder / name, BUNDLED_CMS / folder / f"{name}.gz"):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"{folder}/{name} is not bundled in {BUNDLED_CMS}")


def real_bytes(folder: str, name: str) -> bytes:
    path = real_path(folder, name)
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def real_rows(folder: str, name: str) -> list[list[str]]:
    """The csv rows of a real file, cells unstripped."""
    text = real_bytes(folder, name).decode("latin-1")
    return list(csv.reader(io.StringIO(text, newline="")))


def header_index(rows: list[list[str]]) -> int:
    return next(i for i, row in enumerate(rows) if row and row[0].strip() == "HCPCS")


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    """Write rows the way CMS does: latin-1, CRLF."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode("latin-1"))
    return path


def pprrvu_slice(
    dest: Path,
    *,
    source: tuple[str, str] = ("RVU25D", "PPRRVU2025_Oct.csv"),
    codes: set[str] | None = None,
    first: int = 60,
    mutate: Callable[[list[list[str]], int], None] | None = None,
) -> Path:
    """A PPRRVU file with the real preamble and header and some of its real rows.

    Rows are those of `codes` (all their modifiers) or else the first `first` data rows.
    `mutate(rows, header_at)` may change the rows before they are written.
    """
    rows = real_rows(*source)
    at = header_index(rows)
    data = [r for r in rows[at + 1 :] if r and r[0].strip()]
    chosen = [r for r in data if r[0].strip() in codes] if codes else data[:first]
    rows = rows[: at + 1] + chosen
    if mutate:
        mutate(rows, at)
    return write_rows(dest, rows)


def column(rows: list[list[str]], at: int, *names: str) -> int:
    """Position of a PPRRVU column by its stacked header words (e.g. "WORK", "RVU")."""
    for i in range(len(rows[at])):
        stacked = [rows[j][i].strip() for j in range(at - 4, at + 1) if i < len(rows[j])]
        words = [w for w in stacked if w]
        if words[-len(names) :] == list(names):
            return i
    raise KeyError(names)


def copy_real(dest_dir: Path, folder: str, name: str) -> Path:
    path = dest_dir / name
    path.write_bytes(real_bytes(folder, name))
    return path


def locality_folder(dest: Path, folder: str = "RVU26A", names=RVU26A_FILES) -> Path:
    """A folder named like the release (RVU26A) holding its real locality files only."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        copy_real(dest, folder, name)
    return dest


@cache
def gpci_records(folder: str, name: str) -> dict[tuple[str, str], dict[str, str]]:
    """{(MAC, locality number): {header: stripped value}} of a real GPCI file, read with csv."""
    rows = real_rows(folder, name)
    at = next(i for i, row in enumerate(rows) if "Locality Name" in row)
    header = [cell.strip() for cell in rows[at]]
    return {
        (row[0].strip(), row[2].strip()): dict(zip(header, (c.strip() for c in row), strict=False))
        for row in rows[at + 1 :]
        if row and row[0].strip().isdigit()
    }


def hcpcs_slice(dest: Path, *, codes: set[str], folder: str = "HCPCS2025_OCT") -> Path:
    """An xlsx with the real HCPCS header (of the file in `folder`) and the rows of `codes`."""
    import openpyxl

    data = io.BytesIO(real_bytes(folder, HCPCS_FILES[folder]))
    source = openpyxl.load_workbook(data, read_only=True)
    book = openpyxl.Workbook()
    sheet = book.active
    for i, row in enumerate(source.worksheets[0].iter_rows(values_only=True)):
        if i == 0 or (row[0] or "").strip() in codes:
            sheet.append(list(row))
    source.close()
    book.save(dest)
    return dest


@cache
def pprrvu_records(release: str) -> dict[tuple[str, str], dict[str, str]]:
    """{(code, modifier): {column name: stripped value}} for a release's PPRRVU file."""
    lines = real_rows(*PPRRVU_FILES[release])
    start = next(i for i, line in enumerate(lines) if line and line[0] == "HCPCS")
    # The header is spread over the preamble: join each column's words from the lines above.
    header = [
        " ".join(part.strip() for part in parts if part.strip())
        for parts in zip(*lines[start - 4 : start + 1], strict=False)
    ]
    records = {}
    for line in lines[start + 1 :]:
        if line and line[0].strip():
            record = {name: value.strip() for name, value in zip(header, line, strict=False)}
            records[(record["HCPCS"], record["MOD"])] = record
    return records


def fee_row(code: str, modifier: str = "", release: str = "RVU25D") -> FeeRow:
    r = pprrvu_records(release)[(code, modifier)]
    return FeeRow(
        code=code,
        modifier=modifier,
        status=r["STATUS CODE"],
        work_rvu=Decimal(r["WORK RVU"]),
        non_facility_total=Decimal(r["NON-FACILITY TOTAL"]),
        facility_total=Decimal(r["FACILITY TOTAL"]),
        global_days=r["GLOB DAYS"],
        pre_op=Decimal(r["PRE OP"]),
        intra_op=Decimal(r["INTRA OP"]),
        post_op=Decimal(r["POST OP"]),
        mult_proc=r["MULT PROC"],
        bilat_surg=r["BILAT SURG"],
        asst_surg=r["ASST SURG"],
        co_surg=r["CO- SURG"],
        team_surg=r["TEAM SURG"],
        pctc=r["PCTC IND"],
        endo_base=r["ENDO BASE"],
    )


# Real RVU25D/RVU26C codes that tests import (and the endoscopy base codes they name).
SLICE_CODES = frozenset({
    "99213", "99214", "99291", "99292", "27447", "27130", "47562", "19303", "20610", "22551",
    "22552", "45378", "45380", "45385", "43235", "43239", "70450", "J3490", "64483", "64484",
    "96523", "44970", "63030",
})  # fmt: skip


def write_release_slice(path, release="RVU25D", codes=SLICE_CODES):
    """The real PPRRVU file's preamble and header, with only the rows of `codes`: imports through
    the real importer in milliseconds."""
    lines = real_bytes(*PPRRVU_FILES[release]).decode("latin-1").splitlines(keepends=True)
    header_end = next(i for i, line in enumerate(lines) if line.startswith("HCPCS,"))
    kept = [line for line in lines[header_end + 1 :] if line.split(",", 1)[0] in codes]
    path.write_bytes("".join(lines[: header_end + 1] + kept).encode("latin-1"))
    return path
