"""Cost as data grows: the tracker's dashboard, history (first page and a deep page), reports
and stats for one user with 10,000, 100,000 and 1,000,000 entries, and for a typical user when
1,000,000 entries are spread over 1,000 users. Prints p50/p95 per page and size, then the
growth ratios (1M/100k, 100k/10k). Target (issue 17): dashboard p95 at 1,000,000 entries at most
twice its p95 at 100,000.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rvuedge_growth_bench \\
        .venv/bin/python bench/growth.py [--sizes 10000,100000,1000000,1000x1000] [--runs 20]
        [--regenerate]

The database is created when missing, migrated, and loaded with the bundled CMS data
(`manage.py load_bundled_data`) when it has no current release. Each size is a generated user
(growth-<size>@example.com; the spread case is growth-many-0001..1000@example.com) whose
entries are written with COPY, so a million takes a minute or two rather than an hour. The
generated users are kept: a later run measures them again without writing anything
(`--regenerate` deletes and writes them again).

Entries are real encounters of real codes (office visits, procedures with their modifiers,
endoscopies, critical care) over the five years up to today, at three locations, each encounter
credited by the app's own engine (codes.wrvu.price_lines with the current release), so every
stored figure is one the app would have stored. The pages' derived tables (daily totals, when
tracking has them) are rebuilt by the app's own function after the load, then ANALYZE runs as
autovacuum would.

Requests go through Django's test client with the test settings (DEBUG off, no Redis: the
cache is in-process), so a figure is the server's time for the whole request (middleware,
view, queries, template), without the network. Figures taken on a shared machine are noisy:
compare the ratios.
"""

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MANY_USERS = 1000
# Encounter shapes: (setting, [(code, modifiers), ...]) and how often each is logged.
SHAPES = [
    (30, "non_facility", [("99213", "")]),
    (20, "non_facility", [("99214", "")]),
    (6, "non_facility", [("99215", "")]),
    (6, "non_facility", [("99213", "25"), ("20610", "")]),
    (4, "non_facility", [("99214", "25"), ("96372", "")]),
    (8, "facility", [("99223", "")]),
    (10, "facility", [("99233", "")]),
    (4, "facility", [("99239", "")]),
    (3, "facility", [("99291", ""), ("99292", "")]),
    (3, "facility", [("27447", "RT")]),
    (1, "facility", [("27447", "50")]),
    (2, "facility", [("27130", "LT")]),
    (2, "facility", [("29881", "RT"), ("20610", "")]),
    (3, "facility", [("47562", "")]),
    (2, "facility", [("19303", "LT")]),
    (4, "facility", [("45378", "")]),
    (3, "facility", [("45380", ""), ("45385", "")]),
    (3, "facility", [("43239", ""), ("45380", "")]),
    (2, "facility", [("64483", "RT"), ("64484", "RT")]),
    (3, "facility", [("93010", ""), ("71046", "26")]),
]
LOCATIONS = ["University Hospital", "Riverside Clinic", "Surgery Center"]


# Measuring ----------------------------------------------------------------------------------


def percentile(samples: list[float], share: float) -> float:
    ms = sorted(samples)
    return ms[max(0, min(len(ms) - 1, round(len(ms) * share + 0.5) - 1))]


def timed(client, url: str, runs: int) -> tuple[float, float]:
    """p50 and p95 in ms of GET url, after one warm-up request."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples), percentile(samples, 0.95)


def pages(entries: int) -> dict[str, str]:
    """The pages measured; the deep history page is the middle of the user's history."""
    middle = max(1, entries // 50 // 2)
    five_years = dt.date.today().replace(month=1, day=1) - dt.timedelta(days=4 * 365)
    return {
        "dashboard": "/track/dashboard/",
        "dashboard 5y": "/track/dashboard/?range=5y&group_by=month",
        "history p1": "/track/history/",
        "history deep": f"/track/history/?page={middle}",
        "reports": "/track/reports/",
        "stats API": "/api/v1/stats/",
        "stats API 5y": f"/api/v1/stats/?from={five_years.isoformat()}&group_by=month",
    }


# Generating ---------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(
        host=parts.hostname, port=parts.port, user=parts.username, password=parts.password,
        dbname="postgres", autocommit=True,
    ) as conn:  # fmt: skip
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def priced_shapes(release):
    """Each shape priced by the app's engine in its setting: (weight, setting, lines), each
    line a dict of the columns the app stores."""
    from codes.models import Code
    from codes.wrvu import LineSpec, price_lines

    codes = dict(
        Code.objects.filter(code__in={c for _, _, shape in SHAPES for c, _ in shape}).values_list(
            "code", "pk"
        )
    )
    result = []
    for weight, setting, shape in SHAPES:
        specs = [LineSpec(code, tuple(m for m in mods.split("-") if m)) for code, mods in shape]
        try:
            priced = price_lines(release=release, setting=setting, specs=specs)
        except KeyError as missing:
            print(f"  skipping {shape}: {missing} not in {release.name}")
            continue
        lines = [
            {
                "code_id": codes[item.spec.code],
                "modifiers": "-".join(item.spec.modifiers),
                "units": item.spec.units,
                "work_rvu": item.row.work_rvu,
                "raw": item.medicare.raw,
                "medicare": item.medicare.credited,
                "policy": item.policy.credited,
                "explanation": json.dumps(
                    {"medicare": item.medicare.explanation, "policy": item.policy.explanation}
                ),
                "warnings": json.dumps(item.medicare.warning_messages),
            }
            for item in priced
        ]
        result.append((weight, setting, lines))
    return result


def generate(user, release, shapes, count: int, seed: int) -> None:
    """`count` entries for `user` over the five years up to today, written with COPY."""
    from django.db import connection

    from tracking.models import Location

    rng = random.Random(seed)
    locations = [Location.objects.get_or_create(user=user, name=name)[0].pk for name in LOCATIONS]
    today = dt.date.today()
    weights = [w for w, _, _ in shapes]
    plan = []  # (date, setting, location, lines)
    made = 0
    while made < count:
        _, setting, lines = rng.choices(shapes, weights)[0]
        lines = lines[: count - made]
        day = today - dt.timedelta(days=rng.randrange(5 * 365))
        plan.append((day, setting, rng.choice(locations), lines))
        made += len(lines)
    now = dt.datetime.now(dt.UTC)
    raw = connection.connection  # psycopg's connection: COPY
    with raw.cursor() as cursor:
        cursor.execute("SELECT nextval('tracking_encounter_id_seq')")
        first = cursor.fetchone()[0]
        cursor.execute("SELECT setval('tracking_encounter_id_seq', %s)", [first + len(plan)])
        with cursor.copy(
            "COPY tracking_encounter (id, user_id, date, setting, location_id, created_at) "
            "FROM STDIN"
        ) as copy:
            for i, (day, setting, location, _) in enumerate(plan):
                copy.write_row((first + i, user.pk, day, setting, location, now))
        columns = (
            "user_id, encounter_id, date, code_id, modifiers, units, setting, location_id, role, "
            "supervising_attending, note, release_id, release_flag, release_note, work_rvu, raw, "
            "medicare, policy, explanation, warnings, created_at, updated_at"
        )
        with cursor.copy(f"COPY tracking_procedurelog ({columns}) FROM STDIN") as copy:
            for i, (day, setting, location, lines) in enumerate(plan):
                for line in lines:
                    copy.write_row((
                        user.pk, first + i, day, line["code_id"], line["modifiers"],
                        line["units"], setting, location, "performed", "", "", release.pk, "",
                        "", line["work_rvu"], line["raw"], line["medicare"], line["policy"],
                        line["explanation"], line["warnings"], now, now,
                    ))  # fmt: skip


def wipe(user) -> None:
    """Delete a generated user's entries in SQL (the ORM would read a million rows first)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("tracking_logchange", "tracking_procedurelog", "tracking_encounter"):
            cursor.execute(f"DELETE FROM {table} WHERE user_id = %s", [user.pk])


def rebuild_derived(users) -> None:
    """The app's own rebuild of what it derives from entries (tracking.totals: the daily
    totals), when it has one: COPY went around the services that keep them."""
    try:
        from tracking import totals
    except ImportError:
        return
    for user in users:
        totals.rebuild(user)


def ensure_users(sizes, release, regenerate: bool) -> dict[str, list]:
    """{size label: [users]}, generating what is missing."""
    from django.db import connection, transaction

    from accounts.models import User
    from tracking.models import ProcedureLog

    shapes = None
    found = {}
    for label in sizes:
        if "x" in label:
            users_count, per_user = (int(x) for x in label.split("x"))
            emails = [f"growth-many-{i:04d}@example.com" for i in range(1, users_count + 1)]
        else:
            per_user = int(label)
            emails = [f"growth-{per_user}@example.com"]
        if regenerate:
            for user in User.objects.filter(email__in=emails):
                wipe(user)
            User.objects.filter(email__in=emails).delete()
        users = []
        written = []
        started = time.perf_counter()
        for n, email in enumerate(emails):
            user, _ = User.objects.get_or_create(
                email=email, defaults={"career_stage": "attending"}
            )
            users.append(user)
            if ProcedureLog.objects.filter(user=user).count() == per_user:
                continue
            if shapes is None:
                shapes = priced_shapes(release)
            with transaction.atomic():
                wipe(user)
                generate(user, release, shapes, per_user, seed=per_user + n)
            written.append(user)
        if written:
            rebuild_derived(written)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            took = time.perf_counter() - started
            print(f"  generated {label}: {len(written)} user(s) in {took:.0f} s", flush=True)
        found[label] = users
    return found


# Main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="10000,100000,1000000,1000x1000",
        help="entries for one user, or USERSxENTRIES spread over many users",
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--regenerate", action="store_true", help="write the users again")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database (created when missing)")
    ensure_database(url)
    os.environ["DJANGO_SETTINGS_MODULE"] = "rvuedge.settings.test"  # DEBUG off, no SSL redirect
    for name in ("REDIS_URL", "REDIS_CACHE_URL"):
        os.environ[name] = ""  # in-process cache and tasks: the database is what is measured
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from codes.models import Release
    from tracking.models import ProcedureLog

    setup_test_environment()
    call_command("migrate", verbosity=0)
    if not Release.objects.current():
        print("loading the bundled data ...", flush=True)
        call_command("load_bundled_data", verbosity=0)
    release = Release.objects.current()
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    users = ensure_users(sizes, release, args.regenerate)

    results: dict[str, dict[str, tuple[float, float]]] = {}
    for label in sizes:
        group = users[label]
        user = group[len(group) // 2]  # a typical user of the spread case
        entries = ProcedureLog.objects.filter(user=user).count()
        client = Client()
        client.force_login(user)
        results[label] = {
            name: timed(client, url, args.runs) for name, url in pages(entries).items()
        }
        print(f"  measured {label}", flush=True)

    names = list(next(iter(results.values())))
    print(f"\nrelease {release.name}; {args.runs} runs per figure; p50 / p95 in ms")
    print(f"{'page':16}" + "".join(f"{label:>22}" for label in sizes))
    for name in names:
        cells = "".join(
            f"{results[label][name][0]:10.1f} /{results[label][name][1]:8.1f}  " for label in sizes
        )
        print(f"{name:16}{cells}")
    pairs = [
        (b, a)
        for a, b in (("10000", "100000"), ("100000", "1000000"))
        if a in results and b in results
    ]
    if pairs:
        print("\ngrowth of p95 (ratio)")
        print(f"{'page':16}" + "".join(f"{f'{b}/{a}':>22}" for b, a in pairs))
        for name in names:
            cells = "".join(f"{results[b][name][1] / results[a][name][1]:22.2f}" for b, a in pairs)
            print(f"{name:16}{cells}")
    if "100000" in results and "1000000" in results:
        ratio = results["1000000"]["dashboard"][1] / results["100000"]["dashboard"][1]
        verdict = "met" if ratio <= 2 else "NOT met"
        print(f"\ntarget: dashboard p95 at 1,000,000 <= 2 x at 100,000: {ratio:.2f} x ({verdict})")


if __name__ == "__main__":
    main()
