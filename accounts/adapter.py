from allauth.account.adapter import DefaultAccountAdapter

from .forms import PROFILE_FIELDS


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Copy the career-stage step of the sign-up form onto the new user."""
        for field in PROFILE_FIELDS:
            if field in form.cleaned_data:
                setattr(user, field, form.cleaned_data[field])
        return super().save_user(request, user, form, commit=commit)
