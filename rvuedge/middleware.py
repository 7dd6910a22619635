"""Site-wide middleware: requests no page can serve are refused before any view runs, the
response headers every page sends (the Content-Security-Policy comes from django-csp), and a
read whose database connection was lost under it is run again."""

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpResponseBadRequest, JsonResponse

MESSAGE = "The request holds a NUL character (\\x00), which no address or field may contain."


class RejectNulBytesMiddleware:
    """A NUL byte in the path, the query string or a form field is never meant: PostgreSQL text
    cannot hold one, so it would otherwise fail deep in a query. Answer 400 and say why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": MESSAGE}, status=400)
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _has_nul(request) -> bool:
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return True
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method == "POST" and content_type.startswith("application/x-www-form-urlencoded"):
        return any("\x00" in key or any("\x00" in v for v in values)
                   for key, values in request.POST.lists())  # fmt: skip
    return False


def permissions_policy(get_response):
    """Permissions-Policy: the browser features no page of the site uses are turned off, for
    the site and anything it might frame."""

    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    return middleware


def reads_only(view):
    """Marks a view that saves nothing even when POSTed to (a preview), so that
    RetryLostConnectionMiddleware may run it again as it does a GET."""
    view.reads_only = True
    return view


class RetryLostConnectionMiddleware:
    """A GET or HEAD (or a view marked reads_only) whose database connection was lost under it
    (PostgreSQL restarted or failed over: "terminating connection due to administrator command")
    runs once more, on a new connection, which waits for the server to take connections again
    (rvuedge.postgres). Reading twice is harmless; a POST that saves is never run again here
    (its form's one-time token makes the browser's retry safe), nor a read whose connection
    still works (the error was the query's). Last in MIDDLEWARE: it sees the view's exception
    first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        match = request.resolver_match
        reads = request.method in ("GET", "HEAD") or getattr(match.func, "reads_only", False)
        if not reads or not isinstance(exception, DatabaseError):
            return None
        opened = connections.all(initialized_only=True)
        cut = [db for db in opened if db.connection is not None and not db.is_usable()]
        if not cut or getattr(request, "_rvuedge_retried", False):
            return None
        if any(db.in_atomic_block for db in opened):
            return None
        for db in cut:
            db.close()
        request._rvuedge_retried = True
        return match.func(request, *match.args, **match.kwargs)
