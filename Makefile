# Two commands: `make run` (site with real data on SQLite, tasks in-process) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

# make test talks to the local PostgreSQL and Redis unless told otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/rvuedge
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
TEST_REDIS_CACHE_URL ?= redis://127.0.0.1:6379/1

.PHONY: run prod test test-sqlite install lock lint migrate data chromium nginx clean

# The project runs from this folder; the venv holds exactly the locked dependencies (every
# transitive package pinned with its hashes in requirements/; pyproject.toml keeps the direct pins).
$(VENV)/.installed: requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet --require-hashes --no-deps -r requirements/dev.txt
	touch $@

# After changing a pin in pyproject.toml: write both lock files again (uv is a dev dependency).
lock: install
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes --no-header --quiet -o requirements/main.txt
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes --no-header --quiet -o requirements/dev.txt

install: $(VENV)/.installed

run: install data
	DJANGO_DEBUG=true $(MANAGE) runserver 0.0.0.0:8000

# Real CMS data, editorial content, articles, help and benchmarks; each step is idempotent.
data: install
	DJANGO_DEBUG=true $(MANAGE) migrate --noinput
	DJANGO_DEBUG=true $(MANAGE) load_bundled_data
	DJANGO_DEBUG=true $(MANAGE) load_blog_content
	DJANGO_DEBUG=true $(MANAGE) load_resources_content
	DJANGO_DEBUG=true $(MANAGE) load_help_content
	DJANGO_DEBUG=true $(MANAGE) load_benchmarks

# The production stack on this machine (README: "The production stack"): nginx with the edge
# cache on http://127.0.0.1:8080, gunicorn, a Celery worker and beat; Ctrl-C stops it.
prod: install
	@scripts/ensure-packages nginx redis-server
	scripts/prod

chromium:
	@scripts/ensure-chromium

# The edge-cache tests put the stack's nginx config in front of the test server.
nginx:
	@scripts/ensure-packages nginx

test: install chromium nginx
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} \
	REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	REDIS_CACHE_URL=$${REDIS_CACHE_URL:-$(TEST_REDIS_CACHE_URL)} \
	RVUEDGE_TEST_LANE=services \
	$(PY) -m pytest $(PYTEST_ARGS)

# The embedded default `make run` uses: SQLite, local-memory cache, tasks in-process. Empty URLs
# win over a .env; the tests that need PostgreSQL itself or a Celery worker are left out.
test-sqlite: install chromium nginx
	DATABASE_URL= REDIS_URL= REDIS_CACHE_URL= \
	RVUEDGE_TEST_LANE=embedded \
	$(PY) -m pytest -m "not postgres and not celery_worker" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles var .pytest_cache .ruff_cache
