"""Importing NCCI edits: the bundled files, the PTP fixture's four parts, all or nothing, once
per content; the set in force on a date; a code's edits; the daily refresh from CMS's pages."""

import datetime as dt
import gzip
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from ncci import refresh, selectors, services
from ncci.models import AddOnEdit, EditSet, Mue, PtpEdit
from tests.codes.cms_server import release_page, running_cms_server

from .test_files import AOC_FILE, BUNDLED, MUE_FILE, PTP_FIXTURE

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundled_edits():
    return {o.edit_set.kind: o.edit_set for o in services.edits_import(source=BUNDLED)}


def test_the_bundled_files_import_whole_and_a_second_run_changes_nothing(bundled_edits):
    mue, aoc = bundled_edits["mue"], bundled_edits["aoc"]
    assert (mue.version, mue.effective_on, mue.rows) == ("2026Q2", dt.date(2026, 4, 1), 15095)
    assert (aoc.version, aoc.effective_on, aoc.rows) == ("2026Q2", dt.date(2026, 4, 1), 9000)
    assert Mue.objects.count() == 15095 and AddOnEdit.objects.count() == 9000
    # The recorded hash is the CMS file's own (uncompressed), so the original imports as a no-op.
    assert mue.files[0]["sha256"].startswith("720027c4")

    again = services.edits_import(source=BUNDLED)

    assert [o.imported for o in again] == [False, False]
    assert "already imported" in again[0].message
    assert EditSet.objects.count() == 2 and Mue.objects.count() == 15095


def test_load_bundled_data_loads_the_edits(tmp_path, settings):
    settings.CMS_DATA_DIR = tmp_path  # no fee schedule: only the edits are loaded here
    call_command("load_bundled_data", verbosity=0)
    assert set(EditSet.objects.values_list("kind", flat=True)) == {"mue", "aoc"}


def test_the_four_ptp_parts_make_one_set():
    (outcome,) = services.edits_import(source=PTP_FIXTURE)
    ptp = outcome.edit_set
    assert (ptp.kind, ptp.version, ptp.effective_on, ptp.rows) == (
        "ptp",
        "v32.2r0",
        dt.date(2026, 7, 1),
        7,
    )
    assert len(ptp.files) == 4
    edit = PtpEdit.objects.get(column1="20610", column2="99213")
    assert (edit.modifier, edit.deleted_on) == (1, None)


def test_three_parts_of_four_import_nothing(tmp_path):
    for part in (1, 2, 4):
        shutil.copy(PTP_FIXTURE / f"ccipra-v322r0-f{part}.zip", tmp_path)
    with pytest.raises(services.EditImportError, match=r"4 parts.*found part\(s\) 1, 2, 4"):
        services.edits_import(source=tmp_path)
    assert not EditSet.objects.exists()


def test_a_bad_line_in_the_last_part_leaves_nothing_behind(tmp_path):
    for part in (1, 2, 3):
        shutil.copy(PTP_FIXTURE / f"ccipra-v322r0-f{part}.zip", tmp_path)
    with zipfile.ZipFile(tmp_path / "ccipra-v322r0-f4.zip", "w") as zf:
        zf.writestr("ccipra-v322r0-f4.txt", "99214\t99213\t\t20210101\t*\t7\tx\r\n")
    with pytest.raises(services.EditImportError) as caught:
        services.edits_import(source=tmp_path)
    assert "ccipra-v322r0-f4.zip/ccipra-v322r0-f4.txt, line 1, column 6" in str(caught.value)
    assert "Nothing was imported" in str(caught.value)
    assert not EditSet.objects.exists() and not PtpEdit.objects.exists()


def test_a_failure_while_writing_rolls_the_whole_set_back(monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "BATCH_ROWS", 5)
    calls = []
    original = PtpEdit.objects.bulk_create

    def second_batch_fails(objs, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            fail()
        return original(list(objs), **kwargs)

    monkeypatch.setattr(PtpEdit.objects, "bulk_create", second_batch_fails)
    with pytest.raises(RuntimeError):
        services.edits_import(source=PTP_FIXTURE)
    assert not EditSet.objects.exists() and not PtpEdit.objects.exists()


def mue_copy(folder: Path, effective: str, change=None) -> Path:
    """The real MUE file under another quarter's name, with one row changed if asked."""
    text = gzip.decompress((BUNDLED / f"{MUE_FILE}.gz").read_bytes()).decode("cp1252")
    if change:
        text = text.replace(*change)
    path = folder / f"MCR_MUE_PractitionerServices_Eff_{effective}.csv"
    path.write_text(text, encoding="cp1252", newline="")
    return path


def test_the_set_in_force_on_a_date_of_service(tmp_path, bundled_edits):
    later = mue_copy(tmp_path, "07-01-2026", ("\n99213,2,3", "\n99213,3,3"))
    services.edits_import(source=later)

    def units(day):
        return selectors.code_edits("99213", day).mue.units

    assert units(dt.date(2026, 5, 1)) == 2  # 2026Q2
    assert units(dt.date(2026, 7, 1)) == 3  # 2026Q3 from its first day
    assert units(None) == 3  # today: the newest
    assert units(dt.date(2025, 3, 1)) == 2  # before every set: the oldest


def test_a_code_page_sees_both_sides_of_the_add_on_edits(bundled_edits):
    as_addon = selectors.code_edits("64484")
    as_primary = selectors.code_edits("64483")
    assert "64483" in [e.primary for e in as_addon.primaries]
    assert "64484" in [e.addon for e in as_primary.addons]
    assert as_addon.aoc_set == bundled_edits["aoc"]
    assert as_addon.mue.units == 4


def test_deleted_ptp_edits_are_left_out_after_their_deletion():
    services.edits_import(source=PTP_FIXTURE)
    assert [e.column2 for e in selectors.code_edits("64483", dt.date(2024, 6, 1)).bundles] == []
    assert [e.column2 for e in selectors.code_edits("64483", dt.date(2023, 6, 1)).bundles] == [
        "64479"
    ]


# The daily refresh ----------------------------------------------------------------------------


@pytest.fixture
def cms_pages(tmp_path, settings):
    """CMS's three NCCI pages on a local server, with the newest quarter of each."""
    gz = tmp_path / "zips"
    gz.mkdir()
    mue_zip = gz / "mcr-mue-practitionerservices-eff-07-01-2026.zip"
    with zipfile.ZipFile(mue_zip, "w") as zf:
        zf.write(
            mue_copy(tmp_path, "07-01-2026", ("\n99213,2,3", "\n99213,3,3")),
            "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv",
        )
    aoc_zip = gz / "aoc-v2026q2-mcr.zip"
    with zipfile.ZipFile(aoc_zip, "w") as zf:
        zf.writestr(AOC_FILE, gzip.decompress((BUNDLED / f"{AOC_FILE}.gz").read_bytes()))
    with running_cms_server() as cms:
        cms.add(
            "/mue", release_page(["/files/zip/mue-older-eff-01-01-2026.zip", f"/z/{mue_zip.name}"])
        )
        cms.add_file(f"/z/{mue_zip.name}", mue_zip)
        cms.add("/aoc", release_page([f"/z/{aoc_zip.name}"]))
        cms.add_file(f"/z/{aoc_zip.name}", aoc_zip)
        parts = [f"/z/ccipra-v322r0-f{p}.zip" for p in (1, 2, 3, 4)]
        cms.add("/ptp", release_page([*parts, "/z/ccipra-v323r0-f1.zip"]))
        for href in parts:
            cms.add_file(href, PTP_FIXTURE / Path(href).name)
        settings.NCCI_PAGE_URLS = {k: cms.url(f"/{k}") for k in ("mue", "aoc", "ptp")}
        yield cms


def test_the_refresh_imports_each_kinds_newest_quarter_once(cms_pages, bundled_edits):
    result = refresh.refresh_edits()

    # MUE 2026Q3 is newer than the bundled 2026Q2; AOC 2026Q2 is the bundled one; the PTP
    # quarter whose four parts are all linked (v32.3 has only its first).
    assert sorted(result.imported) == [
        "Medically Unlikely Edits 2026Q3",
        "Procedure-to-procedure edits v32.2r0",
    ]
    assert result.up_to_date == ["Add-on code edits 2026Q2"] and not result.failed
    assert cms_pages.hits("/z/aoc-v2026q2-mcr.zip") == 0

    again = refresh.refresh_edits()

    assert again.imported == [] and len(again.up_to_date) == 3
    assert EditSet.objects.count() == 4


def test_a_page_without_edit_links_is_reported(cms_pages):
    cms_pages.add("/aoc", release_page(["/z/other.zip"]))
    result = refresh.refresh_edits()
    assert any("no edit file linked" in f for f in result.failed)
