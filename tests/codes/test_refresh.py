"""The CMS refresh: reading release links, downloading within limits, and importing through a real
Celery worker, including a worker killed in the middle of an import."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
from celery.contrib.testing.worker import start_worker
from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun
from django.conf import settings as django_settings
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.utils import timezone

from codes import cache as codes_cache
from codes import refresh, services, tasks
from codes.models import RelativeValue, Release
from codes.refresh import DownloadError, DownloadTooLarge, ReleaseLink
from codes.services import release_import
from rvuedge import locks
from rvuedge.celery import app
from tests.codes.cms_server import release_page, running_cms_server, rvu25d_zip, rvu26c_zip

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

    links = refresh.find_release_links(cms.url("/pfs"), newer_than=(2025, "D", False))

    assert [link.url for link in links] == [
        cms.url("/files/zip/rvu26b-updated-04-02-2026.zip"),
        cms.url("/files/zip/rvu26c-updated-06-30-2026.zip"),
    ]
    assert cms.hits("/pfs/rvu26c") == 0


def test_it_reads_only_the_pages_of_releases_newer_than_the_imported_ones(cms):
    cms.add("/pfs", release_page(["/files/zip/rvu26c.zip", "/pfs/rvu25d", "/pfs/rvu26b"]))
    cms.add("/pfs/rvu26b", release_page(["/files/zip/rvu26b.zip"]))

    links = refresh.find_release_links(cms.url("/pfs"), newer_than=(2026, "A", False))

    assert [link.name for link in links] == ["RVU26B", "RVU26C"]
    assert cms.hits("/pfs/rvu25d") == 0


def test_with_nothing_imported_it_reads_only_the_newest_release_page(cms):
    cms.add("/pfs", release_page(["/pfs/rvu25d", "/pfs/rvu26c", "/pfs/rvu26b", "/pfs/rvu26a"]))
    cms.add("/pfs/rvu26c", release_page(["/files/zip/rvu26c-updated-06-30-2026.zip"]))

    links = refresh.find_release_links(cms.url("/pfs"))

    assert [link.name for link in links] == ["RVU26C"]
    assert cms.requests == ["/pfs", "/pfs/rvu26c"]


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


# Refreshing: the page, the downloads and the importer together -------------------------------

RVU25D_ROWS = 19_090
RVU26C_ROWS = 19_356
RVU25D_HREF = "/files/zip/rvu25d.zip"
RVU26C_HREF = "/files/zip/rvu26c-updated-06-30-2026.zip"


@pytest.fixture(scope="module")
def release_zips(tmp_path_factory):
    """Zips built from the real CMS files: RVU25D with its five data files, and RVU26C with the
    PPRRVU file CMS ships in rvu26c-updated-06-30-2026.zip."""
    folder = tmp_path_factory.mktemp("cms")
    return {
        "RVU25D": rvu25d_zip(folder / "rvu25d.zip"),
        "RVU26C": rvu26c_zip(folder / "rvu26c-updated-06-30-2026.zip"),
    }


@pytest.fixture
def cms_site(cms, release_zips):
    """The CMS page listing RVU25D and RVU26C (plus links to ignore), and both zips."""
    cms.add("/pfs", release_page([RVU25D_HREF, RVU26C_HREF, "/pfs/rvu19a"]))
    cms.add_file(RVU25D_HREF, release_zips["RVU25D"])
    cms.add_file(RVU26C_HREF, release_zips["RVU26C"])
    return cms


@pytest.fixture
def rvu25d_current(release_zips):
    """The state before CMS publishes RVU26C: RVU25D imported and current."""
    outcome = release_import(source=release_zips["RVU25D"], name="RVU25D", make_current=True)
    assert Release.objects.current() == outcome.release
    return outcome.release


def wait_for(predicate, *, timeout, what, log=None, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(interval)
    detail = f"\n--- worker log ---\n{log.read_text()}" if log and log.exists() else ""
    pytest.fail(f"Timed out after {timeout} s waiting for {what}{detail}")


def current_rows():
    """RVU rows readers can see: those of the current release."""
    return RelativeValue.objects.filter(release__status=Release.Status.CURRENT).count()


@pytest.mark.django_db(transaction=True)
def test_refresh_imports_the_new_release_makes_it_current_and_a_rerun_does_nothing(
    cms_site, rvu25d_current
):
    result = refresh.refresh_fee_schedules(page_url=cms_site.url("/pfs"))

    assert result.found == ["RVU25D", "RVU26C"]
    assert result.imported == ["RVU26C"]
    assert not result.failed
    current = Release.objects.current()
    assert (current.name, current.rvu_count, current.status) == ("RVU26C", RVU26C_ROWS, "current")
    assert current.source == cms_site.url(RVU26C_HREF)
    assert current_rows() == RVU26C_ROWS
    rvu25d_current.refresh_from_db()
    assert rvu25d_current.status == Release.Status.READY  # kept for history pages
    assert cms_site.hits(RVU25D_HREF) == 0  # imported already: not downloaded again
    assert cms_site.hits("/pfs/rvu19a") == 0  # older than what we have: not even looked at

    again = refresh.refresh_fee_schedules(page_url=cms_site.url("/pfs"))

    assert (again.imported, again.unchanged, again.failed) == ([], [], {})
    assert "Nothing new to import" in again.message
    assert cms_site.hits(RVU26C_HREF) == 1
    assert Release.objects.current() == current
    assert Release.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_refresh_retries_a_503_from_cms_then_imports(cms_site, rvu25d_current):
    cms_site.routes[RVU26C_HREF].fail_times = 1
    cms_site.routes["/pfs"].fail_times = 1

    result = refresh.refresh_fee_schedules(page_url=cms_site.url("/pfs"), backoff=0.01)

    assert result.imported == ["RVU26C"]
    assert (cms_site.hits("/pfs"), cms_site.hits(RVU26C_HREF)) == (2, 2)
    assert Release.objects.current().name == "RVU26C"


@pytest.mark.django_db(transaction=True)
def test_a_release_too_large_to_download_is_reported_and_nothing_is_imported(cms_site, settings):
    settings.CMS_DOWNLOAD_MAX_BYTES = 100_000  # the RVU26C zip is larger, the page is not

    result = refresh.refresh_fee_schedules(page_url=cms_site.url("/pfs"))

    # A fresh site starts from the newest release only.
    assert list(result.failed) == ["RVU26C"]
    assert "CMS_DOWNLOAD_MAX_BYTES" in result.failed["RVU26C"]
    assert "nothing was imported" in result.message
    assert Release.objects.count() == 0
    assert cms_site.hits(RVU25D_HREF) == 0


@pytest.mark.django_db(transaction=True)
def test_the_refresh_task_fails_loudly_when_a_release_could_not_be_imported(cms_site, settings):
    settings.CMS_PFS_PAGE_URL = cms_site.url("/pfs")
    settings.CMS_DOWNLOAD_MAX_BYTES = 100_000

    outcome = tasks.refresh_fee_schedules.apply(throw=False)  # even where eager tasks propagate

    assert outcome.state == "FAILURE"
    assert isinstance(outcome.result, refresh.RefreshError)
    assert "RVU26C failed" in str(outcome.result)
    assert "CMS_DOWNLOAD_MAX_BYTES" in str(outcome.result)


@pytest.mark.django_db(transaction=True)
def test_only_one_refresh_runs_at_a_time(cms_site):
    held, release = threading.Event(), threading.Event()

    def other_refresh():
        try:
            with locks.try_lock(refresh.REFRESH_LOCK) as acquired:
                assert acquired
                held.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_refresh)
    thread.start()
    try:
        assert held.wait(10)
        result = refresh.refresh_fee_schedules(page_url=cms_site.url("/pfs"))
    finally:
        release.set()
        thread.join(10)

    assert result.skipped_run
    assert result.message == "Another refresh is running; nothing done."
    assert cms_site.requests == []
    with locks.try_lock(refresh.REFRESH_LOCK) as acquired:  # free again once released
        assert acquired


@pytest.mark.django_db(transaction=True)
def test_a_release_another_process_is_importing_is_left_to_it(cms_site, rvu25d_current):
    held, done = threading.Event(), threading.Event()

    def other_import():  # holds the importer's lock on RVU26C, as import_fee_schedule would
        try:
            with services.release_locks([("RVU26C", False)]):
                held.set()
                done.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_import)
    thread.start()
    try:
        assert held.wait(10)
        result = refresh.refresh_fee_schedules(page_url=cms_site.url("/pfs"))
    finally:
        done.set()
        thread.join(10)

    assert (result.busy, result.imported, result.failed) == (["RVU26C"], [], {})
    assert "Being imported by another process: RVU26C" in result.message
    assert Release.objects.current() == rvu25d_current
    assert refresh.refresh_fee_schedules(page_url=cms_site.url("/pfs")).imported == ["RVU26C"]


def test_the_refresh_runs_daily_from_the_beat_schedule_kept_in_code():
    entry = app.conf.beat_schedule["codes.refresh_fee_schedules"]

    assert entry["task"] == tasks.refresh_fee_schedules.name == "codes.tasks.refresh_fee_schedules"
    assert entry["task"] in app.tasks
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].remaining_estimate(timezone.now()) <= timedelta(days=1)
    assert tasks.refresh_fee_schedules.acks_late and tasks.import_release_task.acks_late


# With a real Celery worker --------------------------------------------------------------------


@pytest.fixture
def finished_tasks():
    """(task name, state, return value) of each task the in-process worker finishes."""
    done = queue.Queue()

    def record(sender=None, state=None, retval=None, **kwargs):
        done.put((sender.name, state, retval))

    task_postrun.connect(record, weak=False)
    yield done
    task_postrun.disconnect(record)


@pytest.fixture
def delivered_from():
    """(task name, routing key) of each message the in-process worker starts."""
    seen = queue.Queue()

    def record(sender=None, task=None, **kwargs):
        seen.put((sender.name, task.request.delivery_info.get("routing_key")))

    task_prerun.connect(record, weak=False)
    yield seen
    task_prerun.disconnect(record)


@pytest.fixture
def celery_worker(transactional_db):
    """The project's Celery app consuming from Redis (REDIS_URL) in a thread of this process,
    so it reads the same test database."""
    assert not app.conf.task_always_eager, "worker tests need REDIS_URL"
    app.control.purge()  # messages left by an interrupted run are not ours to run
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


@pytest.mark.celery_worker
def test_the_periodic_task_refreshes_through_a_real_worker_and_a_rerun_is_a_no_op(
    celery_worker, finished_tasks, delivered_from, cms_site, rvu25d_current, settings
):
    settings.CMS_PFS_PAGE_URL = cms_site.url("/pfs")
    # The test worker, started without -Q as `celery worker` is, consumes the refresh queue too.
    assert {q.name for q in celery_worker.consumer.task_consumer.queues} >= {"celery", "refresh"}

    tasks.refresh_fee_schedules.delay()
    name, state, first = finished_tasks.get(timeout=120)

    assert (name, state) == ("codes.tasks.refresh_fee_schedules", "SUCCESS"), first
    assert delivered_from.get(timeout=1) == ("codes.tasks.refresh_fee_schedules", "refresh")
    assert first["imported"] == ["RVU26C"]
    assert first["current"] == "RVU26C"
    current = Release.objects.current()
    assert (current.name, current.rvu_count) == ("RVU26C", RVU26C_ROWS)
    assert (current.rows_loaded, current.rows_total) == (current.rows_total, current.rows_total)

    tasks.refresh_fee_schedules.delay()
    _, state, second = finished_tasks.get(timeout=60)

    assert state == "SUCCESS", second
    assert (second["imported"], second["unchanged"], second["failed"]) == ([], [], {})
    assert delivered_from.get(timeout=1) == ("codes.tasks.refresh_fee_schedules", "refresh")
    assert delivered_from.empty()  # each message delivered once, from its own queue
    assert cms_site.hits(RVU26C_HREF) == 1
    assert Release.objects.current() == current
    assert current_rows() == RVU26C_ROWS


@pytest.mark.celery_worker
def test_the_import_task_run_twice_imports_once(
    celery_worker, finished_tasks, cms_site, rvu25d_current
):
    url = cms_site.url(RVU26C_HREF)

    tasks.import_release_task.delay(url, "RVU26C", True)
    tasks.import_release_task.delay(url, "RVU26C", True)
    results = [finished_tasks.get(timeout=120), finished_tasks.get(timeout=60)]

    assert [state for _, state, _ in results] == ["SUCCESS", "SUCCESS"], results
    assert [r["imported"] for _, _, r in results] == [True, False]
    assert Release.objects.filter(name="RVU26C").count() == 1
    assert Release.objects.current().name == "RVU26C"
    assert current_rows() == RVU26C_ROWS


def _test_database_url():
    db = django_settings.DATABASES["default"]
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + db["NAME"]))


def _forget_queue(name):
    """Drop a queue's messages, including the one the killed worker had not acknowledged, so a
    later worker never runs them."""
    import json

    import redis

    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    client.delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
    for tag, raw in client.hgetall("unacked").items():
        _message, _exchange, routing_key = json.loads(raw)
        if routing_key == name:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_leaves_the_old_release_current_and_the_next_run_finishes(
    cms_site, rvu25d_current, tmp_path
):
    queue_name = f"test-refresh-kill-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rvuedge.settings.test",
        "DATABASE_URL": _test_database_url(),  # pytest-django's test_<name> database
        "CMS_PFS_PAGE_URL": cms_site.url("/pfs"),
    }
    command = [sys.executable, "-m", "celery", "-A", "rvuedge", "worker", "--pool=solo"]
    command += ["-Q", queue_name, "-n", f"{queue_name}@%h", "--loglevel=INFO"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log.open("w") as out:
        worker = subprocess.Popen(
            command,
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    # The importer writes rows inside one transaction that other connections cannot see, and
    # reports its progress through the cache (the admin reads it there); the test settings give
    # each process its own cache key prefix.
    progress_cache = RedisCache(
        django_settings.CACHES["default"]["LOCATION"], {"KEY_PREFIX": f"rvuedge-test-{worker.pid}"}
    )

    def loading_with_rows():
        release = Release.objects.filter(name="RVU26C").first()
        if release is None:
            return None
        assert release.status == Release.Status.LOADING, "finished before it could be killed"
        done, total = progress_cache.get(codes_cache.PROGRESS_KEY.format(pk=release.pk), (0, 0))
        return (release, done, total) if done > 0 else None

    try:
        tasks.refresh_fee_schedules.apply_async(queue=queue_name)
        loading, done, total = wait_for(
            loading_with_rows,
            timeout=120,
            what="the worker to be loading RVU26C rows",
            log=log,
            interval=0.02,
        )
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        _forget_queue(queue_name)

    assert 0 < done <= total == RVU26C_ROWS
    # Readers still see the whole of RVU25D and nothing of the half-loaded RVU26C.
    assert Release.objects.current() == rvu25d_current
    assert current_rows() == RVU25D_ROWS
    loading.refresh_from_db()
    assert loading.status == Release.Status.LOADING
    assert RelativeValue.objects.filter(release=loading).count() == 0  # rolled back
    assert not Release.objects.loaded().filter(name="RVU26C").exists()

    result = refresh.refresh_fee_schedules(page_url=cms_site.url("/pfs"))

    assert result.imported == ["RVU26C"], result.message
    current = Release.objects.current()
    assert current.pk == loading.pk  # the dead worker's release was reclaimed, not duplicated
    assert (current.name, current.rvu_count) == ("RVU26C", RVU26C_ROWS)
    assert current_rows() == RVU26C_ROWS
    assert Release.objects.filter(name="RVU26C").count() == 1
