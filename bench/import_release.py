"""Time a full release import into a fresh PostgreSQL database and print the figures.

    .venv/bin/python bench/import_release.py [--database-url postgres://postgres@127.0.0.1:5432/rvuedge_bench]

Imports RVU25D (PPRRVU, GPCI, LOCCO, ANES, OPPSCAP) and the HCPCS file through
codes.services.release_import, as `manage.py import_fee_schedule` does, into a database it drops
and creates (the name must end in "bench"). Prints seconds, rows per second and peak memory
(the process's maximum resident set size, and how much it grew during the import). The issue's
targets: at most 15 s and 300 MB.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "cms"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def fresh_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.endswith("bench"):
        sys.exit(f"refusing to drop {name!r}: the bench database name must end in 'bench'")
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/rvuedge_bench"
    )
    parser.add_argument("--data", type=Path, default=BUNDLED)
    args = parser.parse_args()

    fresh_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_DEBUG", "false")  # DEBUG would keep every query's SQL
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rvuedge.settings.base")
    sys.path.insert(0, str(ROOT))

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)

    from codes.models import RelativeValue, Release, SourceFile
    from codes.services import release_import

    sources = [args.data / "RVU25D", args.data / "HCPCS2025_OCT"]
    before = peak_mb()
    started = time.perf_counter()
    for source in sources:
        release_import(source=source)
    seconds = time.perf_counter() - started
    after = peak_mb()

    rows = sum(SourceFile.objects.values_list("row_count", flat=True))
    release = Release.objects.get(name="RVU25D")
    assert RelativeValue.objects.filter(release=release).count() == release.rvu_count
    print(f"data:            {args.data}")
    print(f"files:           {SourceFile.objects.count()} ({rows:,} rows)")
    print(f"seconds:         {seconds:.2f}")
    print(f"rows per second: {rows / seconds:,.0f}")
    print(f"peak memory:     {after:.0f} MB max RSS (grew {after - before:.0f} MB in the import)")


if __name__ == "__main__":
    main()
