"""Two real releases for the blog's code links and resources' calculators and career pages:
slices of the real CMS files imported through the real importer. A conftest that needs them
imports the fixtures by name."""

import pytest

from codes.services import release_import
from tests.cms_files import RVU26C_PPRRVU, copy_real, pprrvu_slice

# The real rows the pages and tests use.
CODES = {
    "99213", "99214", "99215", "99204", "99223", "G2211", "J3490", "47562", "44970", "27447",
    "70450", "71046", "93005", "45378", "45380",
}  # fmt: skip


@pytest.fixture
def rvu25d(db, tmp_path):
    """RVU25D, current: the real PPRRVU rows of CODES and the real GPCI file (109 localities)."""
    folder = tmp_path / "RVU25D"
    folder.mkdir()
    pprrvu_slice(folder / "PPRRVU2025_Oct.csv", codes=CODES)
    copy_real(folder, "RVU25D", "GPCI2025.csv")
    return release_import(source=folder, make_current=True).release


@pytest.fixture
def rvu26c(rvu25d, tmp_path):
    """RVU26C made current: PPRRVU only, so its localities are borrowed from RVU25D."""
    path = pprrvu_slice(tmp_path / RVU26C_PPRRVU, source=("RVU26C", RVU26C_PPRRVU), codes=CODES)
    return release_import(source=path, make_current=True).release
