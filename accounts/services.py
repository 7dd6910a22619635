from importlib import import_module

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rvuedge.user_data import user_data_contributors

from .models import ApiToken, LoginSession


def login_session_record(*, user, session_key):
    """Remember that this session belongs to the user (see LoginSession)."""
    if session_key:
        LoginSession.objects.update_or_create(session_key=session_key, defaults={"user": user})


@transaction.atomic
def user_delete(*, user):
    """Delete the account and everything of the user's that any app registered.

    Contributors run newest-registered first (apps that build on others clean up before
    them), then every session the user signed in with ends and the user row goes, taking
    email addresses, two-factor authenticators and anything else that cascades. One
    transaction: if any part fails, nothing is deleted.
    """
    for contributor in reversed(user_data_contributors()):
        if contributor.delete is not None:
            contributor.delete(user)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session_key in LoginSession.objects.for_user(user).values_list("session_key", flat=True):
        store(session_key=session_key).delete()
    user.delete()


@transaction.atomic
def api_token_create(*, user, name, expires_in=None):
    """A new named API token, valid for `expires_in` (a timedelta; None: until revoked).
    Returns the token text, which is never shown again. Expired tokens are removed first."""
    ApiToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    limit = settings.REST_KNOX["TOKEN_LIMIT_PER_USER"]
    if ApiToken.objects.filter(user=user).count() >= limit:
        raise ValidationError(f"You have {limit} tokens already; revoke one first.")
    _instance, token = ApiToken.objects.create(user=user, expiry=expires_in, name=name.strip())
    return token


def api_tokens_revoke_all(*, user) -> int:
    """Revoke every API token of the user; returns how many there were."""
    count, _by_model = ApiToken.objects.filter(user=user).delete()
    return count
