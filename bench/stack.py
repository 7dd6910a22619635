"""A private production stack for the load bench: every process is the bench's own, so the
faults it injects (a gunicorn worker killed, Redis and PostgreSQL restarted) hit nothing else.

    .venv/bin/python bench/stack.py [--keep]     # start it, serve until Ctrl-C, stop it

- its own PostgreSQL cluster (initdb into var/bench/pg, port 5440, run with pg_ctl), removed
  at the end unless --keep (then the next start skips the data load);
- its own broker Redis (port 6391);
- `scripts/prod --setup-only` with the bench's settings: the same migrations, data loaders and
  collectstatic as `make prod`;
- then each line of the Procfile started on its own (honcho would stop them all when one exits,
  and a restarted Redis must not take the site down): cache Redis (6392), gunicorn (8091),
  the Celery worker and beat, nginx (http://127.0.0.1:8090).

Logs are in var/bench/logs/. The pids of what runs are kept in var/bench/pids.json, so a run
that was killed has its leftovers stopped by the next start (only those pids).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PG_DIR = VAR / "pg"
LOGS = VAR / "logs"
PIDS = VAR / "pids.json"
PG_PORT = 5440
BROKER_PORT = 6391
CACHE_PORT = 6392
SITE_PORT = 8090
WEB_PORT = 8091
DB_NAME = "rvuedge_bench"
AS_POSTGRES = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def procfile() -> dict[str, str]:
    """The Procfile's processes, name -> command, in order."""
    entries = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_-]+):\s*(.+)$", line)
        if match:
            entries[match[1]] = match[2]
    return entries


def local_env() -> dict[str, str]:
    """deploy/local.env as scripts/prod reads it (the environment wins)."""
    values = {}
    for line in (ROOT / "deploy" / "local.env").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


class Stack:
    """Start with start(), stop with stop() (or use it as a context manager)."""

    def __init__(self, *, keep: bool = True, web_env: dict[str, str] | None = None):
        self.keep = keep
        self.site_url = f"http://127.0.0.1:{SITE_PORT}"
        self.database_url = f"postgres://postgres@127.0.0.1:{PG_PORT}/{DB_NAME}"
        self.prod_var = VAR / "prod"
        overrides = {
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"redis://127.0.0.1:{BROKER_PORT}/0",
            "CACHE_REDIS_PORT": str(CACHE_PORT),
            "REDIS_CACHE_URL": f"redis://127.0.0.1:{CACHE_PORT}/0",
            "SITE_PORT": str(SITE_PORT),
            "SITE_URL": self.site_url,
            "CSRF_TRUSTED_ORIGINS": self.site_url,
            "GUNICORN_BIND": f"127.0.0.1:{WEB_PORT}",
            "PROD_VAR": str(self.prod_var),
            "EDGE_CACHE_DIR": str(self.prod_var / "edge-cache"),
            "EDGE_VERSION_STAMP": str(self.prod_var / "edge-version"),
        }
        self.env = {**os.environ, **local_env(), **overrides, **(web_env or {})}
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.processes: dict[str, subprocess.Popen] = {}
        self.commands = procfile()

    # Starting and stopping ---------------------------------------------------------------------

    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        VAR.mkdir(parents=True, exist_ok=True)
        LOGS.mkdir(exist_ok=True)
        stop_leftovers()
        self.postgres_start()
        self.broker_start()
        say("setting up (scripts/prod --setup-only: migrate, load the data, collectstatic)")
        with open(LOGS / "setup.log", "ab") as log:
            subprocess.run(
                [str(ROOT / "scripts" / "prod"), "--setup-only"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, check=True,
            )  # fmt: skip
        self.env["DJANGO_SECRET_KEY"] = (self.prod_var / "secret_key").read_text().strip()
        for name in self.commands:
            self.process_start(name)
        wait_for(lambda: redis_ping(CACHE_PORT), "the cache Redis")
        wait_for(self.site_ready, "the site through nginx", seconds=120)
        say(f"stack up on {self.site_url}")

    def stop(self) -> None:
        for name in reversed(list(self.processes)):
            self.process_stop(name)
        self.broker_stop()
        self.postgres_stop()
        PIDS.unlink(missing_ok=True)
        if not self.keep and PG_DIR.exists():
            shutil.rmtree(PG_DIR)

    def process_start(self, name: str) -> None:
        """One Procfile line, run by a shell as honcho runs it (the shell execs the command)."""
        log = open(LOGS / f"{name}.log", "ab")  # noqa: SIM115 (the child keeps it)
        self.processes[name] = subprocess.Popen(
            ["/bin/sh", "-c", f"exec {self.commands[name]}"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the bench only; it stops them in order
        )  # fmt: skip
        log.close()
        self.save_pids()

    def process_stop(self, name: str, timeout: float = 20) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self.save_pids()

    def save_pids(self) -> None:
        pids = {name: p.pid for name, p in self.processes.items() if p.poll() is None}
        PIDS.write_text(json.dumps(pids))

    def site_ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.site_url}/health/", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    # PostgreSQL and the broker ------------------------------------------------------------------

    def postgres_start(self) -> None:
        if not (PG_DIR / "PG_VERSION").exists():
            say(f"initdb {PG_DIR}")
            PG_DIR.mkdir(parents=True, exist_ok=True)
            if AS_POSTGRES:
                shutil.chown(PG_DIR, "postgres", "postgres")
            subprocess.run(
                [*AS_POSTGRES, "initdb", "-D", str(PG_DIR), "-U", "postgres",
                 "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            with open(PG_DIR / "postgresql.conf", "a") as conf:
                conf.write(
                    f"\nport = {PG_PORT}\nlisten_addresses = '127.0.0.1'\n"
                    f"unix_socket_directories = '{PG_DIR}'\nmax_connections = 100\n"
                )
        if self.postgres_running():
            return
        self.pg_ctl("start", "-l", str(PG_DIR / "server.log"))

    def postgres_running(self) -> bool:
        status = subprocess.run(
            [*AS_POSTGRES, "pg_ctl", "status", "-D", str(PG_DIR)], capture_output=True
        )
        return status.returncode == 0

    def postgres_stop(self) -> None:
        if (PG_DIR / "PG_VERSION").exists() and self.postgres_running():
            self.pg_ctl("stop", "-m", "fast")

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*AS_POSTGRES, "pg_ctl", "-D", str(PG_DIR), "-w", "-t", "60", *args],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def broker_start(self) -> None:
        (VAR / "broker").mkdir(exist_ok=True)
        log = open(LOGS / "broker.log", "ab")  # noqa: SIM115 (the child keeps it)
        self.processes["broker"] = subprocess.Popen(
            ["redis-server", "--port", str(BROKER_PORT), "--bind", "127.0.0.1",
             "--dir", str(VAR / "broker"), "--appendonly", "yes", "--save", ""],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        self.save_pids()
        wait_for(lambda: redis_ping(BROKER_PORT), "the broker Redis")

    def broker_stop(self) -> None:
        self.process_stop("broker")

    # Faults --------------------------------------------------------------------------------------

    def web_workers(self) -> list[int]:
        master = self.processes["web"].pid
        return children(master)

    def kill_web_worker(self) -> int:
        """SIGKILL one gunicorn worker (a child of the master); returns its pid once the master
        has a full set of workers again."""
        workers = self.web_workers()
        victim = workers[0]
        os.kill(victim, signal.SIGKILL)
        wait_for(
            lambda: victim not in self.web_workers() and len(self.web_workers()) >= len(workers),
            "gunicorn to replace the worker",
        )
        return victim

    def restart_cache_redis(self) -> None:
        self.process_stop("cache")
        self.process_start("cache")
        wait_for(lambda: redis_ping(CACHE_PORT), "the cache Redis")

    def restart_broker_redis(self) -> None:
        self.broker_stop()
        self.broker_start()

    def restart_postgres(self) -> None:
        self.pg_ctl("restart", "-m", "fast", "-l", str(PG_DIR / "server.log"))

    # Django against the bench database ----------------------------------------------------------

    def django(self, script: str) -> str:
        """Run Python in `manage.py shell` with the stack's settings; returns what it printed."""
        if "DJANGO_SECRET_KEY" not in self.env:
            self.env["DJANGO_SECRET_KEY"] = (self.prod_var / "secret_key").read_text().strip()
        done = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "shell", "-c", script],
            cwd=ROOT, env=self.env, capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(done.stderr[-3000:])
        return done.stdout


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after its ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def stop_leftovers() -> None:
    """Stop what a killed earlier run left (its recorded pids only), and its PostgreSQL."""
    if PIDS.exists():
        for name, pid in json.loads(PIDS.read_text()).items():
            try:
                os.kill(pid, signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
                say(f"stopped the {name} left by an earlier run (pid {pid})")
            except ProcessLookupError:
                pass
        time.sleep(2)
        PIDS.unlink()


def redis_ping(port: int) -> bool:
    done = subprocess.run(
        ["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True, timeout=5
    )
    return done.stdout.strip() == "PONG"


def wait_for(check, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.1)


def say(text: str) -> None:
    print(f"[stack {time.strftime('%H:%M:%S')}] {text}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL cluster")
    args = parser.parse_args()
    with Stack(keep=args.keep):
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            say("stopping")


if __name__ == "__main__":
    main()
