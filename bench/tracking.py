"""Server time of the tracker on PostgreSQL: quick-entry preview and save, and the history page
and dashboard of a user with 100,000 entries. Prints p50/p95 per figure.

    .venv/bin/python bench/tracking.py [--database-url postgres://postgres@127.0.0.1:5432/rvuedge_tracking_bench]

The database (its name must end in "bench") is created, migrated and loaded with the bundled
CMS data on first use and kept for later runs. Requests go through Django's test client, so the
figures are the server's time for the whole request (middleware, views, templates, queries),
without the network. Targets: preview of 5 lines <= 30 ms, save <= 60 ms, history <= 100 ms
(issue 5); dashboard of a user with 100,000 entries over 5 years <= 200 ms (issue 6).
"""

import argparse
import datetime as dt
import itertools
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ENTRIES = 100_000
FIVE_LINES = [
    "99213 27447-50 20610 x2 47562-62 99214",
    "19303 47562 45380 45385 99291",
    "27130 29881 20610 64483 64484",
    "99223 99233 99239 93010 71046-26",
    "43239 45378 45380 99213-25 96372",
]


def ensure_database(url: str) -> bool:
    """Create the database if it does not exist; True when it was created."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.endswith("bench"):
        sys.exit(f"refusing to use {name!r}: the bench database name must end in 'bench'")
    with psycopg.connect(
        host=parts.hostname, port=parts.port, user=parts.username, dbname="postgres",
        autocommit=True,
    ) as conn:  # fmt: skip
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return not exists


def percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    return f"p50 {statistics.median(ms):6.1f} ms   p95 {p95:6.1f} ms   (n={len(ms)})"


def report(label: str, samples: list[float], target: str) -> None:
    print(f"{label:32} {percentiles(samples)}   target {target}")


def timed(function, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def seed_entries(user, release, count: int) -> None:
    """Bulk-create `count` entries over 5 years, credited by the engine per encounter shape."""
    from codes.models import Code
    from codes.wrvu import LineSpec, price_lines
    from tracking.models import Encounter, ProcedureLog

    shapes = [
        [LineSpec(c, tuple(m for m in mods.split("-") if m)) for c, mods in shape]
        for shape in (
            [("99213", ""), ("99214", "")],
            [("27447", "50")],
            [("47562", ""), ("19303", "")],
            [("20610", ""), ("99213", "25")],
            [("45380", ""), ("45385", "")],
            [("99291", ""), ("99292", "")],
        )
    ]
    codes = {c.code: c for c in Code.objects.filter(code__in={s.code for sh in shapes for s in sh})}
    priced = {
        i: price_lines(release=release, setting="facility", specs=shape)
        for i, shape in enumerate(shapes)
    }
    rng = random.Random(7)
    today = dt.date.today()
    made = 0
    while made < count:
        encounters, logs = [], []
        for _ in range(2000):
            day = today - dt.timedelta(days=rng.randrange(5 * 365))
            encounters.append(Encounter(user=user, date=day, setting="facility"))
        Encounter.objects.bulk_create(encounters)
        for encounter in encounters:
            shape = rng.randrange(len(shapes))
            for item in priced[shape]:
                logs.append(
                    ProcedureLog(
                        user=user,
                        encounter=encounter,
                        date=encounter.date,
                        code=codes[item.spec.code],
                        modifiers="-".join(item.spec.modifiers),
                        units=item.spec.units,
                        setting="facility",
                        release=release,
                        work_rvu=item.row.work_rvu,
                        raw=item.medicare.raw,
                        medicare=item.medicare.credited,
                        policy=item.policy.credited,
                        explanation={
                            "medicare": item.medicare.explanation,
                            "policy": item.policy.explanation,
                        },
                        warnings=item.medicare.warning_messages,
                    )
                )
        ProcedureLog.objects.bulk_create(logs[: count - made], batch_size=5000)
        made += min(len(logs), count - made)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/rvuedge_tracking_bench"
    )
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    created = ensure_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "rvuedge.settings.test"  # DEBUG off, no SSL redirect
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import User
    from codes.models import Release
    from tracking.models import ProcedureLog

    setup_test_environment()  # lets the test client run against this database
    call_command("migrate", verbosity=0)
    if created or not Release.objects.current():
        call_command("load_bundled_data", verbosity=0)
    release = Release.objects.current()
    heavy, _ = User.objects.get_or_create(
        email="bench-100k@example.com", defaults={"career_stage": "attending"}
    )
    have = ProcedureLog.objects.filter(user=heavy).count()
    if have < ENTRIES:
        print(f"seeding {ENTRIES - have:,} entries ...", flush=True)
        seed_entries(heavy, release, ENTRIES - have)
        with connection.cursor() as cursor:  # as autovacuum would, after a bulk load
            cursor.execute("ANALYZE")
    light, _ = User.objects.get_or_create(
        email="bench-entry@example.com", defaults={"career_stage": "attending"}
    )

    client = Client()
    client.force_login(light)
    today = dt.date.today().isoformat()
    texts = itertools.cycle(FIVE_LINES)

    def preview():
        response = client.post("/track/preview/", {"text": next(texts), "setting": "facility"})
        assert response.status_code == 200, response.status_code

    def save():
        data = {"text": next(texts), "date": today, "setting": "facility"}
        response = client.post("/track/", data)
        assert response.status_code == 302, response.content[:500]

    timed(preview, 10)  # warm caches (the release's code set) and connections
    print(f"release {release.name} on PostgreSQL ({args.database_url.rsplit('/', 1)[-1]})")
    print(
        f"quick entry preview, 5 lines   {percentiles(timed(preview, args.runs))}   target <= 30 ms"
    )
    print(f"quick entry save, 5 lines      {percentiles(timed(save, args.runs))}   target <= 60 ms")
    ProcedureLog.objects.filter(user=light).delete()

    client.force_login(heavy)
    start = (dt.date.today() - dt.timedelta(days=365)).isoformat()
    pages = itertools.count(1)
    history_urls = [
        lambda: "/track/history/",
        lambda: f"/track/history/?page={next(pages) % 40 + 1}",
        lambda: f"/track/history/?start={start}&end={today}",
        lambda: "/track/history/?code=27447",
        lambda: f"/track/history/?code=99213&start={start}&setting=facility",
    ]
    urls = itertools.cycle(history_urls)

    def history():
        response = client.get(next(urls)())
        assert response.status_code == 200

    timed(history, 5)
    count = ProcedureLog.objects.filter(user=heavy).count()
    report(f"history, {count:,} entries", timed(history, args.runs), "<= 100 ms")

    dashboards = itertools.cycle(
        [
            "/track/dashboard/",
            "/track/dashboard/?range=12m&group_by=week",
            "/track/dashboard/?range=5y&group_by=month",
            "/track/dashboard/?range=month&group_by=day",
        ]
    )

    def dashboard():
        response = client.get(next(dashboards))
        assert response.status_code == 200

    timed(dashboard, 4)
    report(f"dashboard, {count:,} entries", timed(dashboard, args.runs), "<= 200 ms")


if __name__ == "__main__":
    main()
