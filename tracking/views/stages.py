"""What each career stage gets: where a new account starts, and the pay pages (Goals & pay,
credit policy, re-pricing) that only attendings, who are paid by the wRVU, see."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from accounts.models import CareerStage
from codes import releases

# Where each stage starts (after confirming the email, and from "your next step" links).
START = {
    CareerStage.MEDICAL_STUDENT: "tracking:learning",
    CareerStage.RESIDENT: "tracking:tracker",
    CareerStage.ATTENDING: "tracking:tracker",
}


def attendings_only(name: str):
    """A pay page: for a student or resident, a redirect to their start with a message saying
    why (nothing a POST carries is saved). Put it under @login_required."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if user.is_trainee:
                messages.info(
                    request,
                    f"{name} is for attendings paid by the wRVU, so it is hidden for "
                    f"{user.get_career_stage_display().lower()}s. When you move on, change "
                    "your career stage in account settings.",
                )
                return redirect(START.get(user.career_stage, "tracking:tracker"))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@login_required
def start(request):
    """A stage's first page: the log for residents and attendings, learning for students (the
    dashboard, which explains, while no fee schedule is imported and the log cannot price)."""
    page = START.get(request.user.career_stage, "tracking:tracker")
    if page == "tracking:tracker" and releases.current_name() is None:
        page = "tracking:dashboard"
    return redirect(page)
