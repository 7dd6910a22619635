"""Time code search and suggestions over the full catalogue and print p50/p95.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rvuedge_dev .venv/bin/python bench/search.py

Loads nothing: it expects the bundled data imported into the database DATABASE_URL names
(`manage.py load_bundled_data`, plus the editorial content for synonyms), and stops with a
message when there is no current release. Runs a fixed mix of queries (exact codes, code
prefixes, descriptor words, synonyms, misspellings), at least 200 of each kind of call, through
the views /cpt-codes/search/ and /cpt-codes/suggest/ (request in, rendered response out or, for
an exact code, the redirect to its page; no network), with the suggestion cache cleared before
every call so nothing is served from it.
The issue's targets: search p95 at most 50 ms, suggestions p95 at most 30 ms.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What clinicians type: words, abbreviations and synonyms, then the same with typos.
WORDS = [
    "colonoscopy", "knee", "biopsy", "injection", "office visit", "echocardiogram", "mri brain",
    "ct head", "cataract", "hernia repair", "appendectomy", "arthroscopy", "cholecystectomy",
    "mammogram", "x-ray chest", "skin graft", "fracture", "laceration repair", "vaccine",
    "psychotherapy", "physical therapy", "ultrasound", "catheter", "anesthesia", "critical care",
    "hospital visit", "emergency department", "nursing facility", "telehealth", "debridement",
    "excision", "epidural", "spinal fusion", "carpal tunnel", "hysterectomy", "cesarean",
    "wheelchair", "insulin", "oxygen", "ambulance", "drug screen", "glucose", "hemoglobin",
    "thyroid", "lipid panel", "urinalysis", "ekg", "stress test", "sleep study", "dialysis",
]  # fmt: skip
SYNONYMS = [
    "knee replacement", "lap chole", "hip replacement", "tka", "total knee replacement",
    "flu shot", "botox", "established patient", "new patient visit", "joint injection",
    "lap appy", "egd", "screening colonoscopy", "cardiac cath", "colonoscopy polyp removal",
    "cataract surgery", "c-section", "pap smear", "well child visit", "annual wellness visit",
    "mri knee", "e/m level 4",
]  # fmt: skip
MISSPELLINGS = [
    "cholecystectmy", "colonscopy", "artroscopy", "apendectomy", "echocardiogrm", "mamogram",
    "hysterectmy", "debridment", "psychoterapy", "ultrasond", "knee replacment", "laceraton",
    "cateract", "herna repair", "anesthsia", "biospy", "injecton", "thyriod", "catheterisation",
    "arthroplsty", "kne replacment",
]  # fmt: skip
PREFIXES = ["9921", "9922", "992", "2744", "4756", "J34", "J0", "G0", "7045", "8", "1", "A4", "E0"]


def setup_django(database_url: str | None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("DATABASE_URL must name the PostgreSQL database holding the bundled data")
    os.environ.setdefault("DJANGO_DEBUG", "false")  # DEBUG would keep every query's SQL
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rvuedge.settings.base")
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    # Render pages without a collectstatic manifest (the bench times views, not static files).
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )


def queries(rng: random.Random) -> list[tuple[str, str]]:
    """(kind, query) pairs: codes and their prefixes drawn from the current release."""
    from codes.models import Code, Release

    release = Release.objects.current()
    codes = list(
        Code.objects.filter(rvus__release=release, rvus__modifier="")
        .values_list("code", flat=True)
        .order_by("code")
    )
    mix = [("exact code", code) for code in rng.sample(codes, 60)]
    mix += [("code prefix", p) for p in PREFIXES]
    mix += [("code prefix", code[:4]) for code in rng.sample(codes, 30)]
    mix += [("words", w) for w in WORDS]
    mix += [("synonym", s) for s in SYNONYMS * 2]
    mix += [("misspelling", m) for m in MISSPELLINGS * 2]
    rng.shuffle(mix)
    return mix


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: the DATABASE_URL environment variable")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the query mix")
    parser.add_argument("--slowest", type=int, default=0, help="also list the N slowest queries")
    args = parser.parse_args()
    setup_django(args.database_url)

    from django.core.cache import cache
    from django.db import DatabaseError
    from django.test import RequestFactory

    from codes import search_views
    from codes.models import CodeContent, Release

    try:
        release = Release.objects.current()
    except DatabaseError as exc:
        sys.exit(
            f"The database is not migrated ({exc.__class__.__name__}): run manage.py migrate "
            "and load_bundled_data first."
        )
    if release is None or release.code_count < 10_000:
        sys.exit(
            "No current release with the full catalogue: import the bundled data first "
            "(DJANGO_DEBUG=true manage.py load_bundled_data) into this DATABASE_URL."
        )
    if not CodeContent.objects.exclude(synonyms="").exists():
        print("warning: no editorial synonyms loaded; synonym queries search descriptors only")

    mix = queries(random.Random(4))
    factory = RequestFactory()
    views = {"search": search_views.search, "suggest": search_views.suggest}
    # One untimed pass warms the connection and PostgreSQL's buffers, as a running site is.
    for _, q in mix:
        for view in views.values():
            cache.clear()
            view(factory.get("/", {"q": q}))

    timings = {name: [] for name in views}
    slowest = []
    by_kind = {name: {} for name in views}
    for _ in range(args.rounds):
        for kind, q in mix:
            for name, view in views.items():
                cache.clear()  # suggestions are cached: time the uncached path
                request = factory.get("/", {"q": q})
                start = time.perf_counter()
                response = view(request)
                if hasattr(response, "render"):
                    response.render()
                elapsed = (time.perf_counter() - start) * 1000
                # The results page redirects a whole code to its page (after the same search).
                expected = 302 if (name, kind) == ("search", "exact code") else 200
                if response.status_code != expected:
                    sys.exit(f"{name} {q!r} answered {response.status_code}")
                timings[name].append(elapsed)
                slowest.append((elapsed, name, q))
                by_kind[name].setdefault(kind, []).append(elapsed)

    print(f"Release {release}, {release.code_count:,} codes; {len(mix)} queries x {args.rounds}")
    targets = {"search": 50, "suggest": 30}
    for name, samples in timings.items():
        p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
        verdict = "ok" if p95 <= targets[name] else "OVER TARGET"
        print(
            f"{name:8} n={len(samples)}  p50 {p50:5.1f} ms  p95 {p95:5.1f} ms  "
            f"max {max(samples):5.1f} ms  (target p95 <= {targets[name]} ms: {verdict})"
        )
        for kind, kind_samples in sorted(by_kind[name].items()):
            print(
                f"    {kind:12} n={len(kind_samples):3}  "
                f"p50 {statistics.median(kind_samples):5.1f} ms  "
                f"p95 {percentile(kind_samples, 0.95):5.1f} ms"
            )

    for elapsed, name, q in sorted(slowest, reverse=True)[: args.slowest]:
        print(f"  slow: {name:8} {elapsed:6.1f} ms  {q!r}")


if __name__ == "__main__":
    main()
