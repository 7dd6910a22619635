import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from accounts.models import CareerStage

from . import edge_cache
from .celery import app as celery_app

log = logging.getLogger(__name__)


@edge_cache.shared
def home(request):
    return render(request, "home.html", {"stages": CareerStage})


class StaticPage(TemplateView):
    pass


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.vendor


def _check_cache():
    cache.set("health-check", "ok", 10)
    if cache.get("health-check") != "ok":
        raise RuntimeError("cache did not return what was stored")
    return cache.__class__.__name__


def _check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process (no broker configured)"
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        return conn.as_uri()  # the password, if any, is masked


def _is_staff(request) -> bool:
    """Whether a staff member asks; False when the session store (the database) is down."""
    try:
        return request.user.is_authenticated and request.user.is_staff
    except Exception:  # the session or user row cannot be read: treat as anonymous
        return False


@never_cache
def health(request):
    """Report the database, cache and broker: 200 when all answer, 503 otherwise.

    Anyone (a load balancer) sees ok or fail per component; what each one is and why it
    failed (host names, error text) is logged, and shown only to staff.
    """
    checks = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}
    report, healthy = {}, True
    for name, check in checks.items():
        try:
            report[name] = {"ok": True, "detail": check()}
        except Exception as exc:  # a health check reports every failure, whatever its kind
            log.warning("health check %s failed: %s", name, exc)
            report[name] = {"ok": False, "detail": str(exc) or exc.__class__.__name__}
            healthy = False
    if not _is_staff(request):
        report = {name: {"ok": result["ok"]} for name, result in report.items()}
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": report},
        status=200 if healthy else 503,
    )


def not_found(request, exception):
    """404: JSON under /api/ (what API clients parse), the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error: the team has been told."}, status=500)
    return defaults.server_error(request)
