"""Warming the code pages of a new data version (codes.pages.warm, the beat's warm_code_pages):
the worker renders what the cache lacks, so visitors are served the same page without
rendering it. On the real rows of tests.cms_files.SLICE_CODES (the `release` fixture)."""

import pytest
from django.core.cache import cache
from django.core.management import call_command

from codes import cache as codes_cache
from codes import pages, selectors, tasks
from codes.models import Code

pytestmark = pytest.mark.django_db


@pytest.fixture
def empty_cache(release):
    cache.clear()
    codes_cache.invalidate_code_pages()


def with_page(codes):
    return {code for code in codes if selectors.code_page(code) is not None}


def cached(codes):
    return {code for code in codes if cache.get(pages.page_cache_key(code, None)) is not None}


def test_warming_renders_every_page_the_version_lacks_then_nothing(empty_cache):
    codes = set(Code.objects.values_list("code", flat=True))
    expected = with_page(codes)
    assert expected  # the slice's codes have pages

    first = pages.warm()
    second = pages.warm()

    assert first.finished and first.codes == len(codes)
    assert first.rendered == len(expected)
    assert cached(codes) == expected
    assert second.finished and second.rendered == 0


def test_a_warmed_page_is_served_as_rendered_without_rendering_it_again(
    empty_cache, client, monkeypatch
):
    code = sorted(with_page(Code.objects.values_list("code", flat=True)))[0]
    rendered_on_request = client.get(f"/cpt-codes/{code}/?utm_source=x").content  # not shared
    cache.clear()
    codes_cache.invalidate_code_pages()
    pages.warm()

    def no_render(*args, **kwargs):
        raise AssertionError("the warmed page was rendered again")

    monkeypatch.setattr(selectors, "code_page", no_render)
    served = client.get(f"/cpt-codes/{code}/?utm_source=x")

    assert served.status_code == 200
    assert served.content == rendered_on_request


def test_shards_share_the_codes_between_processes(empty_cache):
    codes = set(Code.objects.values_list("code", flat=True))

    halves = [pages.warm(shard=0, shards=2), pages.warm(shard=1, shards=2)]

    assert sum(h.codes for h in halves) == len(codes)
    assert sum(h.rendered for h in halves) == len(with_page(codes))
    assert pages.warm().rendered == 0


def test_warming_stops_when_the_data_version_changes(empty_cache, monkeypatch):
    monkeypatch.setattr(pages, "WARM_BATCH", 1)
    real_render = pages.fragments
    calls = []

    def render_then_edit(code, locality):
        calls.append(code)
        result = real_render(code, locality)
        codes_cache.invalidate_code_pages()  # an editorial edit lands meanwhile
        return result

    monkeypatch.setattr(pages, "fragments", render_then_edit)
    warmed = pages.warm()

    assert not warmed.finished
    assert len(calls) == 1
    assert warmed.version != selectors.page_state().version


def test_warming_stops_while_the_cache_cannot_answer(empty_cache, monkeypatch):
    monkeypatch.setattr(codes_cache, "present", lambda keys: None)

    warmed = pages.warm()

    assert (warmed.rendered, warmed.finished) == (0, False)


def test_the_task_warms_once_at_a_time(empty_cache):
    cache.add(tasks.WARM_LOCK_KEY, 1, 60)  # another run holds the lock
    assert tasks.warm_code_pages.apply().get() == {"skipped": "another run is warming"}
    assert cached(Code.objects.values_list("code", flat=True)) == set()

    cache.delete(tasks.WARM_LOCK_KEY)
    result = tasks.warm_code_pages.apply().get()

    assert result["finished"] and result["rendered"] > 0
    assert cache.get(tasks.WARM_LOCK_KEY) is None  # released for the next run


def test_the_beat_warms_every_five_minutes():
    from rvuedge.celery import app

    entry = app.conf.beat_schedule["codes.warm_code_pages"]

    assert entry["task"] == "codes.tasks.warm_code_pages"
    assert entry["schedule"] == 300.0


def test_the_command_warms_a_shard_and_says_what_it_did(empty_cache, capsys):
    call_command("warm_code_pages", shard=1, shards=2)

    out = capsys.readouterr().out
    assert "page(s) rendered of" in out and "all looked at" in out
