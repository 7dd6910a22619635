"""The importer on slices of the real files: idempotence, current release, fallback, lock."""

import gzip
import threading
import zipfile
from decimal import Decimal
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from codes import releases, selectors, services
from codes.models import Code, Locality, RelativeValue, Release, SourceFile
from codes.services import FeeScheduleImportError, ImportInProgress, release_import
from rvuedge import locks
from tests.cms_files import (
    RVU26A_FILES,
    RVU26C_PPRRVU,
    copy_real,
    gpci_records,
    hcpcs_slice,
    locality_folder,
    pprrvu_slice,
    real_bytes,
)

pytestmark = pytest.mark.django_db

CODES = {"99213", "99214", "70450", "J3490", "0001F"}


@pytest.fixture
def rvu25d_dir(tmp_path):
    folder = tmp_path / "RVU25D"
    folder.mkdir()
    pprrvu_slice(folder / "PPRRVU2025_Oct.csv", codes=CODES | {"27447"})
    for name in ("GPCI2025.csv", "25LOCCO.csv", "ANES2025.csv"):
        copy_real(folder, "RVU25D", name)
    return folder


@pytest.fixture
def rvu26c_file(tmp_path):
    return pprrvu_slice(
        tmp_path / RVU26C_PPRRVU, source=("RVU26C", RVU26C_PPRRVU), codes=CODES | {"99215"}
    )


def test_importing_the_same_files_again_does_nothing_and_says_so(rvu25d_dir):
    first = release_import(source=rvu25d_dir)
    counts = (RelativeValue.objects.count(), Locality.objects.count(), SourceFile.objects.count())

    again = release_import(source=rvu25d_dir)

    assert first.imported and not again.imported
    assert again.message.startswith("Nothing to import: already imported, same SHA-256")
    assert "PPRRVU2025_Oct.csv (in RVU25D)" in again.message
    assert again.release == first.release
    assert (
        RelativeValue.objects.count(),
        Locality.objects.count(),
        SourceFile.objects.count(),
    ) == counts


def test_a_gzipped_copy_of_an_imported_file_is_the_same_file(rvu25d_dir, tmp_path):
    release_import(source=rvu25d_dir)
    packed = tmp_path / "GPCI2025.csv.gz"
    packed.write_bytes(gzip.compress((rvu25d_dir / "GPCI2025.csv").read_bytes()))

    assert not release_import(source=packed).imported


def test_the_first_release_becomes_current_and_later_ones_only_when_asked(rvu25d_dir, rvu26c_file):
    first = release_import(source=rvu25d_dir).release
    second = release_import(source=rvu26c_file).release
    assert (first.status, second.status) == ("current", "ready")

    third = release_import(source=rvu26c_file, make_current=True)

    assert not third.imported and "RVU26C is now current" in third.message
    first.refresh_from_db()
    assert (first.status, third.release.status) == ("ready", "current")
    assert Release.objects.filter(status="current").count() == 1


def test_making_a_release_current_stores_what_changed_and_older_ones_stay_queryable(
    rvu25d_dir, rvu26c_file
):
    old = release_import(source=rvu25d_dir).release
    new = release_import(source=rvu26c_file, make_current=True).release

    summary = new.change_summary
    assert summary["previous"] == "RVU25D"
    assert summary["codes_added"] == ["99215"]
    assert summary["codes_removed"] == ["27447"]
    work = {
        (r.code.code, r.modifier, r.release.name): r.work_rvu
        for r in RelativeValue.objects.select_related("code", "release")
    }
    changed = {(c["code"], c["modifier"]) for c in summary["largest_work_rvu_changes"]}
    assert changed == {
        (code, mod)
        for (code, mod, name) in work
        if name == "RVU26C"
        and (code, mod, "RVU25D") in work
        and work[(code, mod, "RVU25D")] != work[(code, mod, "RVU26C")]
    }
    assert RelativeValue.objects.filter(release=old).count() == old.rvu_count > 0


def test_the_current_release_name_is_cached_and_cleared_when_it_changes(
    rvu25d_dir, rvu26c_file, django_assert_num_queries, django_capture_on_commit_callbacks
):
    assert releases.current_name() is None
    with django_capture_on_commit_callbacks(execute=True):
        release_import(source=rvu25d_dir)
    assert releases.current_name() == "RVU25D"
    with django_assert_num_queries(0):
        assert releases.current_name() == "RVU25D"

    new = release_import(source=rvu26c_file).release
    with django_capture_on_commit_callbacks(execute=True):
        services.release_make_current(release=new)

    assert releases.current_name() == "RVU26C"


# Localities by calendar year ----------------------------------------------------------------


@pytest.fixture
def rvu26a_dir(tmp_path):
    """RVU26A as bundled: its GPCI2026, 26LOCCO and ANES2026 files, no PPRRVU."""
    return locality_folder(tmp_path / "RVU26A")


def test_a_locality_only_folder_is_a_release_that_prices_nothing(rvu26a_dir):
    outcome = release_import(source=rvu26a_dir)

    release = outcome.release
    assert outcome.imported and release.name == "RVU26A"
    assert outcome.message == (
        "Imported 26LOCCO.csv, ANES2026.csv, GPCI2026.csv into RVU26A (locality files only, "
        "109 localities)."
    )
    assert (release.status, release.rvu_count, release.locality_count) == ("ready", 0, 109)
    assert (release.year, release.quarter, str(release.effective_on)) == (2026, "A", "2026-01-01")
    assert not Release.objects.loaded().exists()  # nothing to price from, never current
    assert list(Release.objects.locality_sources()) == [release]
    assert releases.current() is None
    assert not Locality.objects.filter(release=release, counties="").exists()


def test_a_locality_only_zip_imports_the_same_way(tmp_path):
    archive = tmp_path / "rvu26a-updated-12-29-2025.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in RVU26A_FILES:
            zf.writestr(name, real_bytes("RVU26A", name))

    release = release_import(source=archive).release

    assert (release.name, release.rvu_count, release.locality_count) == ("RVU26A", 0, 109)
    assert not release_import(source=archive).imported


def test_gpci2026_keeps_both_work_columns_and_anes2026_both_factors(rvu26a_dir):
    release = release_import(source=rvu26a_dir).release
    records = gpci_records("RVU26A", "GPCI2026.csv")
    stored = {(loc.mac, loc.locality_number): loc for loc in release.localities.all()}

    assert set(stored) == set(records)
    for key, record in records.items():
        assert stored[key].work_gpci == Decimal(record["2026 PW GPCI (with 1.0 Floor)"])
        assert stored[key].work_gpci_without_floor == Decimal(
            record["2026 PW GPCI (without 1.0 Floor)"]
        )
    alabama = stored[("10112", "00")]
    # ANES2026.csv: "10112 ,00 ,ALABAMA,19.63,19.53" (QP, non-QP)
    assert (alabama.anesthesia_cf(), alabama.anesthesia_cf(qp=True)) == (
        Decimal("19.53"),
        Decimal("19.63"),
    )
    assert release.anesthesia_conversion_factor == Decimal("20.49754")
    assert release.qp_anesthesia_conversion_factor == Decimal("20.599835")


@pytest.mark.parametrize("order", ["localities first", "localities last"])
def test_every_2026_release_is_priced_with_the_cy2026_localities(
    rvu25d_dir, rvu26a_dir, rvu26c_file, order
):
    rvu25d = release_import(source=rvu25d_dir).release
    if order == "localities first":
        release_import(source=rvu26a_dir)
    rvu26c = release_import(source=rvu26c_file, make_current=True).release
    if order == "localities last":
        release_import(source=rvu26a_dir)

    of_2026 = selectors.localities_for_release(rvu26c)
    of_2025 = selectors.localities_for_release(rvu25d)

    assert of_2026.source.name == "RVU26A" and not of_2026.borrowed and of_2026.note == ""
    assert of_2025.source == rvu25d and not of_2025.borrowed
    alabama = of_2026.localities.get(mac="10112", locality_number="00")
    assert (alabama.work_gpci, alabama.anesthesia_conversion_factor) == (
        Decimal("1.000"),
        Decimal("19.53"),
    )
    assert releases.current() == rvu26c


def test_a_locality_only_release_cannot_be_made_current(rvu26a_dir):
    release_import(source=rvu26a_dir)

    with pytest.raises(FeeScheduleImportError, match="has no RVU rows"):
        release_import(source=rvu26a_dir, make_current=True)


def test_a_release_without_gpci_borrows_the_newest_localities_and_says_so(rvu25d_dir, rvu26c_file):
    old = release_import(source=rvu25d_dir).release
    new = release_import(source=rvu26c_file).release

    own = selectors.localities_for_release(old)
    borrowed = selectors.localities_for_release(new)

    assert not own.borrowed and own.note == ""
    assert borrowed.borrowed and borrowed.source == old
    assert borrowed.note == (
        "No CY2026 locality files have been imported: RVU26C is priced with the CY2025 GPCIs "
        "and anesthesia conversion factors of RVU25D."
    )
    assert borrowed.localities.count() == own.localities.count() == 109


def test_localities_join_gpci_counties_and_anesthesia_factors(rvu25d_dir):
    release = release_import(source=rvu25d_dir).release

    marin = Locality.objects.get(release=release, mac="01112", locality_number="52")
    assert marin.counties == "MARIN"
    assert marin.state == "CA"
    assert marin.anesthesia_conversion_factor is not None
    st_louis_rest = Locality.objects.get(release=release, mac="05302", locality_number="99")
    assert st_louis_rest.counties == "ALL OTHER COUNTIES"  # listed twice in 25LOCCO, kept once
    assert release.anesthesia_conversion_factor == Decimal("20.3178")


def test_a_gpci_file_alone_goes_to_the_newest_release_of_its_year(tmp_path):
    release = release_import(source=pprrvu_slice(tmp_path / "PPRRVU2025_Oct.csv")).release
    assert release.locality_count == 0

    outcome = release_import(source=copy_real(tmp_path, "RVU25D", "GPCI2025.csv"))

    assert outcome.release == release
    release.refresh_from_db()
    assert release.locality_count == 109
    assert release.status == Release.Status.CURRENT


def test_a_gpci_file_with_no_release_to_join_asks_for_a_name(tmp_path):
    with pytest.raises(FeeScheduleImportError, match="no loaded 2025 release"):
        release_import(source=copy_real(tmp_path, "RVU25D", "GPCI2025.csv"))


def test_hcpcs_descriptors_enrich_codes_and_create_the_missing_ones(rvu25d_dir, tmp_path):
    release_import(source=rvu25d_dir)
    path = hcpcs_slice(tmp_path / "HCPC2025_OCT_ANWEB.xlsx", codes={"J3490", "E0100"})

    outcome = release_import(source=path)

    assert outcome.imported and outcome.release is None
    j3490 = Code.objects.get(code="J3490")
    assert j3490.long_descriptor == "Unclassified drugs"
    assert j3490.short_descriptor == "Drugs unclassified injection"
    assert j3490.hcpcs_added_on.isoformat() == "1986-01-01"
    e0100 = Code.objects.get(code="E0100")
    assert (e0100.kind, e0100.category) == ("hcpcs2", "Durable Medical Equipment")
    assert not release_import(source=path).imported


def test_progress_is_reported_up_to_the_total(rvu25d_dir):
    seen = []

    release = release_import(source=rvu25d_dir, progress=lambda d, t: seen.append((d, t))).release

    assert seen[0][0] == 0
    assert seen[-1][0] == seen[-1][1] == release.rows_total == release.rows_loaded > 0
    assert selectors.release_progress(release) == (release.rows_loaded, release.rows_total)


def test_a_release_left_loading_by_a_dead_process_is_taken_over(rvu25d_dir):
    Release.objects.create(name="RVU25D", year=2025, quarter="D", status="loading")

    release = release_import(source=rvu25d_dir).release

    assert release.status == Release.Status.CURRENT
    assert Release.objects.filter(name="RVU25D").count() == 1
    assert release.rvu_count == RelativeValue.objects.filter(release=release).count() > 0


def test_a_release_locked_by_another_process_is_not_imported(rvu25d_dir):
    settings_dict = connection.settings_dict
    other = psycopg.connect(
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        dbname=settings_dict["NAME"],
        autocommit=True,
    )
    try:
        lock = locks.lock_id(services.release_lock_key("RVU25D", False))
        other.execute("SELECT pg_advisory_lock(%s)", [lock])

        with pytest.raises(ImportInProgress, match="RVU25D is being imported by another process"):
            release_import(source=rvu25d_dir)
        assert RelativeValue.objects.count() == 0

        other.execute("SELECT pg_advisory_unlock(%s)", [lock])
        assert release_import(source=rvu25d_dir).imported
    finally:
        other.close()


def test_a_failed_release_is_imported_again_once_its_file_is_fixed(rvu25d_dir, tmp_path):
    bad = pprrvu_slice(
        tmp_path / "PPRRVU2025_Oct.csv",
        mutate=lambda rows, at: rows[at + 1].__setitem__(3, "Q"),
    )
    with pytest.raises(FeeScheduleImportError):
        release_import(source=bad)
    assert Release.objects.get(name="RVU25D").status == Release.Status.FAILED

    release = release_import(source=rvu25d_dir).release

    assert (release.status, release.error) == (Release.Status.CURRENT, "")


def test_a_qp_and_a_non_qp_file_make_two_releases_of_one_name(tmp_path, rvu26c_file):
    folder = tmp_path / "rvu26c"
    folder.mkdir()
    rvu26c_file.rename(folder / RVU26C_PPRRVU)
    qp = pprrvu_slice(folder / "PPRRVU2026_Jul_QPP.csv", source=("RVU26C", RVU26C_PPRRVU))
    assert qp.exists()

    outcome = release_import(source=folder, make_current=True)

    names = sorted((str(r), r.is_qp, r.status) for r in outcome.releases)
    assert names == [("RVU26C", False, "current"), ("RVU26C (QP)", True, "current")]
    assert releases.current().is_qp is False


# Commands -------------------------------------------------------------------------------------


def test_import_command_imports_and_reports(rvu25d_dir, capsys):
    call_command("import_fee_schedule", str(rvu25d_dir), verbosity=1)

    out = capsys.readouterr().out
    assert "Imported 25LOCCO.csv, ANES2025.csv, GPCI2025.csv, PPRRVU2025_Oct.csv into RVU25D" in out
    assert Release.objects.get(name="RVU25D").status == "current"


def test_import_command_turns_bad_input_into_a_command_error(tmp_path):
    path = tmp_path / "PPRRVU2025_Oct.csv"
    path.write_bytes(b"")

    with pytest.raises(CommandError, match=r"PPRRVU2025_Oct\.csv: the file is empty"):
        call_command("import_fee_schedule", str(path), verbosity=0)


def test_import_command_dry_run_checks_and_writes_nothing(rvu25d_dir, capsys):
    call_command("import_fee_schedule", str(rvu25d_dir), dry_run=True)

    out = capsys.readouterr().out
    assert "RVU25D/GPCI2025.csv: GPCI, 109 rows" in out
    assert "Release RVU25D: files check out." in out
    assert not Release.objects.exists()


def test_import_command_downloads_a_url_and_records_it(rvu26c_file):
    handler = partial(SimpleHTTPRequestHandler, directory=str(rvu26c_file.parent))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{RVU26C_PPRRVU}"
    try:
        call_command("import_fee_schedule", url, make_current=True, verbosity=0)
    finally:
        server.shutdown()
        server.server_close()

    release = Release.objects.get(name="RVU26C")
    assert (release.source, release.status) == (url, "current")


def test_load_bundled_data_imports_once_and_makes_the_newest_release_current(
    rvu25d_dir, rvu26a_dir, rvu26c_file, tmp_path, settings
):
    root = tmp_path / "bundle"
    (root / "RVU26C").mkdir(parents=True)
    rvu25d_dir.rename(root / "RVU25D")
    (root / "RVU26A").mkdir()
    for name in RVU26A_FILES:  # gzipped, as bundled
        packed = gzip.compress((rvu26a_dir / name).read_bytes())
        (root / "RVU26A" / f"{name}.gz").write_bytes(packed)
    (root / "RVU26C" / f"{RVU26C_PPRRVU}.gz").write_bytes(gzip.compress(rvu26c_file.read_bytes()))
    (root / "HCPCS2025_OCT").mkdir()
    hcpcs_slice(root / "HCPCS2025_OCT" / "HCPC2025_OCT_ANWEB.xlsx", codes={"J3490", "A2001"})
    (root / "HCPCS2026_JAN").mkdir()
    hcpcs_slice(
        root / "HCPCS2026_JAN" / "HCPC2026_JAN_ANWEB_01122026.xlsx",
        codes={"A2001", "A4295"},
        folder="HCPCS2026_JAN",
    )
    settings.CMS_DATA_DIR = root

    call_command("load_bundled_data", verbosity=0)
    files = SourceFile.objects.count()
    call_command("load_bundled_data", verbosity=0)

    current = releases.current()
    assert current.name == "RVU26C"
    assert selectors.localities_for_release(current).source.name == "RVU26A"
    assert Release.objects.get(name="RVU25D").status == "ready"
    assert Release.objects.get(name="RVU26A").status == "ready"
    assert SourceFile.objects.count() == files == 10  # 4 RVU25D, 3 RVU26A, 1 RVU26C, 2 HCPCS
    assert Code.objects.get(code="J3490").long_descriptor == "Unclassified drugs"
    # January 2026 is loaded after October 2025: its descriptors win, its new codes exist.
    assert Code.objects.get(code="A2001").long_descriptor.endswith(
        "(add-on, list separately in addition to primary procedure)"
    )
    assert Code.objects.get(code="A4295").hcpcs_added_on is not None


# Admin ----------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client):
    from tests.factories import UserFactory, sign_in

    return sign_in(client, UserFactory(is_staff=True, is_superuser=True))


def test_admin_lists_releases_with_progress_and_shows_the_change_summary(
    staff_client, rvu25d_dir, rvu26c_file
):
    release_import(source=rvu25d_dir)
    new = release_import(source=rvu26c_file, make_current=True).release

    listing = staff_client.get(reverse("admin:codes_release_changelist"))
    detail = staff_client.get(reverse("admin:codes_release_change", args=[new.pk]))

    assert listing.status_code == 200
    assert f"{new.rows_total:,} / {new.rows_total:,} rows (100%)" in listing.text
    assert detail.status_code == 200
    assert "Versus RVU25D: 1 codes added, 1 removed" in detail.text
    assert "priced with the CY2025 GPCIs and anesthesia conversion factors of RVU25D" in (
        detail.text
    )


def test_admin_action_makes_an_older_release_current(
    staff_client, rvu25d_dir, rvu26c_file, django_capture_on_commit_callbacks
):
    old = release_import(source=rvu25d_dir).release
    release_import(source=rvu26c_file, make_current=True)

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("admin:codes_release_changelist"),
            {"action": "make_current", "_selected_action": [old.pk]},
        )

    old.refresh_from_db()
    assert old.status == "current"
    assert releases.current_name() == "RVU25D"


def test_admin_action_reruns_a_failed_import_from_its_source(staff_client, tmp_path):
    path = pprrvu_slice(tmp_path / "PPRRVU2025_Oct.csv", codes=CODES)
    good = path.read_bytes()
    path.write_bytes(good.replace(b",A,", b",Q,", 1))
    with pytest.raises(FeeScheduleImportError):
        release_import(source=path)
    failed = Release.objects.get(name="RVU25D")
    assert failed.status == "failed"
    path.write_bytes(good)

    staff_client.post(
        reverse("admin:codes_release_changelist"),
        {"action": "reimport", "_selected_action": [failed.pk]},
    )

    failed.refresh_from_db()
    assert (failed.status, failed.error) == ("current", "")


def test_admin_buttons_make_current_and_refuse_staff_without_permission(
    client, rvu25d_dir, rvu26c_file
):
    from tests.factories import UserFactory, sign_in

    old = release_import(source=rvu25d_dir).release
    release_import(source=rvu26c_file, make_current=True)
    url = reverse("admin:codes_release_make_current", args=[old.pk])

    sign_in(client, UserFactory(is_staff=True))
    assert client.post(url).status_code == 403
    old.refresh_from_db()
    assert old.status == "ready"

    client.logout()
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:codes_release_change", args=[old.pk]))
    assert "Make RVU25D current" in page.text
    client.post(url)
    old.refresh_from_db()
    assert old.status == "current"


def test_a_newer_qp_release_becomes_current_for_qp_pricing_only(release, tmp_path):
    from codes.models import Release
    from codes.services import release_import
    from tests.cms_files import SLICE_CODES, write_release_slice

    # RVU26C's rows under the QP file name CMS uses from 2026, as two successive releases.
    older = write_release_slice(tmp_path / "PPRRVU2026_Apr_QPP.csv", "RVU26C", SLICE_CODES)
    newer = write_release_slice(
        tmp_path / "PPRRVU2026_Jul_QPP.csv", "RVU26C", SLICE_CODES - {"99214"}
    )
    first = release_import(source=older, name="RVU26B").release
    assert Release.objects.current(qp=True) == first

    second = release_import(source=newer, name="RVU26C", make_current=True).release

    assert second.is_qp is True
    assert Release.objects.current(qp=True) == second
    assert Release.objects.current() == release  # non-QP pricing is unchanged
