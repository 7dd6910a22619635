import pytest

from tests import cms_files
from tests.cms_files import SLICE_CODES as CODES  # noqa: F401  (kept for importers)
from tests.cms_files import write_release_slice  # noqa: F401  (kept for importers)


@pytest.fixture
def fee_row():
    return cms_files.fee_row
