"""rvuedge.preload: what gunicorn's master loads once for every worker it forks (without a
database: these tests have none, so a query would fail them)."""

import logging
import runpy
from pathlib import Path
from unittest import mock

from django.template import engines
from django.urls import get_resolver

from rvuedge.preload import preload

ROOT = Path(__file__).resolve().parents[2]


def _compiled() -> set[str]:
    loader = engines["django"].engine.template_loaders[0]
    return set(loader.get_template_cache)


def test_the_url_conf_is_imported_and_the_site_s_templates_compiled():
    engines["django"].engine.template_loaders[0].reset()

    loaded = preload()

    assert loaded["url_patterns"] == len(get_resolver().url_patterns) > 0
    compiled = _compiled()
    folder = ROOT / "templates"
    site_templates = {path.relative_to(folder).as_posix() for path in folder.glob("**/*.html")}
    assert site_templates <= compiled
    assert "django/forms/widgets/text.html" in compiled  # Django's, which the site's forms use
    assert "admin/index.html" not in compiled  # a package's own pages are left to their use
    assert loaded["templates"] >= len(site_templates)


def test_a_template_that_does_not_compile_is_named_in_the_log_and_left(settings, tmp_path, caplog):
    settings.BASE_DIR = tmp_path
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    (tmp_path / "broken.html").write_text("{% load no_such_library %}")
    (tmp_path / "fine.html").write_text("<p>{{ greeting }}</p>")

    with caplog.at_level(logging.WARNING, logger="rvuedge.preload"):
        preload()

    assert "fine.html" in _compiled()
    assert "broken.html" not in _compiled()
    assert "Template broken.html not preloaded" in caplog.text


def test_gunicorn_preloads_when_the_master_is_ready():
    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert config["preload_app"] is True  # the master loads the application, then forks
    server = mock.Mock()

    with mock.patch("rvuedge.preload.preload", return_value={"templates": 3}) as preloaded:
        config["when_ready"](server)

    preloaded.assert_called_once_with()
    server.log.info.assert_called_once_with("Preloaded for the workers: %s", {"templates": 3})
