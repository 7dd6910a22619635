"""The anonymous code page through the production stack, against nginx's static floor.

Measured side by side in one run, with wrk (Debian's package) from outside the processes:

1. floor: a separate nginx serving a saved copy of the page (the same bytes) from disk;
2. stack: the page through the stack's nginx (edge cache) on --site;
3. gunicorn: the same page from gunicorn alone on --web (Django's shared-page cache, no nginx).

The rounds alternate (floor, stack, gunicorn, floor, ...) so that a busy moment of the machine
falls on all three; the median of the rounds is printed with each one's share of the floor.

    make prod                      # in another terminal: the stack on :8080, gunicorn on :8001
    .venv/bin/python bench/edge.py [--path /cpt-codes/99213/] [--seconds 10] [--rounds 3]

Targets (issue 17): stack >= 50% of the floor; gunicorn alone >= 4.4% (twice the 2.2% measured
before the edge cache).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

FLOOR_PORT = 8099


def fetch(url: str, host: str | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def wrk(url: str, seconds: int, host: str | None = None) -> float:
    """Requests per second wrk reached (2 threads, 32 connections), failing on any error."""
    command = ["wrk", "-t2", "-c32", f"-d{seconds}s"]
    if host:
        command += ["-H", f"Host: {host}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+)", out)
    if bad or (errors and any(int(n) for n in errors.groups())):
        sys.exit(f"wrk saw failures on {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def floor_nginx(folder: Path, body: bytes, path: str) -> subprocess.Popen:
    """nginx serving the saved page at the same path, configured like the stack's nginx."""
    page = folder / "root" / path.strip("/") / "index.html"
    page.parent.mkdir(parents=True)
    page.write_bytes(body)
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""user root; worker_processes auto; pid {folder}/nginx.pid; error_log stderr warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types; access_log off; sendfile on; tcp_nopush on;
    keepalive_requests 10000;
    client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi; uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{ listen 127.0.0.1:{FLOOR_PORT}; root {folder}/root;
             location / {{ default_type text/html; }} }}
}}
"""
    )
    process = subprocess.Popen(["nginx", "-c", str(conf), "-g", "daemon off;"])
    for _ in range(50):
        try:
            fetch(f"http://127.0.0.1:{FLOOR_PORT}{path}")
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    sys.exit("the floor nginx did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--path", default="/cpt-codes/99213/")
    parser.add_argument("--site", default="http://127.0.0.1:8080", help="the stack's nginx")
    parser.add_argument("--web", default="http://127.0.0.1:8001", help="gunicorn alone")
    parser.add_argument("--host", default="127.0.0.1", help="Host header for gunicorn alone")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            sys.exit(f"{tool} is missing: scripts/ensure-packages {tool}")

    site_url, web_url = args.site + args.path, args.web + args.path
    try:
        status, headers, body = fetch(site_url)
        fetch(site_url)  # the second is served from the edge cache
        _, again, _ = fetch(site_url)
        web_status, _, web_body = fetch(web_url, host=args.host)
    except OSError as exc:
        sys.exit(f"The stack does not answer ({exc}): start it with `make prod`.")
    print(f"{args.path}: {len(body):,} bytes; Cache-Control: {headers.get('Cache-Control')}")
    print(f"edge cache on a repeat: X-Cache-Status {again.get('X-Cache-Status')}")
    if status != 200 or web_status != 200 or len(web_body) != len(body):
        sys.exit("the stack and gunicorn did not give the same 200 page")

    results = {"floor (nginx, static copy)": [], "stack (nginx edge cache)": [],
               "gunicorn alone (cached)": []}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        floor = floor_nginx(Path(tmp), body, args.path)
        try:
            for _ in range(args.rounds):
                floor_url = f"http://127.0.0.1:{FLOOR_PORT}{args.path}"
                results["floor (nginx, static copy)"].append(wrk(floor_url, args.seconds))
                results["stack (nginx edge cache)"].append(wrk(site_url, args.seconds))
                results["gunicorn alone (cached)"].append(
                    wrk(web_url, args.seconds, host=args.host)
                )
        finally:
            floor.terminate()
            floor.wait()

    medians = {name: statistics.median(values) for name, values in results.items()}
    floor_rate = medians["floor (nginx, static copy)"]
    print(f"\nwrk -t2 -c32 -d{args.seconds}s, {args.rounds} rounds, median requests/s:")
    for name, rate in medians.items():
        rounds = ", ".join(f"{value:,.0f}" for value in results[name])
        print(f"  {name:28} {rate:>10,.0f}  {rate / floor_rate:6.1%} of floor  ({rounds})")


if __name__ == "__main__":
    main()
