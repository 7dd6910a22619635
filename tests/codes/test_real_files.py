"""The importer against every real CMS file: counts, conversion factors and spot values.

The three full imports run once for the module (about ten seconds) and are wiped afterwards;
each test still runs in its own rolled-back transaction on top of them. Expected figures are
counted from the files here with the csv module, independently of the importer, or are values
printed in the files (99213's work RVU, J3490's status, the conversion factors).
"""

import csv
import io
import zipfile
from decimal import Decimal

import pytest

from codes import pricing, releases, selectors
from codes.models import Code, Locality, OppsCap, RelativeValue, Release, SourceFile
from codes.services import release_import
from tests.cms_files import (
    HCPCS_XLSX,
    RVU25D_FILES,
    RVU26C_PPRRVU,
    column,
    header_index,
    locality_folder,
    real_bytes,
    real_path,
    real_rows,
)

pytestmark = pytest.mark.django_db


def wipe():
    RelativeValue.objects.all().delete()
    OppsCap.objects.all().delete()
    SourceFile.objects.all().delete()
    Release.objects.all().delete()
    Code.objects.all().delete()


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cms") / "RVU25D"
    folder.mkdir()
    for name in RVU25D_FILES:
        (folder / name).write_bytes(real_bytes("RVU25D", name))
    rvu26a = locality_folder(folder.parent / "RVU26A")
    with django_db_blocker.unblock():
        wipe()
        outcomes = {
            "RVU25D": release_import(source=folder),
            "RVU26A": release_import(source=rvu26a),
            "RVU26C": release_import(source=real_path("RVU26C", RVU26C_PPRRVU), make_current=True),
            "HCPCS": release_import(source=real_path("HCPCS2025_OCT", HCPCS_XLSX)),
        }
    yield outcomes
    with django_db_blocker.unblock():
        wipe()


def data_rows(folder, name):
    rows = real_rows(folder, name)
    return [[c.strip() for c in r] for r in rows[header_index(rows) + 1 :] if r and r[0].strip()]


@pytest.mark.parametrize(
    ("name", "folder", "file", "rows", "codes", "factor"),
    [
        ("RVU25D", "RVU25D", "PPRRVU2025_Oct.csv", 19090, 16852, Decimal("32.3465")),
        ("RVU26C", "RVU26C", RVU26C_PPRRVU, 19356, 17096, Decimal("33.4009")),
    ],
)
def test_each_pprrvu_file_loads_every_row_and_its_conversion_factor(
    imported, name, folder, file, rows, codes, factor
):
    release = Release.objects.get(name=name)
    in_file = data_rows(folder, file)

    assert len(in_file) == rows == release.rvu_count
    assert len({r[0] for r in in_file}) == codes == release.code_count
    assert RelativeValue.objects.filter(release=release).count() == rows
    assert release.conversion_factor == factor
    raw = real_rows(folder, file)
    at = header_index(raw)
    factor_at = column(raw, at, "CONV", "FACTOR")
    assert {r[factor_at] for r in in_file} == {str(factor)}


def test_release_dates_and_quarters_come_from_the_files(imported):
    rvu25d = Release.objects.get(name="RVU25D")
    rvu26c = Release.objects.get(name="RVU26C")

    assert (rvu25d.year, rvu25d.quarter, str(rvu25d.released_on)) == (2025, "D", "2025-09-11")
    assert (rvu26c.year, rvu26c.quarter, str(rvu26c.released_on)) == (2026, "C", "2026-06-30")
    assert str(rvu26c.effective_on) == "2026-07-01"
    assert rvu26c.status == Release.Status.CURRENT and rvu25d.status == Release.Status.READY


def rvu(release, code, modifier=""):
    return RelativeValue.objects.get(release__name=release, code__code=code, modifier=modifier)


def test_spot_values_match_the_files(imported):
    office_visit = rvu("RVU25D", "99213")
    assert office_visit.work_rvu == Decimal("1.30")
    assert (office_visit.non_facility_total, office_visit.facility_total) == (
        Decimal("2.75"),
        Decimal("1.97"),
    )
    assert office_visit.code.category == "E/M"
    assert rvu("RVU26C", "99213").work_rvu == Decimal("1.30")

    drug = rvu("RVU25D", "J3490")
    assert drug.status == "E"
    assert drug.work_rvu == drug.non_facility_total == Decimal("0.00")
    assert drug.code.category == "J Codes (Drugs)"

    ct_global, ct_26, ct_tc = (rvu("RVU25D", "70450", m) for m in ("", "26", "TC"))
    assert ct_26.work_rvu == ct_global.work_rvu == Decimal("0.85")
    assert ct_tc.work_rvu == Decimal("0.00")
    assert ct_global.pctc_indicator == "1" and ct_global.facility_na is True
    assert ct_tc.opps_non_facility_pe_rvu == Decimal("3.27")


def test_pricing_indicator_is_empty_before_2026_and_read_from_2026_on(imported):
    assert not RelativeValue.objects.filter(
        release__name="RVU25D", pricing_indicator__isnull=False
    ).exists()
    assert rvu("RVU26C", "99213").pricing_indicator == "9"


def test_every_row_of_every_release_totals_work_pe_and_mp(imported):
    for row in RelativeValue.objects.values(
        "work_rvu",
        "non_facility_pe_rvu",
        "facility_pe_rvu",
        "mp_rvu",
        "non_facility_total",
        "facility_total",
    ).iterator():
        base = row["work_rvu"] + row["mp_rvu"]
        assert abs(base + row["non_facility_pe_rvu"] - row["non_facility_total"]) <= Decimal("0.01")
        assert abs(base + row["facility_pe_rvu"] - row["facility_total"]) <= Decimal("0.01")


def test_localities_counties_anesthesia_and_opps_caps_load(imported):
    release = Release.objects.get(name="RVU25D")

    assert release.locality_count == Locality.objects.filter(release=release).count() == 109
    assert not Locality.objects.filter(release=release, counties="").exists()
    assert not Locality.objects.filter(
        release=release, anesthesia_conversion_factor__isnull=True
    ).exists()
    assert release.anesthesia_conversion_factor == Decimal("20.3178")
    oppscap = data_rows_simple("OPPSCAP_Oct.csv")
    assert release.opps_cap_count == OppsCap.objects.filter(release=release).count() == len(oppscap)


def data_rows_simple(name):
    rows = real_rows("RVU25D", name)[1:]
    return [r for r in rows if r and r[0].strip()]


def test_hcpcs_file_describes_all_its_codes(imported):
    import openpyxl

    book = openpyxl.load_workbook(real_path("HCPCS2025_OCT", HCPCS_XLSX), read_only=True)
    records = [row[2] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    book.close()

    assert records.count("3") == 8463
    assert Code.objects.exclude(hcpcs_added_on=None).count() == 8463
    assert Code.objects.get(code="J3490").long_descriptor == "Unclassified drugs"
    assert Code.objects.exclude(hcpcs_terminated_on=None).count() == 1205


def test_rvu26c_is_priced_with_the_cy2026_localities_of_rvu26a(imported):
    locality_set = selectors.localities_for_release(releases.current())

    assert not locality_set.borrowed and locality_set.note == ""
    assert locality_set.source.name == "RVU26A"
    assert locality_set.localities.count() == 109


def test_the_importers_cap_reproduces_every_oppscap_row(imported):
    """Every OPPSCAP_Oct row stored with RVU25D is what pricing works out from the stored PPRRVU
    rows and GPCIs: status A rows' capped office amount, C rows' cap (a C global row with the
    work RVU of its -26 row). OPPSCAP lists Southern California localities under carrier 01112
    that the GPCI file has under 01182; a locality number names one locality within a state."""
    release = Release.objects.get(name="RVU25D")
    rows = {
        (r.code.code, r.modifier): r
        for r in RelativeValue.objects.filter(release=release).select_related("code")
    }
    localities = list(release.localities.all())
    by_key = {(loc.mac, loc.locality_number): loc for loc in localities}
    state = {loc.mac: loc.state for loc in localities}

    def locality_of(carrier, number):
        if (carrier, number) in by_key:
            return by_key[(carrier, number)]
        same_state = [loc for loc in localities if loc.state == state[carrier]]
        (found,) = [loc for loc in same_state if loc.locality_number == number]
        return found

    matched = 0
    caps = OppsCap.objects.filter(release=release).select_related("code")
    for cap in caps.iterator():
        loc = locality_of(cap.carrier, cap.locality_number)
        gpci = pricing.Gpci(loc.work_gpci, loc.pe_gpci, loc.mp_gpci)
        row = rows[(cap.code.code, cap.modifier)]
        if cap.status == "C":
            professional = rows.get((cap.code.code, "26"))
            ours = pricing.cents(
                pricing.opps_amount(
                    row, gpci, professional_work_rvu=professional.work_rvu if professional else None
                )
            )
        else:
            ours = pricing.row_payment(row, "non_facility", gpci).amount
        assert ours == cap.non_facility_price, (cap, ours)
        matched += 1

    assert matched == release.opps_cap_count == 16100


def test_the_change_summary_of_rvu26c_matches_the_files(imported):
    old = data_rows("RVU25D", "PPRRVU2025_Oct.csv")
    new = data_rows("RVU26C", RVU26C_PPRRVU)
    old_work = {(r[0], r[1]): Decimal(r[5]) for r in old}
    new_work = {(r[0], r[1]): Decimal(r[5]) for r in new}

    summary = Release.objects.get(name="RVU26C").change_summary

    assert summary["previous"] == "RVU25D"
    assert summary["codes_added"] == sorted({k[0] for k in new_work} - {k[0] for k in old_work})
    assert summary["codes_removed"] == sorted({k[0] for k in old_work} - {k[0] for k in new_work})
    changed = [k for k in new_work if k in old_work and new_work[k] != old_work[k]]
    assert summary["work_rvu_changes"] == len(changed) > 0


def test_importing_the_real_files_again_in_a_zip_is_a_no_op(imported, tmp_path):
    archive = tmp_path / "rvu25d.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in RVU25D_FILES:
            zf.writestr(name, real_bytes("RVU25D", name))
    rows = RelativeValue.objects.count()

    outcome = release_import(source=archive)

    assert not outcome.imported
    assert outcome.release.name == "RVU25D"
    assert RelativeValue.objects.count() == rows


def test_the_csv_module_reads_the_same_rows_as_the_importer(imported):
    text = real_bytes("RVU25D", "GPCI2025.csv").decode("latin-1")
    rows = [r for r in csv.reader(io.StringIO(text)) if r and r[0].strip().isdigit()]
    localities = {
        (loc.mac, loc.locality_number): loc.pe_gpci
        for loc in Locality.objects.filter(release__name="RVU25D")
    }

    assert {(r[0], r[2]): Decimal(r[5]) for r in rows} == localities
