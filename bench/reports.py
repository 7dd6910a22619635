"""Reports, export and import on PostgreSQL: CSV export of 100,000 entries (time and memory while
streaming), the PDF report of a year, and the import of a 10,000-row CSV. Prints each figure.

    .venv/bin/python bench/reports.py [--database-url postgres://postgres@127.0.0.1:5432/rvuedge_reports_bench]

The database (its name must end in "bench") is created, migrated and loaded with the bundled
CMS data on first use, and a user with 100,000 entries over 5 years is seeded with
bench/tracking.py's seeding function; both are kept for later runs. Requests go through Django's
test client (the whole request: middleware, view, queries, rendering), without the network.
Celery runs in-process (no REDIS_URL), so the import's task time is part of the figure.

Memory of the CSV export is measured two ways while the response is consumed chunk by chunk:
RSS growth of this process (VmRSS from /proc/self/status, sampled every chunk, minus the RSS
before the request) and, in a second pass, tracemalloc's peak of Python allocations.
Targets (issue 6): CSV export of 100,000 entries peak under 100 MB; PDF of a year < 5 s;
import of 10,000 rows < 20 s.
"""

import argparse
import csv
import datetime as dt
import importlib.util
import io
import itertools
import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _bench_tracking():
    """bench/tracking.py, whose name is the tracking app's: loaded under another name."""
    spec = importlib.util.spec_from_file_location("bench_tracking", ROOT / "bench" / "tracking.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench_tracking = _bench_tracking()
ENTRIES = bench_tracking.ENTRIES

IMPORT_ROWS = 10_000
IMPORT_CODES = [
    ("99213", ""), ("99214", ""), ("99213", "25"), ("20610", ""), ("27447", "50"),
    ("47562", ""), ("19303", ""), ("45380", ""), ("45385", ""), ("99291", ""), ("64483", "RT"),
]  # fmt: skip


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def import_csv(rows: int, *, spread: bool = False) -> bytes:
    """An EHR-like export: a year of days at three places (several rows per encounter), or with
    `spread` five years at twenty places (about one row per encounter: the slow shape)."""
    rng = random.Random(11)
    days, places = (5 * 365, 20) if spread else (365, 3)
    today = dt.date.today()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Service Date", "CPT", "Modifier", "Units", "Location", "Notes"])
    for _ in range(rows):
        code, modifier = rng.choice(IMPORT_CODES)
        day = today - dt.timedelta(days=1 + rng.randrange(days))
        units = 2 if code == "20610" and rng.random() < 0.3 else 1
        writer.writerow([day.strftime("%m/%d/%Y"), code, modifier, units,
                         f"Place {rng.randrange(places)}", ""])  # fmt: skip
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/rvuedge_reports_bench"
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    created = bench_tracking.ensure_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.pop("REDIS_URL", None)  # Celery in-process: the task's time is in the figure
    os.environ["DJANGO_SETTINGS_MODULE"] = "rvuedge.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import User
    from codes.models import Release
    from tracking.models import ImportJob, ProcedureLog

    setup_test_environment()
    call_command("migrate", verbosity=0)
    if created or not Release.objects.current():
        call_command("load_bundled_data", verbosity=0)
    release = Release.objects.current()
    heavy, _ = User.objects.get_or_create(
        email="bench-reports-100k@example.com", defaults={"career_stage": "attending"}
    )
    have = ProcedureLog.objects.filter(user=heavy).count()
    if have < ENTRIES:
        print(f"seeding {ENTRIES - have:,} entries ...", flush=True)
        bench_tracking.seed_entries(heavy, release, ENTRIES - have)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    count = ProcedureLog.objects.filter(user=heavy).count()
    database = connection.settings_dict["NAME"]
    print(f"release {release.name}; {count:,} entries; PostgreSQL {database}")

    client = Client()
    client.force_login(heavy)

    # CSV export: time, RSS growth while streaming, then tracemalloc peak -------------------------
    client.get("/track/reports/")  # warm the session and templates
    baseline = rss_mb()
    peak = baseline
    start = time.perf_counter()
    response = client.get("/track/reports/entries.csv")
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
        peak = max(peak, rss_mb())
    seconds = time.perf_counter() - start
    assert lines == count + 1, (lines, count)
    print(
        f"CSV export, {count:,} entries     {seconds:6.2f} s   {size / 1e6:6.1f} MB of CSV   "
        f"RSS growth while streaming {peak - baseline:5.1f} MB (RSS {baseline:.0f} -> "
        f"{peak:.0f} MB)   target peak < 100 MB"
    )
    tracemalloc.start()
    response = client.get("/track/reports/entries.csv")
    for _chunk in response.streaming_content:
        pass
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"CSV export, tracemalloc peak of Python allocations {traced_peak / 1e6:6.1f} MB")

    # PDF of a year --------------------------------------------------------------------------------
    year_ago = (dt.date.today() - dt.timedelta(days=365)).isoformat()
    url = f"/track/reports/entries.pdf?start={year_ago}"
    in_year = ProcedureLog.objects.filter(user=heavy, date__gte=year_ago).count()
    samples = []
    for _ in range(args.runs):
        start = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
    print(
        f"PDF of a year, {in_year:,} entries    median {statistics.median(samples):5.2f} s   "
        f"max {max(samples):5.2f} s   ({len(response.content) / 1e3:.0f} kB; n={len(samples)})"
        "   target < 5 s"
    )
    # the whole history, for scale
    start = time.perf_counter()
    response = client.get("/track/reports/entries.pdf")
    print(f"PDF of all {count:,} entries         {time.perf_counter() - start:5.2f} s")
    start = time.perf_counter()
    response = client.get(f"/track/reports/entries.xlsx?start={year_ago}")
    body = b"".join(response.streaming_content)
    print(
        f"XLSX of a year, {in_year:,} entries   {time.perf_counter() - start:5.2f} s   "
        f"({len(body) / 1e6:.1f} MB)"
    )

    # Import of 10,000 rows --------------------------------------------------------------------
    shapes = [("year at 3 places", import_csv(IMPORT_ROWS))] * args.runs
    shapes.append(("5 years at 20 places", import_csv(IMPORT_ROWS, spread=True)))
    for run, (shape, body) in enumerate(shapes):
        importer, _ = User.objects.get_or_create(
            email=f"bench-import-{run}@example.com", defaults={"career_stage": "attending"}
        )
        ProcedureLog.objects.filter(user=importer).delete()
        importer.encounters.all().delete()
        importer.locations.all().delete()
        client.force_login(importer)
        marks = [time.perf_counter()]
        upload = io.BytesIO(body)
        upload.name = "ehr-export.csv"
        response = client.post("/track/import/", {"file": upload})
        assert response.status_code == 302, response.content[:500]
        job = ImportJob.objects.filter(user=importer).latest("pk")
        marks.append(time.perf_counter())
        columns = {"date": "Service Date", "code": "CPT", "modifiers": "Modifier"}
        columns |= {"units": "Units", "location": "Location", "note": "Notes"}
        response = client.post(f"/track/import/{job.pk}/columns/", columns)
        assert response.status_code == 302, response.content[:500]
        response = client.get(f"/track/import/{job.pk}/")  # the preview checks every row
        assert response.status_code == 200
        marks.append(time.perf_counter())
        response = client.post(f"/track/import/{job.pk}/run/", {"mode": "all_or_nothing"})
        marks.append(time.perf_counter())
        job.refresh_from_db()
        assert job.status == "done" and job.rows_imported == IMPORT_ROWS, job.message
        upload_s, preview_s, run_s = (b - a for a, b in itertools.pairwise(marks))
        print(
            f"import of {IMPORT_ROWS:,} rows, {shape}   total {marks[-1] - marks[0]:5.2f} s"
            f" = upload {upload_s:.2f} + map and preview {preview_s:.2f} + import {run_s:.2f}"
            f"   ({importer.encounters.count():,} encounters)   target < 20 s"
        )


if __name__ == "__main__":
    main()
