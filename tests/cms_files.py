"""Rows of the real CMS files in ../shared/data/cms, read independently of the importer so that
tests of pure calculations (pricing, wRVU credit) check against the files themselves."""

import csv
from decimal import Decimal
from functools import cache
from pathlib import Path

from tracking.credit import FeeRow

SHARED_CMS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cms"
PPRRVU_FILES = {
    "RVU25D": SHARED_CMS / "RVU25D" / "PPRRVU2025_Oct.csv",
    "RVU26C": SHARED_CMS / "RVU26C" / "PPRRVU2026_Jul_nonQPP.csv",
}


@cache
def pprrvu_records(release: str) -> dict[tuple[str, str], dict[str, str]]:
    """{(code, modifier): {column name: stripped value}} for a release's PPRRVU file."""
    with PPRRVU_FILES[release].open(encoding="latin-1", newline="") as handle:
        lines = list(csv.reader(handle))
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
    source = PPRRVU_FILES[release]
    lines = source.read_bytes().decode("latin-1").splitlines(keepends=True)
    header_end = next(i for i, line in enumerate(lines) if line.startswith("HCPCS,"))
    kept = [line for line in lines[header_end + 1 :] if line.split(",", 1)[0] in codes]
    path.write_bytes("".join(lines[: header_end + 1] + kept).encode("latin-1"))
    return path
