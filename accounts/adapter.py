from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal.ratelimit import RateLimitUsage, clear, consume, get_ip
from django.core.exceptions import ValidationError

from .forms import SAVED_FIELDS
from .known_devices import known_device_id, remember_device

RATE_LIMIT_APP = "allauth.account"


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Copy the career-stage step of the sign-up form onto the new user."""
        for field in SAVED_FIELDS:
            if field in form.cleaned_data:
                setattr(user, field, form.cleaned_data[field])
        return super().save_user(request, user, form, commit=commit)

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        remember_device(request, response, user.email)
        return response

    # Failed sign-ins. allauth counts them per account, wherever they come from, so five wrong
    # passwords from anywhere locked the owner out too. Here a browser the owner has signed in
    # on before counts against itself alone (login_failed_known_device); any other client
    # counts against its address (login_failed: 10 a minute, and 5 per account per address)
    # and against a looser ceiling per account for all addresses together
    # (login_failed_account), which stops guessing spread over many addresses. A stranger can
    # then lock out only their own address, and at worst the owner's new browsers, never the
    # browsers the owner already uses. A successful sign-in takes its own attempt back.

    def _get_login_attempts_cache_key(self, request, **credentials):
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:{get_ip(request)}"

    def _account_attempts_cache_key(self, request, **credentials):
        return super()._get_login_attempts_cache_key(request, **credentials)

    def _consume(self, request, action, key):
        usage = consume(request, app=RATE_LIMIT_APP, action=action, key=key)
        if usage is None:
            raise self.validation_error("too_many_login_attempts")
        return usage

    def pre_authenticate(self, request, **credentials):
        device = known_device_id(request, credentials.get("email", ""))
        if device is not None:
            usages = [self._consume(request, "login_failed_known_device", f"device:{device}")]
        else:
            key = self._get_login_attempts_cache_key(request, **credentials)
            usages = [self._consume(request, "login_failed", key)]
            account_key = self._account_attempts_cache_key(request, **credentials)
            try:
                usages.append(self._consume(request, "login_failed_account", account_key))
            except ValidationError:
                usages[0].rollback()  # refused: this attempt counts nowhere
                raise
        self._login_failed_rl_usage = RateLimitUsage(usage=[u for x in usages for u in x.usage])

    def _delete_login_attempts_cached_email(self, request, **credentials):
        """A password reset (by the email's owner) clears the count for all addresses too."""
        super()._delete_login_attempts_cached_email(request, **credentials)
        key = self._account_attempts_cache_key(request, **credentials)
        clear(request, app=RATE_LIMIT_APP, action="login_failed_account", key=key)
