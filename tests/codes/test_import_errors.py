"""Bad input: every message names the file, line and column, and nothing changes."""

import gzip
import zipfile

import pytest

from codes.models import Code, Locality, RelativeValue, Release, SourceFile
from codes.services import FeeScheduleImportError, release_import
from tests.cms_files import RVU26C_PPRRVU, column, copy_real, pprrvu_slice

pytestmark = pytest.mark.django_db


@pytest.fixture
def current(tmp_path):
    """RVU25D (a slice of the real file) is the current release before each bad import."""
    folder = tmp_path / "RVU25D"
    folder.mkdir()
    pprrvu_slice(folder / "PPRRVU2025_Oct.csv", codes={"99213", "70450", "J3490"})
    copy_real(folder, "RVU25D", "GPCI2025.csv")
    outcome = release_import(source=folder)
    assert outcome.release.status == Release.Status.CURRENT
    return outcome.release


def snapshot():
    return {
        "current": list(Release.objects.filter(status="current").values_list("name", flat=True)),
        "rvus": RelativeValue.objects.count(),
        "codes": Code.objects.count(),
        "localities": Locality.objects.count(),
        "files": SourceFile.objects.count(),
    }


def set_cell(code, modifier, names, value):
    def mutate(rows, at):
        i = column(rows, at, *names)
        for row in rows[at + 1 :]:
            if row[0].strip() == code and row[1].strip() == modifier:
                row[i] = value

    return mutate


def drop_column(names):
    def mutate(rows, at):
        i = column(rows, at, *names)
        for row in rows:
            if i < len(row):
                del row[i]

    return mutate


def new_release_file(tmp_path, mutate=None, **kwargs):
    return pprrvu_slice(
        tmp_path / RVU26C_PPRRVU,
        source=("RVU26C", RVU26C_PPRRVU),
        codes={"99213", "99214", "70450", "J3490"},
        mutate=mutate,
        **kwargs,
    )


def line_of(path, code, modifier=""):
    for number, line in enumerate(path.read_bytes().decode("latin-1").split("\r\n"), start=1):
        cells = line.split(",")
        if cells[0] == code and cells[1] == modifier:
            return number
    raise LookupError(code)


def test_a_non_numeric_rvu_names_file_line_and_column(current, tmp_path):
    path = new_release_file(tmp_path, set_cell("99214", "", ("WORK", "RVU"), "1.9x"))
    before = snapshot()

    with pytest.raises(FeeScheduleImportError) as error:
        release_import(source=path, make_current=True)

    line = line_of(path, "99214")
    assert str(error.value) == (
        f"{RVU26C_PPRRVU}, line {line}, column WORK RVU: '1.9x' is not a number"
    )
    assert snapshot() == before
    failed = Release.objects.get(name="RVU26C")
    assert failed.status == Release.Status.FAILED
    assert failed.error == str(error.value)


def test_an_unknown_status_code_names_file_line_and_column(current, tmp_path):
    path = new_release_file(tmp_path, set_cell("J3490", "", ("STATUS", "CODE"), "Q"))
    before = snapshot()

    with pytest.raises(FeeScheduleImportError) as error:
        release_import(source=path, make_current=True)

    message = str(error.value)
    assert message.startswith(
        f"{RVU26C_PPRRVU}, line {line_of(path, 'J3490')}, column STATUS CODE: "
        "unknown status code 'Q'"
    )
    assert snapshot() == before


def test_an_unknown_global_days_value_is_refused(current, tmp_path):
    path = new_release_file(tmp_path, set_cell("70450", "26", ("GLOB", "DAYS"), "045"))
    before = snapshot()

    with pytest.raises(
        FeeScheduleImportError, match=r"column GLOB DAYS: unknown global days '045'"
    ):
        release_import(source=path)

    assert snapshot() == before


def test_totals_that_do_not_add_up_are_refused(current, tmp_path):
    path = new_release_file(tmp_path, set_cell("99213", "", ("NON-FACILITY", "TOTAL"), "9.99"))
    before = snapshot()

    with pytest.raises(FeeScheduleImportError) as error:
        release_import(source=path)

    assert f"line {line_of(path, '99213')}, column NON-FACILITY TOTAL: total 9.99 is not" in str(
        error.value
    )
    assert snapshot() == before


def test_missing_columns_are_named(current, tmp_path):
    def drop_two(rows, at):
        drop_column(("WORK", "RVU"))(rows, at)
        drop_column(("MP", "RVU"))(rows, at)

    path = new_release_file(tmp_path, drop_two)
    before = snapshot()

    with pytest.raises(FeeScheduleImportError) as error:
        release_import(source=path)

    assert str(error.value) == f"{RVU26C_PPRRVU}, line 10: missing columns: WORK RVU, MP RVU"
    assert snapshot() == before


def test_a_code_listed_twice_is_refused(current, tmp_path):
    def duplicate(rows, at):
        rows.append(list(rows[at + 1]))

    path = new_release_file(tmp_path, duplicate)
    before = snapshot()

    with pytest.raises(FeeScheduleImportError, match="appears twice"):
        release_import(source=path)

    assert snapshot() == before


def test_an_empty_file_is_refused(current, tmp_path):
    path = tmp_path / RVU26C_PPRRVU
    path.write_bytes(b"")
    before = snapshot()

    with pytest.raises(FeeScheduleImportError) as error:
        release_import(source=path)

    assert str(error.value) == f"{RVU26C_PPRRVU}: the file is empty"
    assert snapshot() == before
    assert not Release.objects.filter(name="RVU26C").exists()


def test_a_header_without_data_rows_is_refused(current, tmp_path):
    path = new_release_file(tmp_path, lambda rows, at: rows.__delitem__(slice(at + 1, None)))
    before = snapshot()

    with pytest.raises(FeeScheduleImportError, match="has a header but no data rows"):
        release_import(source=path)

    assert snapshot() == before


def test_a_file_of_another_kind_under_a_pprrvu_name_is_refused(current, tmp_path):
    locco = copy_real(tmp_path, "RVU25D", "25LOCCO.csv")
    path = locco.rename(tmp_path / RVU26C_PPRRVU)
    before = snapshot()

    with pytest.raises(FeeScheduleImportError) as error:
        release_import(source=path)

    assert str(error.value) == (
        f"{RVU26C_PPRRVU}: named like a PPRRVU file but its header is that of a LOCCO file"
    )
    assert snapshot() == before


def test_a_file_that_is_no_cms_file_is_refused(current, tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("a,b,c\r\n1,2,3\r\n", encoding="latin-1")
    before = snapshot()

    with pytest.raises(FeeScheduleImportError, match=r"notes\.csv: not a CMS file this importer"):
        release_import(source=path)

    assert snapshot() == before


def test_a_truncated_zip_is_refused(current, tmp_path):
    archive = tmp_path / "rvu26c.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(new_release_file(tmp_path), arcname=RVU26C_PPRRVU)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    before = snapshot()

    with pytest.raises(FeeScheduleImportError) as error:
        release_import(source=archive, make_current=True)

    assert str(error.value).startswith(
        "rvu26c.zip: not a readable zip archive (truncated or corrupt)"
    )
    assert snapshot() == before


def test_a_zip_whose_member_is_corrupt_is_refused(current, tmp_path):
    archive = tmp_path / "rvu26c.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.write(new_release_file(tmp_path), arcname=RVU26C_PPRRVU)
    data = bytearray(archive.read_bytes())
    middle = data.index(b"99213")
    data[middle : middle + 5] = b"99999"  # the stored CRC no longer matches
    archive.write_bytes(bytes(data))
    before = snapshot()

    with pytest.raises(FeeScheduleImportError, match=r"rvu26c\.zip: not a readable zip archive"):
        release_import(source=archive)

    assert snapshot() == before


def test_a_corrupt_gzip_is_refused(current, tmp_path):
    path = tmp_path / f"{RVU26C_PPRRVU}.gz"
    path.write_bytes(gzip.compress(new_release_file(tmp_path).read_bytes())[:200])
    before = snapshot()

    with pytest.raises(FeeScheduleImportError, match="not a readable gzip file"):
        release_import(source=path)

    assert snapshot() == before


def test_a_zip_without_cms_files_is_refused(current, tmp_path):
    archive = tmp_path / "rvu26c.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("RVU26C.pdf", b"%PDF-1.4")
    before = snapshot()

    with pytest.raises(FeeScheduleImportError, match=r"rvu26c\.zip: holds no CMS file"):
        release_import(source=archive)

    assert snapshot() == before


def test_a_missing_path_is_refused(current, tmp_path):
    with pytest.raises(FeeScheduleImportError, match="no such file or folder"):
        release_import(source=tmp_path / "nowhere.zip")


def test_a_wrong_release_name_is_refused(current, tmp_path):
    before = snapshot()

    with pytest.raises(FeeScheduleImportError, match="'RVU26X' is not a release name"):
        release_import(source=new_release_file(tmp_path), name="RVU26X")
    with pytest.raises(FeeScheduleImportError, match="a 2026 file cannot be release RVU25A"):
        release_import(source=new_release_file(tmp_path), name="RVU25A")

    assert snapshot() == before


def test_a_locco_locality_missing_from_gpci_fails_the_whole_release(tmp_path):
    folder = tmp_path / "RVU25D"
    folder.mkdir()
    pprrvu_slice(folder / "PPRRVU2025_Oct.csv")
    gpci = copy_real(folder, "RVU25D", "GPCI2025.csv")
    lines = gpci.read_bytes().split(b"\r\n")
    gpci.write_bytes(b"\r\n".join(line for line in lines if not line.startswith(b"10112,")))
    copy_real(folder, "RVU25D", "25LOCCO.csv")

    with pytest.raises(FeeScheduleImportError, match=r"25LOCCO.csv, line 5: locality 10112-00"):
        release_import(source=folder)

    assert RelativeValue.objects.count() == 0
    assert Locality.objects.count() == 0
    assert Release.objects.get(name="RVU25D").status == Release.Status.FAILED
