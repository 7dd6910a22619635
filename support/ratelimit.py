"""Rate limit for the contact form: a few submissions an hour per IP address and per account.

Counted in the cache (Redis in production), so every web process shares the counts. The window
starts at the first submission and lasts an hour; the counts expire with it.
"""

from django.conf import settings
from django.core.cache import cache

DEFAULT_LIMIT = 5
DEFAULT_WINDOW = 60 * 60


def _limit() -> int:
    return getattr(settings, "SUPPORT_CONTACT_LIMIT", DEFAULT_LIMIT)


def _window() -> int:
    return getattr(settings, "SUPPORT_CONTACT_WINDOW", DEFAULT_WINDOW)


def _keys(request) -> list[str]:
    keys = [f"support:contact:ip:{request.META.get('REMOTE_ADDR') or 'unknown'}"]
    if request.user.is_authenticated:
        keys.append(f"support:contact:user:{request.user.pk}")
    return keys


def contact_limited(request) -> bool:
    """Whether this IP address or account has used up its submissions for the window."""
    counts = cache.get_many(_keys(request))
    return any(count >= _limit() for count in counts.values())


def contact_count(request) -> None:
    """Count one submission against the IP address and the account."""
    for key in _keys(request):
        cache.add(key, 0, timeout=_window())
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=_window())


def window_minutes() -> int:
    return _window() // 60
