"""gunicorn's settings for production (docker-compose `web`, the Procfile's `web`).

Threaded workers (gthread): a request mostly waits on PostgreSQL or Redis, so threads in a few
processes keep both cores busy with little memory. The numbers come from the environment; the
defaults are what bench/edge.py and bench/load.py measured best on 2 cores (docs/scaling.md).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Load the app once in the master: a worker that dies is replaced in milliseconds.
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# A worker is recycled now and then, so no slow leak can grow without bound; not often: a
# cached page takes a fraction of a millisecond, and at 20,000 requests every worker was
# replaced every few seconds under bench/edge.py's load, each time costing the requests in
# flight and a cold start (4,730 against 3,892 requests/s, interleaved runs; docs/scaling.md).
max_requests = 200000
max_requests_jitter = 20000
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
proc_name = "rvuedge-web"


def when_ready(server):
    """The application is loaded in this process (preload_app): load what each worker would
    otherwise load on its first requests, so that every worker, and each one that replaces a
    recycled worker, is forked with it (rvuedge/preload.py)."""
    from rvuedge.preload import preload  # noqa: PLC0415 (Django is set up by now, not when this file is read)

    server.log.info("Preloaded for the workers: %s", preload())
