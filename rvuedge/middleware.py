"""Site-wide middleware: requests no page can serve are refused before any view runs, and the
response headers every page sends (the Content-Security-Policy comes from django-csp)."""

from django.conf import settings
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
