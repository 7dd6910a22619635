"""The mixed workload through the whole production stack, clean and under faults (issue 17).

    .venv/bin/python bench/load.py --keep [--users 60] [--rate 400] [--member-rate 1] \
        [--duration 90] [--spawn-rate 30] [--warmup 30] [--runs clean,faults]

Starts the bench's private stack (bench/stack.py: its own PostgreSQL, Redis and the Procfile's
processes, set up by `scripts/prod --setup-only`), creates the signed-in members' accounts,
then runs locust headless (a subprocess: gevent stays out of this process) with
bench/locustfile.py against nginx on 127.0.0.1:8090, bounded in users (--users), requests per
second (--rate, the users' pacing: signed-in users enough for 15% of it at --member-rate
iterations each, the visitors sharing the rest) and time (--duration), after a warm-up that is not
reported (--warmup seconds of the same load), twice:

1. clean;
2. with faults at set times: a gunicorn worker killed (SIGKILL), the cache Redis restarted, the
   broker Redis restarted, PostgreSQL restarted (pg_ctl restart -m fast).

For each run it prints requests/s, p50/p95/p99, errors and their rate (after the users' ramp,
and inside each fault's window: from the fault until 5 s after the service is back), the share
of each kind of request, and the entries acknowledged by the server against those stored in
the database for the bench's members (none lost, none doubled). Targets: >= 300 requests/s
with p99 < 500 ms and 0 errors; under faults an error rate < 1% in each window and 0 lost or
doubled entries. --keep keeps the PostgreSQL cluster (and its loaded data) for the next run.

The cache Redis starts empty. Before the warm-up, every code page is rendered into it as the
beat's warm_code_pages does on a site in use (`manage.py warm_code_pages`, two processes side
by side; its time is printed), so the runs measure the site as it is most of the time; --cold
leaves that out, measuring the first hour of a new data version instead.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import ROOT, VAR, Stack, say

RESULTS = VAR / "results"
MEMBER_PREFIX = "bench-member-"
PASSWORD = "bench-load-password-17"
WINDOW_TAIL = 5.0  # seconds after the service is back that still count as the fault's window
# Requests per task iteration: a visitor makes one; a member 1.8 on average (quick entry is
# preview + save + the page after it, 3 requests, at weight 2; dashboard or history, 1, at 3).
MEMBER_REQUESTS = (2 * 3 + 3 * 1) / 5
MEMBER_SHARE = 0.15  # of all requests: quick entry 10% and dashboard or history 5%

CATEGORIES = {
    "anon: code page": "code pages and browse (70%)",
    "anon: browse": "code pages and browse (70%)",
    "search": "search and suggestions (15%)",
    "suggest": "search and suggestions (15%)",
    "quick entry: page": "quick entry (10%)",
    "quick entry: preview": "quick entry (10%)",
    "quick entry: save": "quick entry (10%)",
    "dashboard": "dashboard and history (5%)",
    "history": "dashboard and history (5%)",
}


def members_create(stack: Stack, count: int) -> list[list[str]]:
    """Fresh accounts for the signed-in users (the old ones and their entries deleted), with a
    confirmed email address, each signed in already: [email, session key]. (Signing dozens in
    through the form within a minute would meet allauth's limit of sign-ins per address, which
    the bench's single address would be refused by; it is not what is measured.)"""
    script = f"""
from importlib import import_module
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
User = get_user_model()
User.objects.filter(email__startswith={MEMBER_PREFIX!r}).delete()
for i in range({count}):
    user = User.objects.create_user(
        email=f"{MEMBER_PREFIX}{{i}}@example.test", password={PASSWORD!r},
        career_stage="attending",
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print("member", user.email, session.session_key)
"""
    out = stack.django(script)
    return [line.split()[1:] for line in out.splitlines() if line.startswith("member ")]


def entries_stored(stack: Stack) -> int:
    script = f"""
from tracking.models import ProcedureLog
print(ProcedureLog.objects.filter(user__email__startswith={MEMBER_PREFIX!r}).count())
"""
    return int(stack.django(script).strip().splitlines()[-1])


class Faults(threading.Thread):
    """Injects the faults at their times (seconds after the users are all running)."""

    def __init__(self, stack: Stack, start: float, spacing: float):
        super().__init__(daemon=True)
        self.stack, self.start_at, self.spacing = stack, start, spacing
        self.windows: list[tuple[str, float, float]] = []
        self.errors: list[str] = []

    def run(self) -> None:
        faults = [
            ("gunicorn worker killed", self.stack.kill_web_worker),
            ("cache Redis restarted", self.stack.restart_cache_redis),
            ("broker Redis restarted", self.stack.restart_broker_redis),
            ("PostgreSQL restarted", self.stack.restart_postgres),
        ]
        for i, (name, inject) in enumerate(faults):
            time.sleep(max(0.0, self.start_at + i * self.spacing - time.time()))
            began = time.time()
            try:
                inject()
            except Exception as exc:
                self.errors.append(f"{name}: {exc}")
            ended = time.time()
            say(f"fault: {name} ({ended - began:.1f} s until back)")
            self.windows.append((name, began, ended + WINDOW_TAIL))


def member_count(args) -> int:
    """Signed-in users enough for their 15% of the requests at --member-rate iterations each
    (a member waits for each of its requests, so a few fast members could not keep up)."""
    return max(1, math.ceil(args.rate * MEMBER_SHARE / MEMBER_REQUESTS / args.member_rate))


def locust_run(stack: Stack, args, label, members, *, faults: bool, duration=None) -> dict:
    duration = duration or args.duration
    RESULTS.mkdir(parents=True, exist_ok=True)
    request_log = RESULTS / f"{label}-requests.csv"
    result_file = RESULTS / f"{label}-saves.json"
    for stale in (request_log, result_file):  # a run that fails to start must not report these
        stale.unlink(missing_ok=True)
    member_users = member_count(args)
    visitors = args.users - member_users
    env = stack.env | {
        "BENCH_VISITOR_RATE": str(args.rate * (1 - MEMBER_SHARE) / visitors),
        "BENCH_MEMBER_RATE": str(args.member_rate),
        "BENCH_MEMBERS": json.dumps(members[:member_users]),
        "BENCH_MEMBER_USERS": str(member_users),
        "BENCH_REQUEST_LOG": str(request_log),
        "BENCH_RESULT": str(result_file),
    }
    command = [
        str(ROOT / ".venv" / "bin" / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"),
        "--headless", "--host", stack.site_url, "--users", str(args.users),
        "--spawn-rate", str(args.spawn_rate), "--run-time", f"{duration}s",
        "--stop-timeout", "30", "--only-summary", "--csv", str(RESULTS / label),
        "--exit-code-on-error", "0", "--loglevel", "WARNING",
    ]  # fmt: skip
    say(f"{label}: locust, {args.users} users ({member_users} signed in), target {args.rate}/s")
    began = time.time()
    ramp = args.users / args.spawn_rate + 3
    injector = None
    with open(RESULTS / f"{label}-locust.log", "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        if faults:
            # The first fault once the members have signed in (a slow password hash).
            settle = ramp + 15
            spacing = (duration - settle - 10) / 4
            injector = Faults(stack, began + settle, spacing)
            injector.start()
        try:
            process.wait()
        except BaseException:
            process.terminate()
            process.wait()
            raise
    if injector is not None:
        injector.join()
    saves = json.loads(result_file.read_text()) if result_file.exists() else {}
    return {
        "label": label,
        "rows": read_requests(request_log),
        "from": began + ramp,
        "saves": saves,
        "stored": entries_stored(stack),
        "windows": injector.windows if injector else [],
        "fault_errors": injector.errors if injector else [],
    }


def read_requests(path: Path) -> list[tuple[float, str, float, int]]:
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return [(float(t), name, float(ms), int(failed)) for t, name, ms, failed in csv.reader(f)]


def percentile(sorted_ms: list[float], p: float) -> float:
    if not sorted_ms:
        return math.nan
    return sorted_ms[min(len(sorted_ms) - 1, math.ceil(p / 100 * len(sorted_ms)) - 1)]


def rate(rows) -> float:
    """Requests per second over the rows' span."""
    return len(rows) / (max(row[0] for row in rows) - min(row[0] for row in rows) or 1)


def figures(rows) -> str:
    if not rows:
        return "no requests"
    ms = sorted(row[2] for row in rows)
    errors = sum(row[3] for row in rows)
    return (
        f"{rate(rows):6.1f} req/s  p50 {percentile(ms, 50):5.0f} ms  "
        f"p95 {percentile(ms, 95):5.0f} ms  p99 {percentile(ms, 99):5.0f} ms  "
        f"errors {errors}/{len(rows)} ({100 * errors / len(rows):.2f}%)"
    )


def report(run: dict) -> bool:
    rows = [row for row in run["rows"] if row[0] >= run["from"]]
    print(f"\n== {run['label']} (after the ramp; {len(run['rows'])} requests in all) ==")
    print(f"  all                     {figures(rows)}")
    shares: dict[str, int] = {}
    for row in rows:
        shares[CATEGORIES.get(row[1], row[1])] = shares.get(CATEGORIES.get(row[1], row[1]), 0) + 1
    for category, count in sorted(shares.items()):
        picked = [row for row in rows if CATEGORIES.get(row[1], row[1]) == category]
        print(f"  {category:30} {100 * count / len(rows):5.1f}%  {figures(picked)}")
    ok = True
    if run["label"] == "clean":  # the clean run's target
        ms = sorted(row[2] for row in rows)
        ok = bool(rows) and rate(rows) >= 300 and percentile(ms, 99) < 500
        ok = ok and not any(row[3] for row in rows)
    for name, began, ended in run["windows"]:
        # A request belongs to the window when it ended in it (one that began before the
        # fault and failed because of it counts).
        inside = [row for row in run["rows"] if began <= row[0] + row[2] / 1000 <= ended]
        errors = sum(row[3] for row in inside)
        error_rate = 100 * errors / len(inside) if inside else 0.0
        ok &= error_rate < 1
        print(f"  fault: {name:24} {ended - began:4.1f} s  {figures(inside)}")
    for error in run["fault_errors"]:
        print(f"  FAULT NOT INJECTED: {error}")
        ok = False
    saves = run["saves"]
    acknowledged = saves.get("acknowledged", 0)
    print(
        f"  entries: {acknowledged} acknowledged, {run['stored']} stored "
        f"({'none lost, none doubled' if acknowledged == run['stored'] else 'MISMATCH'}); "
        f"{saves.get('retried', 0)} retries with the same token, "
        f"{saves.get('unacknowledged', 0)} never acknowledged, {saves.get('rejected', 0)} refused"
    )
    return ok and acknowledged == run["stored"] and not saves.get("unacknowledged")


def pages_warm(stack: Stack) -> None:
    """Render every code page into the cache, as the beat's task does, in two processes (the
    stack's environment holds its secret key once started)."""
    say("warming the code pages (manage.py warm_code_pages, 2 processes)")
    started = time.monotonic()
    python = str(ROOT / ".venv" / "bin" / "python")
    shards = [
        subprocess.Popen(
            [python, "manage.py", "warm_code_pages", "--shard", str(shard), "--shards", "2"],
            cwd=ROOT,
            env=stack.env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for shard in range(2)
    ]
    for shard in shards:
        out, _ = shard.communicate()
        if shard.returncode:
            raise RuntimeError(f"warm_code_pages failed ({shard.returncode})")
        say(out.strip())
    say(f"code pages warm in {time.monotonic() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--rate", type=float, default=400, help="target requests/s in all")
    parser.add_argument("--duration", type=int, default=90, help="seconds per run")
    parser.add_argument(
        "--member-rate", type=float, default=1.0, help="task iterations per signed-in user per s"
    )
    parser.add_argument("--spawn-rate", type=float, default=30, help="users started per second")
    parser.add_argument("--runs", default="clean,faults", help="clean, faults or both")
    parser.add_argument(
        "--warmup", type=int, default=30, help="seconds of the same load first, not reported"
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL cluster")
    parser.add_argument(
        "--cold", action="store_true", help="do not warm the code pages before the runs"
    )
    args = parser.parse_args()
    runs = args.runs.split(",")
    if (needed := member_count(args)) >= args.users:
        parser.error(f"--users must exceed the {needed} signed-in users this rate needs")
    if "faults" in runs and args.duration < 60:
        parser.error("a run with faults needs --duration of at least 60 s")
    results = []
    with Stack(keep=args.keep) as stack:
        if not args.cold:
            pages_warm(stack)
        if args.warmup:
            # Caches warm as on a site in use; not reported.
            members = members_create(stack, member_count(args))
            locust_run(stack, args, "warm-up", members, faults=False, duration=args.warmup)
        for label in runs:
            # Fresh accounts: each run counts its own entries.
            members = members_create(stack, member_count(args))
            results.append(locust_run(stack, args, label, members, faults=label == "faults"))
    print(
        "\nFigures taken on a shared machine (2 cores, other work running): "
        f"{args.users} users, target {args.rate:g} req/s, {args.duration} s per run, "
        + ("the cache empty at the start (--cold)." if args.cold else "code pages warmed first.")
    )
    verdicts = [report(run) for run in results]
    print("\nTargets: >= 300 req/s with p99 < 500 ms and no error; under faults, < 1% errors in")
    print("each fault's window; entries acknowledged = entries stored.")
    for run, ok in zip(results, verdicts, strict=True):
        print(f"  {run['label']}: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
