"""Downloading from CMS: streamed to a file, size-limited, with a timeout per read and retries
with exponential backoff on connection errors, timeouts, 429 and 5xx. Used by the daily refresh,
the Celery import task and `import_fee_schedule URL`.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

USER_AGENT = "RVU Edge fee schedule refresh (Python urllib)"
DOWNLOAD_ATTEMPTS = 4
BACKOFF_SECONDS = 2.0  # 2 s, 4 s, 8 s between the attempts
CHUNK_BYTES = 64 * 1024


class DownloadError(Exception):
    """A page or file could not be downloaded (after the retries, when they apply)."""


class DownloadTooLarge(DownloadError):
    """The server offered more bytes than settings.CMS_DOWNLOAD_MAX_BYTES allows."""


def _max_bytes() -> int:
    return int(settings.CMS_DOWNLOAD_MAX_BYTES)


def _timeout() -> float:
    return settings.CMS_DOWNLOAD_TIMEOUT  # seconds per read (env.float in settings)


def _is_transient(exc: Exception) -> bool:
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code >= 500 or exc.code == 429
    # URLError wraps refused connections and DNS failures; timeouts and resets arrive bare.
    return isinstance(exc, urllib.error.URLError | TimeoutError | ConnectionError | socket.timeout)


def _copy_limited(response, out, url: str, max_bytes: int) -> int:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise DownloadTooLarge(
            f"{url} is {int(declared):,} bytes, more than the {max_bytes:,} bytes allowed "
            "(CMS_DOWNLOAD_MAX_BYTES); nothing was imported."
        )
    written = 0
    while chunk := response.read(CHUNK_BYTES):
        written += len(chunk)
        if written > max_bytes:
            raise DownloadTooLarge(
                f"{url} sent more than the {max_bytes:,} bytes allowed (CMS_DOWNLOAD_MAX_BYTES); "
                "nothing was imported."
            )
        out.write(chunk)
    if declared and declared.isdigit() and written != int(declared):
        # A connection cut short: http.client usually raises, but never import half a zip.
        raise ConnectionError(f"{url} ended after {written:,} of {int(declared):,} bytes")
    return written


def download(
    url: str,
    dest: Path,
    *,
    max_bytes: int | None = None,
    timeout: float | None = None,
    attempts: int = DOWNLOAD_ATTEMPTS,
    backoff: float = BACKOFF_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Stream url into the file dest and return the number of bytes written.

    Refuses more than max_bytes (settings.CMS_DOWNLOAD_MAX_BYTES) and waits at most timeout
    seconds (settings.CMS_DOWNLOAD_TIMEOUT) for each read. Connection errors, timeouts and 5xx
    answers are retried with exponential backoff; a 4xx or an oversized file is not. On failure
    dest is removed and DownloadError says why.
    """
    if urlsplit(url).scheme not in ("http", "https"):
        raise DownloadError(f"{url}: only http and https downloads are allowed")
    max_bytes = _max_bytes() if max_bytes is None else max_bytes
    timeout = _timeout() if timeout is None else timeout
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    for attempt in range(1, attempts + 1):
        try:
            with (
                urllib.request.urlopen(request, timeout=timeout) as response,
                dest.open("wb") as out,
            ):
                return _copy_limited(response, out, url, max_bytes)
        except DownloadError:
            dest.unlink(missing_ok=True)
            raise
        except Exception as exc:
            dest.unlink(missing_ok=True)
            if not _is_transient(exc):
                raise DownloadError(f"{url}: {exc}") from exc
            if attempt == attempts:
                raise DownloadError(f"{url}: {exc} (gave up after {attempts} attempts)") from exc
            wait = backoff * 2 ** (attempt - 1)
            logger.warning("Download of %s failed (%s); retrying in %.0f s", url, exc, wait)
            sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def fetch_text(url: str, **kwargs) -> str:
    """A web page as text, with the same limits and retries as download()."""
    with tempfile.TemporaryDirectory(prefix="rvuedge-page-") as tmp:
        path = Path(tmp) / "page.html"
        download(url, path, **kwargs)
        # CMS serves UTF-8; a stray byte must not stop the refresh, links are ASCII anyway.
        return path.read_text("utf-8", errors="replace")


@contextlib.contextmanager
def downloaded(url: str, **kwargs) -> Iterator[Path]:
    """The file at url in a temporary folder under its own name (the importer reads names),
    removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix="rvuedge-release-"))
    try:
        path = tmp / (PurePosixPath(unquote(urlsplit(url).path)).name or "download.zip")
        size = download(url, path, **kwargs)
        logger.info("Downloaded %s (%s bytes)", url, f"{size:,}")
        yield path
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class _LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.base_href: str | None = None
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "base" and self.base_href is None:
            self.base_href = dict(attrs).get("href")
        elif tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href.strip())


def page_links(html: str, page_url: str) -> Iterator[str]:
    """The absolute http(s) links of a page (relative ones resolved against it or its <base>)."""
    parser = _LinkCollector()
    parser.feed(html)
    parser.close()
    base = urljoin(page_url, parser.base_href) if parser.base_href else page_url
    for href in parser.hrefs:
        url = urljoin(base, href)
        if urlsplit(url).scheme in ("http", "https"):
            yield url.split("#", 1)[0]
