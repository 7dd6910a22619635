"""Where to send someone after a form: a `next` from the request only when it stays on this site."""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_next(request, target: str | None) -> bool:
    """Whether `target` is a URL on this site (relative, or this host with an allowed scheme)."""
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request, fallback: str, *, field: str = "next") -> str:
    """The request's `next` (form field, then query string) if it is on this site, else the
    fallback (a URL name or path). Any URL a request names is treated as hostile: an open
    redirect lends this site's name to a phishing link."""
    target = request.POST.get(field) or request.GET.get(field)
    return target if is_safe_next(request, target) else resolve_url(fallback)
