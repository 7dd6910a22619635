import pytest

from codes.services import release_import
from tests import cms_files
from tests.factories import UserFactory

# The real RVU25D rows these tests use (and the endoscopy base codes they name).
CODES = {
    "99213", "99214", "99291", "99292", "27447", "27130", "47562", "19303", "20610", "22551",
    "22552", "45378", "45380", "45385", "43235", "43239", "70450", "J3490", "64483", "64484",
    "96523", "44970", "63030",
}  # fmt: skip


@pytest.fixture
def fee_row():
    return cms_files.fee_row


def write_release_slice(path, release="RVU25D", codes=CODES):
    """The real PPRRVU file's preamble and header, with only the rows of `codes`."""
    source = cms_files.PPRRVU_FILES[release]
    lines = source.read_bytes().decode("latin-1").splitlines(keepends=True)
    header_end = next(i for i, line in enumerate(lines) if line.startswith("HCPCS,"))
    kept = [line for line in lines[header_end + 1 :] if line.split(",", 1)[0] in codes]
    path.write_bytes("".join(lines[: header_end + 1] + kept).encode("latin-1"))
    return path


@pytest.fixture
def release(db, tmp_path):
    """RVU25D, current, holding the real rows of CODES."""
    source = write_release_slice(tmp_path / cms_files.PPRRVU_FILES["RVU25D"].name)
    return release_import(source=source, make_current=True).release


@pytest.fixture
def newer_release(release, tmp_path):
    """RVU26C (not current) with the same codes, for re-pricing."""
    path = tmp_path / cms_files.PPRRVU_FILES["RVU26C"].name
    return release_import(source=write_release_slice(path, "RVU26C")).release


@pytest.fixture
def attending(db):
    return UserFactory(career_stage="attending")


@pytest.fixture
def resident(db):
    return UserFactory(career_stage="resident", pgy_year=2, program="General Surgery")


@pytest.fixture
def other_user(db):
    return UserFactory()
