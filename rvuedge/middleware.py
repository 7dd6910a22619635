"""Response headers the whole site sends (the Content-Security-Policy comes from django-csp)."""

from django.conf import settings


def permissions_policy(get_response):
    """Permissions-Policy: the browser features no page of the site uses are turned off, for
    the site and anything it might frame."""

    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    return middleware
