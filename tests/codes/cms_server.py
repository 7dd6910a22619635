"""A local stand-in for cms.gov: a real HTTP server in a thread, serving a release page and zips
built from the real CMS files bundled in data/cms. Downloads in tests go over a socket, so the
code under test runs exactly as it does against CMS."""

from __future__ import annotations

import threading
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.cms_files import RVU25D_FILES, RVU26C_PPRRVU, real_bytes


def build_zip(dest: Path, folder: str, names: tuple[str, ...]) -> Path:
    """A zip laid out like CMS's (files at the top level) holding the real files of a release
    (the bundled copies in data/cms/<folder>)."""
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            zf.writestr(name, real_bytes(folder, name))
    return dest


def rvu25d_zip(dest: Path) -> Path:
    """RVU25D as CMS ships it, without the readme PDF: PPRRVU, GPCI, LOCCO, ANES, OPPSCAP."""
    return build_zip(dest, "RVU25D", RVU25D_FILES)


def rvu26c_zip(dest: Path) -> Path:
    """The PPRRVU member of CMS's rvu26c-updated-06-30-2026.zip."""
    return build_zip(dest, "RVU26C", (RVU26C_PPRRVU,))


def release_page(hrefs: list[str], *, title: str = "PFS Relative Value Files") -> str:
    """HTML shaped like CMS's page: a table of releases, among other links and zips."""
    rows = "\n".join(
        f'<tr><td><a href="{href}" data-entity-type="media">{Path(href).stem.upper()}</a></td>'
        "<td>Zip</td></tr>"
        for href in hrefs
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | CMS</title></head>
<body>
<nav><a href="/">Home</a> <a href="/medicare/payment/fee-schedules">Fee schedules</a></nav>
<main>
<h1>{title}</h1>
<p>Read the <a href="/files/document/rvu-readme.pdf">readme</a> or the
<a href="/files/zip/anesthesia-conversion-factors-2026.zip">anesthesia files</a>.</p>
<table><thead><tr><th>Name</th><th>Type</th></tr></thead><tbody>
{rows}
</tbody></table>
</main></body></html>"""


@dataclass
class Route:
    body: bytes
    content_type: str = "application/zip"
    status: int = 200
    # Answer the first `fail_times` requests with `fail_status` (e.g. 503) before succeeding.
    fail_times: int = 0
    fail_status: int = 503
    # Content-Length to send: None the real size, -1 none at all (the body ends at close).
    declared_length: int | None = None


@dataclass
class CmsServer:
    """Routes by path; records every request path so tests can count attempts."""

    host: str
    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(self, path: str, body: bytes | str, **kwargs) -> str:
        if isinstance(body, str):
            body = body.encode()
            kwargs.setdefault("content_type", "text/html; charset=utf-8")
        self.routes[path] = Route(body=body, **kwargs)
        return self.url(path)

    def add_file(self, path: str, file: Path, **kwargs) -> str:
        return self.add(path, file.read_bytes(), **kwargs)

    def hits(self, path: str) -> int:
        return self.requests.count(path)


def _handler(server: CmsServer):
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            with lock:
                server.requests.append(path)
                route = server.routes.get(path)
                failing = route is not None and route.fail_times > 0
                if failing:
                    route.fail_times -= 1
            if route is None:
                self._send(404, b"not found", "text/plain")
            elif failing:
                self._send(route.fail_status, b"try again later", "text/plain")
            else:
                self._send(route.status, route.body, route.content_type, route.declared_length)

        def _send(self, status, body, content_type, declared_length=None):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if declared_length != -1:
                length = len(body) if declared_length is None else declared_length
                self.send_header("Content-Length", str(length))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # keep test output clean
            pass

    return Handler


class running_cms_server:
    """Context manager: a CmsServer on 127.0.0.1 with a free port, stopped on exit."""

    def __enter__(self) -> CmsServer:
        self.state = CmsServer(host="127.0.0.1", port=0)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.httpd.daemon_threads = True
        self.state.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self.state

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
