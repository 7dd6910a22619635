# One image for web, worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 app \
    && mkdir -p /var/cache/rvuedge-edge /var/lib/rvuedge-edge \
    && chown app:app /var/cache/rvuedge-edge /var/lib/rvuedge-edge

WORKDIR /app
COPY requirements/main.txt /tmp/requirements.txt
RUN pip install --upgrade pip \
    && pip install --require-hashes --no-deps -r /tmp/requirements.txt
COPY --chown=app:app . .

# collectstatic needs settings that import; these values exist only at build time.
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=build-only ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput

USER app
EXPOSE 8000
ENV GUNICORN_BIND=0.0.0.0:8000
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "rvuedge.wsgi:application"]
