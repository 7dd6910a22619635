"""Likely duplicates: an encounter about to be logged whose date, location, codes and modifiers
are those of one already in the log (tracking.selectors.already_logged): a form sent twice
without its token, a case typed again. Quick entry shows it in the preview ("Already logged
today: log again?") and saves it only once "Log it again" is ticked; the API answers 409 unless
the request says `confirm_duplicate`."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.response import Response

from tracking.selectors import LoggedEncounter, already_logged

CONFIRM_FIELD = "confirm_duplicate"
CONFIRM_LABEL = "Log it again (another patient or another session)"
YES = ("yes", "on", "true", "1")


def heading(found: list[LoggedEncounter]) -> str:
    day = found[0].date
    if day == timezone.localdate():
        return "Already logged today"
    return f"Already logged on {day:%b} {day.day}, {day.year}"


# Quick entry -----------------------------------------------------------------------------------


def quick_entry_duplicates(user, form, result) -> list[LoggedEncounter]:
    """The preview's encounters already logged on the form's date at its location."""
    if result is None or not result.ok or not result.specs:
        return []
    if form.is_bound:
        date, location = form.cleaned_data.get("date"), form.cleaned_data.get("location")
    else:
        date, location = timezone.localdate(), None
    if date is None:
        return []
    found = already_logged(user, date=date, location=location, encounters=result.encounter_specs)
    return [encounter for encounter in found if encounter]


def confirmed(request) -> bool:
    return request.POST.get(CONFIRM_FIELD, "").lower() in YES


def save_refused(found: list[LoggedEncounter]) -> str:
    return f"{heading(found)}: tick “{CONFIRM_LABEL}” to save these lines once more."


def context(request, found: list[LoggedEncounter]) -> dict:
    """What templates/tracking/_duplicates.html shows."""
    return {
        "duplicates": found,
        "duplicate_heading": heading(found) if found else "",
        "duplicate_confirmed": request.method == "POST" and confirmed(request),
        "duplicate_field": CONFIRM_FIELD,
        "duplicate_label": CONFIRM_LABEL,
    }


# The API ---------------------------------------------------------------------------------------

CONFIRM_PARAMETER = OpenApiParameter(
    CONFIRM_FIELD,
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    description=(
        "Log the lines even when an encounter with the same date, location, codes and "
        "modifiers is already logged (else 409). An object body may say "
        '`"confirm_duplicate": true` instead.'
    ),
)
DUPLICATE_RESPONSE = OpenApiResponse(
    description=(
        "A likely duplicate: an encounter with the same date, location, codes and modifiers "
        'is already logged. {"detail": "...", "duplicates": [{"encounter", "entry", "date", '
        '"lines"}]}; send confirm_duplicate=true to log it again.'
    )
)


def _api_confirmed(request) -> bool:
    value = request.query_params.get(CONFIRM_FIELD)
    if value is None and isinstance(request.data, dict):
        value = request.data.get(CONFIRM_FIELD)
    if value is None:
        return False
    try:
        return serializers.BooleanField().to_internal_value(value)
    except serializers.ValidationError:
        raise serializers.ValidationError({CONFIRM_FIELD: ["Use true or false."]}) from None


def refused(request, *, date, location, encounters) -> Response | None:
    """A 409 naming the encounters already logged, unless there are none or the request
    confirms; None when the lines may be saved."""
    if _api_confirmed(request):
        return None
    found = [e for e in already_logged(request.user, date=date, location=location,
                                       encounters=encounters) if e]  # fmt: skip
    if not found:
        return None
    lines = "; ".join(" ".join(encounter.lines) for encounter in found)
    detail = f"{heading(found)}: {lines}. Send {CONFIRM_FIELD}: true to log these lines once more."
    body = {
        "detail": detail,
        "duplicates": [
            {"encounter": e.encounter_id, "entry": e.first_log_id, "date": e.date, "lines": e.lines}
            for e in found
        ],
    }
    return Response(body, status=status.HTTP_409_CONFLICT)
