"""Rate limit for the contact form: a few submissions an hour per IP address and per account.

Counted in the cache (Redis in production), so every web process shares the counts. The window
starts at the first submission and lasts an hour; the counts expire with it. A submission is
counted and judged in one step (Redis SET NX, then INCR, both atomic): reading the count and
adding to it later let twelve simultaneous posts through a limit of five.

The client's address is read as allauth reads it for the sign-in rate limit, so behind a proxy
one setting (ALLAUTH_TRUSTED_PROXY_COUNT or ALLAUTH_TRUSTED_CLIENT_IP_HEADER) serves both;
without it every visitor would share the proxy's address and its five messages.
"""

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

DEFAULT_LIMIT = 5
DEFAULT_WINDOW = 60 * 60


def _limit() -> int:
    return getattr(settings, "SUPPORT_CONTACT_LIMIT", DEFAULT_LIMIT)


def _window() -> int:
    return getattr(settings, "SUPPORT_CONTACT_WINDOW", DEFAULT_WINDOW)


def _client_ip(request) -> str:
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return "unknown"


def _keys(request) -> list[str]:
    keys = [f"support:contact:ip:{_client_ip(request)}"]
    if request.user.is_authenticated:
        keys.append(f"support:contact:user:{request.user.pk}")
    return keys


def contact_limited(request) -> bool:
    """Whether this IP address or account has used up its submissions for the window (a read,
    to answer early; contact_allow decides)."""
    counts = cache.get_many(_keys(request))
    return any(count >= _limit() for count in counts.values())


def _hit(key: str) -> int:
    """Add one to the counter and return the new count, atomically."""
    if cache.add(key, 1, timeout=_window()):
        return 1  # the first submission opens the window
    try:
        return cache.incr(key)
    except ValueError:  # the window closed between add and incr: open a new one
        return 1 if cache.add(key, 1, timeout=_window()) else cache.incr(key)


def contact_allow(request) -> bool:
    """Count one submission against the IP address and the account; False if it is over the
    limit of either. Every caller gets its own count, so concurrent posts cannot share one."""
    counts = [_hit(key) for key in _keys(request)]
    return all(count <= _limit() for count in counts)


def window_minutes() -> int:
    return _window() // 60
