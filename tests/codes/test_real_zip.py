"""A zip laid out as CMS publishes it, built from the real RVU25D files, imports in full."""

import zipfile
from decimal import Decimal

import pytest

from codes.models import Locality, RelativeValue, Release, SourceFile
from codes.services import release_import
from tests.cms_files import RVU25D_FILES, real_bytes

pytestmark = pytest.mark.django_db


def test_a_cms_zip_imports_every_file_and_ignores_the_readme(tmp_path):
    archive = tmp_path / "rvu25d.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in RVU25D_FILES:
            zf.writestr(name, real_bytes("RVU25D", name))
        zf.writestr("RVU25D.pdf", b"%PDF-1.4 the CMS readme travels in the zip")
        # CMS zips also carry xlsx copies of the csv files; the csv is the one read.
        zf.writestr("GPCI2025.xlsx", b"not read")
    seen = []

    outcome = release_import(
        source=archive, make_current=True, progress=lambda d, t: seen.append((d, t))
    )

    release = outcome.release
    assert outcome.imported and release.name == "RVU25D"
    assert release.status == Release.Status.CURRENT
    assert RelativeValue.objects.filter(release=release).count() == 19090
    assert Locality.objects.filter(release=release).count() == 109
    assert release.conversion_factor == Decimal("32.3465")
    assert sorted(SourceFile.objects.values_list("file_name", flat=True)) == sorted(RVU25D_FILES)
    assert seen[-1] == (release.rows_total, release.rows_total)
    assert not release_import(source=archive).imported
