import pytest

from tests import cms_files


@pytest.fixture
def fee_row():
    return cms_files.fee_row
