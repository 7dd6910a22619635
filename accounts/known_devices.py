"""Known devices: the browsers that have signed in to an account, so that failed sign-ins by
someone else cannot lock its owner out.

A successful sign-in leaves a signed cookie naming a random device id and (as a keyed hash) the
account. A later sign-in to that account from that browser counts its failures against the
device alone; everyone else counts against the account and their own address (see
accounts.adapter). Forging the cookie needs SECRET_KEY; copying it needs the owner's browser.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

COOKIE_NAME = "rvuedge_device"
SALT = "accounts.known_devices"
MAX_AGE = 365 * 24 * 60 * 60  # seconds


def _account_digest(email: str) -> str:
    return salted_hmac(SALT, email.strip().lower()).hexdigest()[:32]


def known_device_id(request, email: str) -> str | None:
    """The id of this browser if it has signed in to the account with this email, else None."""
    value = request.COOKIES.get(COOKIE_NAME)
    if not value or not email:
        return None
    try:
        data = signing.loads(value, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("account") != _account_digest(email):
        return None
    return data.get("device")


def remember_device(request, response, email: str) -> None:
    """Set (or renew) the cookie that marks this browser as one the account has signed in on."""
    device = known_device_id(request, email) or secrets.token_hex(16)
    value = signing.dumps({"device": device, "account": _account_digest(email)}, salt=SALT)
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
