"""rvuedge.static_storage: the manifest's hashed URLs, each made once a process."""

import json
from unittest import mock

import pytest

from rvuedge.static_storage import StaticStorage


@pytest.fixture
def storage(tmp_path):
    manifest = {"paths": {"css/site.css": "css/site.0123abcd.css"}, "version": "1.1", "hash": "x"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return StaticStorage(location=tmp_path, base_url="/static/")


def test_a_url_is_the_manifest_s_and_is_looked_up_once(storage):
    with mock.patch.object(storage, "stored_name", wraps=storage.stored_name) as looked_up:
        assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"
        assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"
    assert looked_up.call_count == 1


def test_a_name_the_manifest_lacks_raises_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("js/missing.js")
