from allauth.account.adapter import DefaultAccountAdapter

PROFILE_FIELDS = (
    "career_stage",
    "specialty",
    "pgy_year",
    "program",
    "practice_setting",
    "dollars_per_wrvu",
    "annual_wrvu_target",
)


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Copy the career-stage step of the sign-up form onto the new user."""
        for field in PROFILE_FIELDS:
            if field in form.cleaned_data:
                value = form.cleaned_data[field]
                setattr(user, field, value if value is not None else None)
        return super().save_user(request, user, form, commit=commit)
