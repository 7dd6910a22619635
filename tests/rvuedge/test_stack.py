"""The production stack's files, and its nginx config in front of the test server.

`make prod` and docker-compose run the same processes with the same config files; the edge
cache is exercised through real nginx (the config scripts/run-nginx renders for `make prod`):
an anonymous page is kept, a visitor with a session always reaches Django, and an edit is
served at once because Django empties nginx's cache folder.
"""

import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from blog.models import Post
from tests.content_fixtures import article_maker, author  # noqa: F401 (fixtures by name)

ROOT = Path(__file__).resolve().parents[2]


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_make_prod_and_docker_compose_run_the_same_processes_and_files():
    processes, services = procfile(), compose()
    assert set(processes) == {"cache", "web", "worker", "beat", "nginx"}
    assert {"cache", "web", "worker", "beat", "nginx", "postgres", "redis"} <= set(services)
    assert "deploy/gunicorn.conf.py" in processes["web"]
    assert "deploy/gunicorn.conf.py" in services["web"]["command"]
    assert "deploy/redis-cache.conf" in processes["cache"]
    assert any("deploy/redis-cache.conf" in volume for volume in services["cache"]["volumes"])
    template = "./deploy/nginx/rvuedge.conf.template"
    assert any(volume.startswith(template) for volume in services["nginx"]["volumes"])
    assert "scripts/run-nginx" in processes["nginx"]
    assert "deploy/nginx/rvuedge.conf.template" in (ROOT / "scripts/run-nginx").read_text()
    # One beat, in both.
    assert "beat" in processes["beat"] and services["beat"]["deploy"]["replicas"] == 1


def test_every_process_that_changes_pages_shares_the_edge_folders():
    """Web and workers empty nginx's cache and replace the version stamp: both on volumes they
    share (a process reading another stamp would keep serving an old version)."""
    services = compose()
    for name in ("migrate", "web", "worker", "worker-refresh"):
        service = services[name]
        stamp = service["environment"]["EDGE_VERSION_STAMP"]
        cache_dir = service["environment"]["EDGE_CACHE_DIR"]
        mounts = {v.split(":")[1]: v.split(":")[0] for v in service["volumes"]}
        assert mounts[str(Path(stamp).parent)] == "edge-state", name
        assert mounts[cache_dir] == "edge-cache", name
    assert "edge-cache:/var/cache/rvuedge-edge" in services["nginx"]["volumes"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _render(tmp_path: Path, upstream: str, port: int, cache_dir: Path) -> Path:
    env = {
        **os.environ,
        "PROD_VAR": str(tmp_path),
        "SITE_PORT": str(port),
        "GUNICORN_BIND": upstream,
        "EDGE_CACHE_DIR": str(cache_dir),
        "NGINX_CHECK_ONLY": "1",
    }
    subprocess.run([str(ROOT / "scripts/run-nginx")], env=env, check=True, cwd=ROOT)
    return tmp_path / "nginx" / "nginx.conf"


def test_the_nginx_config_renders_and_passes_nginx_t(tmp_path):
    conf = _render(tmp_path, "127.0.0.1:9", _free_port(), tmp_path / "edge")
    text = conf.parent.joinpath("rvuedge.conf").read_text()
    assert "${" not in text
    assert f"proxy_cache_path {tmp_path / 'edge'} " in text
    assert re.search(r"proxy_cache_bypass \$rvuedge_private;", text)


@pytest.fixture
def edge(live_server, tmp_path, settings):
    """nginx with the stack's config in front of the live server; yields a GET function."""
    cache_dir = tmp_path / "edge"
    settings.EDGE_CACHE_DIR = str(cache_dir)
    port = _free_port()
    upstream = live_server.url.removeprefix("http://")
    conf = _render(tmp_path, upstream, port, cache_dir)
    nginx = subprocess.Popen(["nginx", "-c", str(conf), "-g", "daemon off;"])

    def get(path: str, cookie: str | None = None) -> tuple[str, str]:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
        if cookie:
            request.add_header("Cookie", cookie)
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers["X-Cache-Status"], response.read().decode()

    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield get
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_nginx_keeps_anonymous_pages_and_serves_an_edit_at_once(edge, author):  # noqa: F811
    make_post = article_maker(Post, author)
    post = make_post(title="Coding the global period")
    status, body = edge("/blog/")
    assert status == "MISS" and "Coding the global period" in body
    status, body = edge("/blog/")
    assert status == "HIT" and "Coding the global period" in body

    post.title = "Coding the global period, revised"
    post.save()
    status, body = edge("/blog/")
    assert status == "MISS" and "Coding the global period, revised" in body


@pytest.mark.django_db(transaction=True)
def test_a_visitor_with_a_session_always_reaches_django(edge, author):  # noqa: F811
    article_maker(Post, author)(title="Modifier 25 explained")
    edge("/blog/")
    status, _ = edge("/blog/")
    assert status == "HIT"
    status, body = edge("/blog/", cookie="sessionid=abc; other=1")
    assert status == "BYPASS" and "Modifier 25 explained" in body
    status, _ = edge("/blog/", cookie="messages=xyz")
    assert status == "BYPASS"
