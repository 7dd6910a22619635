from allauth.account.decorators import reauthentication_required
from allauth.account.internal.flows.email_verification import send_verification_email_at_login
from allauth.account.models import EmailAddress
from allauth.account.stages import EmailVerificationStage, LoginStageController
from allauth.account.utils import has_verified_email
from allauth.account.views import SignupView as AllauthSignupView
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from rvuedge.user_data import user_data_contributors

from .forms import ApiTokenForm, DeleteAccountForm, ProfileForm
from .models import ApiToken, CareerStage
from .services import api_token_create, user_delete
from .user_data import user_data_csv_zip, user_data_filename, user_data_json


class SignupView(AllauthSignupView):
    """allauth's sign-up, with the career stage preset by ?stage= (the home page's links)."""

    def get_initial(self):
        initial = super().get_initial()
        stage = self.request.GET.get("stage")
        if stage in CareerStage.values:
            initial["career_stage"] = stage
        return initial


@require_POST
def email_verification_resend(request):
    """ "Send the link again" on the check-your-email page, for the sign-up waiting in this
    browser's session. allauth sends it (or, for an address that already had an account, the
    "already registered" email, so the answer tells nothing) within its confirm_email rate
    limit: one email per address every few minutes; the link already sent keeps working."""
    stage = LoginStageController.enter(request, EmailVerificationStage.key)
    if stage is None:
        messages.info(
            request,
            "Sign in with your email and password and we will send you a new confirmation link.",
        )
        return redirect("account_login")
    if stage.login.user and has_verified_email(stage.login.user):
        # Confirmed meanwhile, from another browser or device.
        messages.success(request, "Your email address is confirmed: sign in to continue.")
        return redirect("account_login")
    if not send_verification_email_at_login(request, stage.login):
        messages.warning(
            request,
            "The link we sent a moment ago still works. You can ask for another one in a few "
            "minutes; look in your spam folder meanwhile.",
        )
    return redirect("account_email_verification_sent")


@login_required
def account_settings(request):
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=request.user)
        if form.is_valid():
            form.save()
            messages.success(request, "Your profile is saved.")
            return redirect("account_settings")
    else:
        form = ProfileForm(instance=request.user)
    context = {
        "form": form,
        "primary_email": EmailAddress.objects.filter(user=request.user, primary=True).first(),
        "mfa_enabled": is_mfa_enabled(request.user),
        "data_sections": [c.name.replace("_", " ") for c in user_data_contributors()],
        "api_token_count": ApiToken.objects.filter(user=request.user).count(),
    }
    return render(request, "accounts/settings.html", context)


def _attachment(content, *, content_type, extension):
    response = HttpResponse(content, content_type=content_type)
    filename = user_data_filename(extension=extension)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def account_download_json(request):
    return _attachment(
        user_data_json(user=request.user), content_type="application/json", extension="json"
    )


@require_GET
@login_required
def account_download_csv(request):
    return _attachment(
        user_data_csv_zip(user=request.user), content_type="application/zip", extension="zip"
    )


@never_cache
@login_required
@reauthentication_required
def account_delete(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user_delete(user=request.user)
        logout(request)
        messages.success(
            request,
            "Your account and everything in it have been deleted. Thank you for using RVU Edge.",
        )
        return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})


@never_cache
@login_required
@reauthentication_required(allow_get=True)
def account_tokens(request):
    """List, create (shown once) and revoke the user's API tokens. A token is a key to the
    account that outlives the session, so creating one asks for the password (or code) again
    unless it was given in the last few minutes."""
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            new_token = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_in=form.cleaned_data["expires_in"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token, "now": timezone.now()},
    )


@login_required
@require_POST
def account_token_revoke(request, key):
    token = get_object_or_404(ApiToken, token_key=key, user=request.user)
    token.delete()
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("account_tokens")
