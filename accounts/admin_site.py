"""The admin, entered only through allauth's sign-in.

Django's own admin login takes a password alone: no two-factor step and no failed-login limit.
Here /admin/login/ sends people to allauth's sign-in (with `next`), and the admin opens only
for a session that signed in there: a password and, for a user with two-factor on, a code.
A staff session missing a step (signed in before two-factor was turned on, or not through
allauth at all) is sent to allauth's re-authentication for that step.
"""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache

from rvuedge.redirects import safe_next

# The allauth view that records each missing step in the session.
STEP_VIEWS = {"password": "account_reauthenticate", "mfa": "mfa_reauthenticate"}


def missing_sign_in_steps(request) -> list[str]:
    """The allauth sign-in steps this session has not done ("password", then "mfa" for a user
    with two-factor authentication on)."""
    done = {record.get("method") for record in get_authentication_records(request, request.user)}
    needed = ["password", "mfa"] if is_mfa_enabled(request.user) else ["password"]
    return [step for step in needed if step not in done]


def _with_next(url: str, target: str) -> str:
    return f"{url}?{urlencode({'next': target})}"


class StaffAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and not missing_sign_in_steps(request)

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        """Never a password form: allauth's sign-in, or the step this session still lacks."""
        target = safe_next(request, reverse("admin:index", current_app=self.name))
        user = request.user
        if not user.is_authenticated:
            return redirect(_with_next(resolve_url(settings.LOGIN_URL), target))
        if not (user.is_active and user.is_staff):
            raise PermissionDenied
        missing = missing_sign_in_steps(request)
        if missing:
            return redirect(_with_next(reverse(STEP_VIEWS[missing[0]]), target))
        return redirect(target)
