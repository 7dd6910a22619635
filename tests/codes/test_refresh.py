"""The CMS refresh: reading release links, downloading within limits, and importing through a real
Celery worker, including a worker killed in the middle of an import."""

from __future__ import annotations

import pytest

from codes import refresh
from codes.refresh import DownloadError, DownloadTooLarge, ReleaseLink
from tests.codes.cms_server import release_page, running_cms_server

PAGE = "https://www.cms.gov/medicare/payment/fee-schedules/physician/pfs-relative-value-files"


@pytest.fixture
def cms():
    with running_cms_server() as server:
        yield server


# Reading the page -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("href", "name", "url"),
    [
        ("/files/zip/rvu26a.zip", "RVU26A", "https://www.cms.gov/files/zip/rvu26a.zip"),
        (
            "/files/zip/rvu26c-updated-06-30-2026.zip",
            "RVU26C",
            "https://www.cms.gov/files/zip/rvu26c-updated-06-30-2026.zip",
        ),
        (
            "https://www.cms.gov/files/zip/rvu25d-updated-10-03-2025.zip",
            "RVU25D",
            "https://www.cms.gov/files/zip/rvu25d-updated-10-03-2025.zip",
        ),
        (
            "../../files/zip/RVU25B.zip",
            "RVU25B",
            "https://www.cms.gov/medicare/payment/files/zip/RVU25B.zip",
        ),
        ("rvu24b.zip", "RVU24B", f"{PAGE.rsplit('/', 1)[0]}/rvu24b.zip"),
        ("/files/zip/rvu24ar.zip", "RVU24AR", "https://www.cms.gov/files/zip/rvu24ar.zip"),
        ("/files/zip/rvu23d_0.zip", "RVU23D", "https://www.cms.gov/files/zip/rvu23d_0.zip"),
        (
            "/files/zip/rvu26b.zip?download=1#top",
            "RVU26B",
            "https://www.cms.gov/files/zip/rvu26b.zip?download=1",
        ),
        (
            "//www.cms.gov/files/zip/rvu22a.zip",
            "RVU22A",
            "https://www.cms.gov/files/zip/rvu22a.zip",
        ),
    ],
)
def test_it_reads_release_links_as_cms_writes_them(href, name, url):
    (link,) = refresh.parse_release_links(release_page([href]), PAGE)

    assert (link.name, link.url) == (name, url)


@pytest.mark.parametrize(
    "href",
    [
        "/files/zip/anesthesia-conversion-factors-2026.zip",
        "/files/zip/rvu26a-readme.pdf",
        "/files/zip/rvu26abc.zip",  # the letter is not followed by a separator
        "/files/zip/pprrvu26.zip",
        "/files/zip/rvu26e.zip",  # there is no fifth quarter
        "/files/zip/gpci2026.zip",
        "/files/zip/locco26.zip",
        "/files/zip/oppscap-rvu26.zip",
        "mailto:rvu26a.zip",
        "file:///etc/rvu26a.zip",
        "javascript:void('rvu26a.zip')",
    ],
)
def test_it_ignores_links_that_are_not_release_zips(href):
    assert refresh.parse_release_links(release_page([href]), PAGE) == []


def test_it_keeps_one_link_per_release_the_latest_upload_oldest_release_first():
    html = release_page(
        [
            "/files/zip/rvu26c.zip",
            "/files/zip/rvu26c-updated-06-30-2026.zip",
            "/files/zip/rvu26c-updated-06-12-2026.zip",
            "/files/zip/rvu25d.zip",
            "/files/zip/rvu26a.zip",
            "/files/zip/rvu26a.zip",
        ]
    )

    links = refresh.parse_release_links(html, PAGE)

    assert [(link.name, link.filename) for link in links] == [
        ("RVU25D", "rvu25d.zip"),
        ("RVU26A", "rvu26a.zip"),
        ("RVU26C", "rvu26c-updated-06-30-2026.zip"),
    ]
    assert refresh.newest(links).name == "RVU26C"


def test_a_revised_release_sorts_after_its_quarter():
    links = refresh.parse_release_links(
        release_page(["/files/zip/rvu24b.zip", "/files/zip/rvu24ar.zip", "/files/zip/rvu24a.zip"]),
        PAGE,
    )

    assert [link.name for link in links] == ["RVU24A", "RVU24AR", "RVU24B"]


def test_it_resolves_relative_links_against_the_base_element():
    html = '<html><head><base href="https://mirror.example/cms/"></head><body>'
    html += '<a href="zips/rvu26a.zip">RVU26A</a></body></html>'

    (link,) = refresh.parse_release_links(html, PAGE)

    assert link.url == "https://mirror.example/cms/zips/rvu26a.zip"


def test_release_link_names_its_file():
    link = ReleaseLink(2026, "C", False, (2026, 6, 30), "https://x/files/zip/rvu26c-updated.zip")

    assert (link.name, link.filename) == ("RVU26C", "rvu26c-updated.zip")


def test_it_follows_a_release_page_only_when_the_zip_is_not_on_the_index(cms):
    cms.add(
        "/pfs",
        release_page(["/files/zip/rvu26c-updated-06-30-2026.zip", "/pfs/rvu26b", "/pfs/rvu26c"]),
    )
    cms.add("/pfs/rvu26b", release_page(["/files/zip/rvu26b-updated-04-02-2026.zip"]))
    cms.add("/pfs/rvu26c", release_page(["/files/zip/rvu26c.zip"]))

    links = refresh.find_release_links(cms.url("/pfs"))

    assert [link.url for link in links] == [
        cms.url("/files/zip/rvu26b-updated-04-02-2026.zip"),
        cms.url("/files/zip/rvu26c-updated-06-30-2026.zip"),
    ]
    assert cms.hits("/pfs/rvu26c") == 0


def test_it_skips_release_pages_of_releases_nobody_wants(cms):
    cms.add("/pfs", release_page(["/files/zip/rvu26c.zip", "/pfs/rvu19a", "/pfs/rvu26b"]))
    cms.add("/pfs/rvu26b", release_page(["/files/zip/rvu26b.zip"]))

    links = refresh.find_release_links(cms.url("/pfs"), wanted=lambda name: name >= "RVU26")

    assert [link.name for link in links] == ["RVU26B", "RVU26C"]
    assert cms.hits("/pfs/rvu19a") == 0


def test_a_page_without_release_links_is_an_error_that_names_the_setting(cms):
    cms.add("/moved", "<html><body><p>This page has moved.</p></body></html>")

    with pytest.raises(refresh.RefreshError, match="CMS_PFS_PAGE_URL"):
        refresh.find_release_links(cms.url("/moved"))


# Downloading ----------------------------------------------------------------------------------


def test_it_streams_a_download_to_a_file(cms, tmp_path):
    body = bytes(range(256)) * 1000
    url = cms.add("/files/zip/rvu26a.zip", body)

    size = refresh.download(url, tmp_path / "rvu26a.zip")

    assert size == len(body)
    assert (tmp_path / "rvu26a.zip").read_bytes() == body


def test_it_refuses_a_file_declared_larger_than_the_limit(cms, tmp_path, settings):
    settings.CMS_DOWNLOAD_MAX_BYTES = 1000
    url = cms.add("/files/zip/rvu26a.zip", b"x" * 1001)

    with pytest.raises(DownloadTooLarge, match=r"1,001 bytes, more than the 1,000 bytes allowed"):
        refresh.download(url, tmp_path / "rvu26a.zip")

    assert not (tmp_path / "rvu26a.zip").exists()
    assert cms.hits("/files/zip/rvu26a.zip") == 1  # too large is not retried


def test_it_stops_reading_a_file_that_grows_past_the_limit_without_saying_its_size(
    cms, tmp_path, settings
):
    settings.CMS_DOWNLOAD_MAX_BYTES = 100_000
    url = cms.add("/files/zip/rvu26a.zip", b"x" * 300_000, declared_length=-1)

    with pytest.raises(DownloadTooLarge, match="sent more than the 100,000 bytes allowed"):
        refresh.download(url, tmp_path / "rvu26a.zip")

    assert not (tmp_path / "rvu26a.zip").exists()


def test_it_retries_a_503_with_exponential_backoff_then_succeeds(cms, tmp_path):
    url = cms.add("/files/zip/rvu26a.zip", b"PK-zip-bytes", fail_times=2, fail_status=503)
    waits = []

    refresh.download(url, tmp_path / "rvu26a.zip", backoff=0.5, sleep=waits.append)

    assert waits == [0.5, 1.0]
    assert cms.hits("/files/zip/rvu26a.zip") == 3
    assert (tmp_path / "rvu26a.zip").read_bytes() == b"PK-zip-bytes"


def test_it_gives_up_after_the_last_attempt(cms, tmp_path):
    url = cms.add("/files/zip/rvu26a.zip", b"never", fail_times=10, fail_status=502)
    waits = []

    with pytest.raises(DownloadError, match=r"502.*gave up after 3 attempts"):
        refresh.download(url, tmp_path / "rvu26a.zip", attempts=3, sleep=waits.append)

    assert waits == [2.0, 4.0]
    assert cms.hits("/files/zip/rvu26a.zip") == 3
    assert not (tmp_path / "rvu26a.zip").exists()


def test_it_does_not_retry_a_missing_file(cms, tmp_path):
    url = cms.url("/files/zip/rvu26z.zip")

    with pytest.raises(DownloadError, match="404"):
        refresh.download(url, tmp_path / "x.zip", sleep=pytest.fail)

    assert cms.hits("/files/zip/rvu26z.zip") == 1


def test_it_retries_a_refused_connection(tmp_path):
    with running_cms_server() as gone:
        url = gone.url("/files/zip/rvu26a.zip")
    waits = []  # the server is stopped: its port now refuses connections

    with pytest.raises(DownloadError, match="gave up after 2 attempts"):
        refresh.download(url, tmp_path / "x.zip", attempts=2, sleep=waits.append)

    assert waits == [2.0]


def test_a_server_that_stalls_times_out(tmp_path):
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/files/zip/rvu26a.zip"
    try:
        with pytest.raises(DownloadError, match="timed out"):
            refresh.download(url, tmp_path / "x.zip", timeout=0.3, attempts=1)
    finally:
        listener.close()
        for conn, _ in accepted:
            conn.close()


def test_only_web_urls_are_downloaded(tmp_path):
    with pytest.raises(DownloadError, match="only http and https"):
        refresh.download("file:///etc/passwd", tmp_path / "x")
