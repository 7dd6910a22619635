"""Real PPRRVU rows for the credit engine tests, read from the CMS files in ../shared/data."""

import csv
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from tracking.credit import FeeRow

SHARED_CMS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cms"
FILES = {
    "RVU25D": SHARED_CMS / "RVU25D" / "PPRRVU2025_Oct.csv",
    "RVU26C": SHARED_CMS / "RVU26C" / "PPRRVU2026_Jul_nonQPP.csv",
}


@cache
def _rows(release: str) -> dict[tuple[str, str], FeeRow]:
    with FILES[release].open(encoding="latin-1", newline="") as handle:
        reader = csv.reader(handle)
        lines = list(reader)
    start = next(i for i, line in enumerate(lines) if line and line[0] == "HCPCS")
    # The header is spread over the preamble: join each column's words from the lines above.
    header = [
        " ".join(part.strip() for part in parts if part.strip())
        for parts in zip(*lines[start - 4 : start + 1], strict=False)
    ]
    col = {name: index for index, name in enumerate(header)}

    def pick(line, *names):
        for name in names:
            if name in col:
                return line[col[name]].strip()
        raise KeyError(names)

    rows = {}
    for line in lines[start + 1 :]:
        if not line or not line[0].strip():
            continue
        row = FeeRow(
            code=line[0].strip(),
            modifier=line[1].strip(),
            status=pick(line, "STATUS CODE"),
            work_rvu=Decimal(pick(line, "WORK RVU")),
            non_facility_total=Decimal(pick(line, "NON-FACILITY TOTAL")),
            facility_total=Decimal(pick(line, "FACILITY TOTAL")),
            global_days=pick(line, "GLOB DAYS"),
            pre_op=Decimal(pick(line, "PRE OP")),
            intra_op=Decimal(pick(line, "INTRA OP")),
            post_op=Decimal(pick(line, "POST OP")),
            mult_proc=pick(line, "MULT PROC"),
            bilat_surg=pick(line, "BILAT SURG"),
            asst_surg=pick(line, "ASST SURG"),
            co_surg=pick(line, "CO- SURG"),
            team_surg=pick(line, "TEAM SURG"),
            pctc=pick(line, "PCTC IND"),
            endo_base=pick(line, "ENDO BASE"),
        )
        rows[(row.code, row.modifier)] = row
    return rows


@pytest.fixture
def fee_row():
    def lookup(code: str, modifier: str = "", release: str = "RVU25D") -> FeeRow:
        return _rows(release)[(code, modifier)]

    return lookup
