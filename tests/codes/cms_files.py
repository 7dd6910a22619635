"""Real CMS files for the importer tests, whole or in slices written to a temporary folder.

The files come from ../shared/data/cms (the unchanged CMS downloads); a checkout without it falls
back to the gzipped copies bundled in data/cms, which hold the same bytes.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

SHARED_CMS = Path(settings.BASE_DIR).parent / "shared" / "data" / "cms"
BUNDLED_CMS = Path(settings.BASE_DIR) / "data" / "cms"

RVU25D_FILES = (
    "PPRRVU2025_Oct.csv",
    "GPCI2025.csv",
    "25LOCCO.csv",
    "ANES2025.csv",
    "OPPSCAP_Oct.csv",
)
RVU26C_PPRRVU = "PPRRVU2026_Jul_nonQPP.csv"
HCPCS_XLSX = "HCPC2025_OCT_ANWEB.xlsx"


def real_path(folder: str, name: str) -> Path:
    """Path of a real CMS file: the shared original, or the bundled .gz copy."""
    shared = SHARED_CMS / folder / name
    if shared.exists():
        return shared
    for candidate in (BUNDLED_CMS / folder / name, BUNDLED_CMS / folder / f"{name}.gz"):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"{name}: neither in {SHARED_CMS} nor in {BUNDLED_CMS}")


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


def hcpcs_slice(dest: Path, *, codes: set[str]) -> Path:
    """An xlsx with the real HCPCS header and the rows of `codes`."""
    import openpyxl

    source = openpyxl.load_workbook(real_path("HCPCS2025_OCT", HCPCS_XLSX), read_only=True)
    book = openpyxl.Workbook()
    sheet = book.active
    for i, row in enumerate(source.worksheets[0].iter_rows(values_only=True)):
        if i == 0 or (row[0] or "").strip() in codes:
            sheet.append(list(row))
    source.close()
    book.save(dest)
    return dest
