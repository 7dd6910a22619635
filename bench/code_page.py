"""Measure code pages (/cpt-codes/<CODE>/) and print the figures.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/code_page.py \
        [--codes 300] [--wrk-seconds 15] [--workers 3] [--port 8097]

Needs a PostgreSQL database holding the bundled data (`manage.py load_bundled_data`) and Redis.
Prints:
1. queries per page, for codes of every kind, on an empty cache and with only the page cached;
2. server time of uncached pages (the page body not cached; the per-release pieces shared by all
   pages warm, as in steady state), p50 and p95 over many codes, through the Django test client;
3. requests per second of cached pages under `wrk -c 32` through gunicorn with production
   settings (DEBUG off, collectstatic into a temporary STATIC_ROOT, Redis cache).
The issue's targets: at most 8 queries, p50 at most 25 ms, at least 800 requests/s.
"""

import argparse
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CODES = ["J3490", "99213", "27447", "70450", "10011", "22552", "45380", "0001F", "A0021"]


def production_settings() -> tuple[Path, dict]:
    """A settings module with production settings and a temporary STATIC_ROOT, collected."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database holding the bundled data.")
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL: pages are cached in Redis.")
    tmp = Path(tempfile.mkdtemp(prefix="bench-code-page-"))
    (tmp / "bench_settings.py").write_text(
        "import os\nfrom rvuedge.settings.base import *  # noqa\n"
        "STATIC_ROOT = os.environ['BENCH_STATIC_ROOT']\n"
    )
    env = dict(
        os.environ,
        DJANGO_DEBUG="false",  # production; DEBUG would also keep every query's SQL
        SECURE_SSL_REDIRECT="false",
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "bench-only-secret-key"),
        ALLOWED_HOSTS="127.0.0.1,testserver",
        DJANGO_SETTINGS_MODULE="bench_settings",
        BENCH_STATIC_ROOT=str(tmp / "static"),
        PYTHONPATH=f"{tmp}:{ROOT}",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return tmp, env


def setup_django(tmp: Path, env: dict):
    os.environ.update(env)
    sys.path[:0] = [str(tmp), str(ROOT)]
    import django

    django.setup()


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def query_counts():
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from codes import cache as codes_cache

    client = Client()
    cold, warm = [], []
    for code in SAMPLE_CODES:
        codes_cache.invalidate_code_pages()
        codes_cache.current_release_name_clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/cpt-codes/{code}/").status_code == 200
        cold.append(len(ctx))
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/cpt-codes/{code}/")
        warm.append(len(ctx))
    print("1. Queries per page (anonymous visitor)")
    print(f"   codes: {', '.join(SAMPLE_CODES)}")
    print(f"   empty cache (every shared piece too): {cold}  max {max(cold)}")
    print(f"   page cached:                          {warm}  max {max(warm)}")


def server_times(sample):
    from django.core.cache import cache
    from django.test import Client

    from codes import pages

    client = Client()
    client.get("/cpt-codes/99213/")  # warm the per-release pieces every page shares
    times = []
    for code in sample:
        cache.delete(pages.page_cache_key(code, None))
        started = time.perf_counter()
        response = client.get(f"/cpt-codes/{code}/")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (code, response.status_code)
    print(f"2. Uncached page server time over {len(times)} codes (Django test client)")
    print(
        f"   p50 {statistics.median(times):.1f} ms   p95 {percentile(times, 0.95):.1f} ms   "
        f"max {max(times):.1f} ms"
    )


def wrk(sample, *, tmp, env, seconds, workers, port):
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    python = sys.executable
    gunicorn = subprocess.Popen(
        [
            str(Path(python).with_name("gunicorn")),
            "rvuedge.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/cpt-codes/99213/", timeout=5)
                break
            except OSError:
                time.sleep(0.2)
        for code in sample:  # cache every page the run asks for
            urllib.request.urlopen(f"{base}/cpt-codes/{code}/", timeout=10).read()
        script = tmp / "codes.lua"
        paths = ", ".join(f'"/cpt-codes/{code}/"' for code in sample)
        script.write_text(
            f"local paths = {{{paths}}}\nlocal i = 0\n"
            "request = function()\n  i = i % #paths + 1\n"
            "  return wrk.format('GET', paths[i])\nend\n"
        )
        out = subprocess.run(
            ["wrk", "-t2", "-c32", f"-d{seconds}s", "-s", str(script), base],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
    latency = re.search(r"Latency\s+(\S+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    print(
        f"3. Cached pages through gunicorn ({workers} sync workers, DEBUG off), "
        f"wrk -t2 -c32 -d{seconds}s over {len(sample)} codes"
    )
    print(
        f"   {rps} requests/s, mean latency {latency}, non-2xx: {errors.group(1) if errors else 0}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=300, help="Codes timed uncached.")
    parser.add_argument("--wrk-seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers.")
    parser.add_argument("--port", type=int, default=8097)
    parser.add_argument("--no-wrk", action="store_true", help="Skip the gunicorn/wrk part.")
    args = parser.parse_args()
    tmp, env = production_settings()
    try:
        run(args, tmp, env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args, tmp, env):
    setup_django(tmp, env)
    from codes.models import Code, RelativeValue
    from codes.selectors import page_state

    current = page_state().current
    if current is None:
        sys.exit("No current release: run manage.py load_bundled_data first.")
    codes = list(
        RelativeValue.objects.filter(release=current, modifier="").values_list(
            "code__code", flat=True
        )
    )
    random.seed(7)
    sample = random.sample(codes, min(args.codes, len(codes)))
    print(f"Code pages on {current} ({Code.objects.count():,} codes)\n")
    query_counts()
    server_times(sample)
    if not args.no_wrk:
        wrk(
            sample[:100],
            tmp=tmp,
            env=env,
            seconds=args.wrk_seconds,
            workers=args.workers,
            port=args.port,
        )


if __name__ == "__main__":
    main()
