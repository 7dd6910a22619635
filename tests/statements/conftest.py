"""Releases for reconciling statements: RVU25D (current, with its real GPCI file, so the GPCI
explanation has localities) and RVU26C, both real slices imported through the real importer."""

import pytest

from codes.services import release_import
from tests import cms_files


@pytest.fixture
def rvu25d(db, tmp_path):
    folder = tmp_path / "RVU25D"
    folder.mkdir()
    cms_files.write_release_slice(folder / "PPRRVU2025_Oct.csv")
    cms_files.copy_real(folder, "RVU25D", "GPCI2025.csv")
    return release_import(source=folder, make_current=True).release


@pytest.fixture
def rvu26c(rvu25d, tmp_path):
    path = tmp_path / cms_files.PPRRVU_FILES["RVU26C"][1]
    return release_import(source=cms_files.write_release_slice(path, "RVU26C")).release
