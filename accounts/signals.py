from allauth.account.signals import password_changed, password_set
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from .models import LoginSession
from .services import login_session_record


@receiver(user_logged_in, dispatch_uid="accounts.record_login_session")
@receiver(password_changed, dispatch_uid="accounts.record_session_after_password_change")
@receiver(password_set, dispatch_uid="accounts.record_session_after_password_set")
def record_login_session(sender, request, user, **kwargs):
    # A password change cycles the session key, so it is recorded again afterwards.
    if request is not None and hasattr(request, "session"):
        login_session_record(user=user, session_key=request.session.session_key)


@receiver(user_logged_out, dispatch_uid="accounts.forget_login_session")
def forget_login_session(sender, request, user, **kwargs):
    if request is not None and request.session.session_key:
        LoginSession.objects.filter(session_key=request.session.session_key).delete()
