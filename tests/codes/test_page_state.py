"""The page state (codes.selectors.page_state): the data version code pages are cached under.
A change that commits while a request is still making the state from the rows it read before
must not leave that state in use."""

import pytest
from django.core.cache import cache

from codes import cache as codes_cache
from codes import selectors
from codes.models import Release

pytestmark = pytest.mark.django_db


def test_a_state_made_from_rows_read_before_a_change_is_not_used_after_it(release, monkeypatch):
    cache.clear()
    imported = Release.objects.imported

    def read_then_change():
        rows = imported()
        list(rows)  # the rows as they were
        codes_cache.invalidate_code_pages()  # an import commits meanwhile
        return rows

    monkeypatch.setattr(Release.objects, "imported", read_then_change)
    made_during_the_change = selectors.page_state()
    monkeypatch.setattr(Release.objects, "imported", imported)

    after = selectors.page_state()

    assert after.version != made_during_the_change.version
    assert selectors.page_state().version == after.version  # and the new one is kept


def test_the_state_is_kept_until_a_change():
    first = selectors.page_state()

    assert selectors.page_state().version == first.version
    codes_cache.invalidate_code_pages()
    assert selectors.page_state().version != first.version


def test_a_lost_generation_starts_a_new_state():
    first = selectors.page_state()
    cache.delete(codes_cache.PAGE_GENERATION_KEY)  # evicted

    assert selectors.page_state().version != first.version


def test_states_made_at_once_under_one_generation_share_their_version():
    # Two processes find no state and make one each: the second one stored must not leave the
    # first (warming pages under its version) behind.
    first = selectors.page_state()
    cache.delete(codes_cache.PAGE_STATE_KEY)  # as if the other process had not stored it yet

    assert selectors.page_state().version == first.version
