import datetime as dt
import functools
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import DateField
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from codes import releases
from codes.entry import preview as entry_preview
from codes.models import Code, Release
from codes.wrvu import LineSpec
from rvuedge import rounding
from rvuedge.middleware import reads_only
from rvuedge.redirects import safe_next
from tracking import duplicates, selectors, services
from tracking.forms.entry import (
    ATTENDINGS_LIST_ID,
    CreditPolicyForm,
    HistoryFilterForm,
    LocationForm,
    LogEditForm,
    LogTemplateForm,
    QuickEntryForm,
    RepriceForm,
)
from tracking.forms.goals import PayPromptForm
from tracking.models import (
    CreditPolicy,
    Favorite,
    Location,
    LogChange,
    LogTemplate,
    ProcedureLog,
    RepriceBatch,
)
from tracking.paging import DayTotalsPaginator
from tracking.submissions import submitted_once
from tracking.views.stages import attendings_only

HISTORY_PAGE_SIZE = 50


def current_release_or_404():
    """The release quick entry prices with; a 404 before any import."""
    release = releases.current()
    if release is None:
        raise Http404("No fee schedule release has been imported yet.")
    return release


def service_date(request) -> dt.date:
    """The date of service the posted quick-entry form holds, today when it holds none or not a
    date (the form says what is wrong): quick entry prices with that date's release."""
    try:
        day = DateField().to_python(request.POST.get("date"))
    except ValidationError:
        day = None
    return day or timezone.localdate()


def dated_release_or_404(day: dt.date) -> releases.DatedRelease:
    """The release quick entry prices a service on `day` with (codes.releases.for_date, flagged
    when it is not the one in effect); a 404 before any import."""
    dated = releases.for_date(day, cached=True)
    if dated is None:
        raise Http404("No fee schedule release has been imported yet.")
    return dated


RECENT_ENTRIES = 10
RECENT_FIELDS = ("date", "modifiers", "medicare", "code__code")


def _entry_context(
    request, form, dated, result=None, pay_form=None, confirm_text="", found=None
):  # fmt: skip
    user = request.user
    # The list shows each entry's date, code and credit: only those are read.
    recent = list(
        ProcedureLog.objects.for_user(user)
        .select_related("code")
        .only(*RECENT_FIELDS)[:RECENT_ENTRIES]
    )
    if pay_form is None and selectors.pay_prompt_due(user, has_entries=bool(recent)):
        pay_form = PayPromptForm()
    if found is None:
        found = duplicates.quick_entry_duplicates(user, form, result)
    return duplicates.context(request, found) | {
        "form": form,
        "release": dated.release,
        "dated": dated,
        "service_date": service_date(request),
        "preview": result,
        "pay_form": pay_form,
        "confirm_text": confirm_text,
        "favorites": Favorite.objects.for_user(user).select_related("code"),
        "templates": LogTemplate.objects.for_user(user).prefetch_related("lines__code"),
        "recent": recent,
        # A new account's short checklist, until its first entry.
        "first_steps": not recent,
        "attendings_list_id": ATTENDINGS_LIST_ID,
        "attendings": selectors.attending_names(user) if user.is_trainee else [],
    }


@login_required
@submitted_once("quick_entry")
def tracker(request):
    """Quick entry: type codes, see each line's credit, save with Enter. Lines are priced with
    the release of the date of service."""
    dated = dated_release_or_404(service_date(request))
    release = dated.release
    if request.method != "POST":
        initial = {"text": request.GET.get("codes", ""), **selectors.entry_defaults(request.user)}
        form = QuickEntryForm(user=request.user, initial=initial)
        result = None
        if initial["text"]:
            result = _preview(
                request.user,
                initial["text"],
                release=release,
                setting=form.fields["setting"].initial,
                policy=services.user_policy(request.user),
                day=timezone.localdate(),
            )
        return render(
            request, "tracking/tracker.html", _entry_context(request, form, dated, result)
        )

    form = QuickEntryForm(request.POST, user=request.user)
    result, confirm_text, found = None, "", []
    if form.is_valid():
        data = form.cleaned_data
        policy = services.user_policy(request.user)
        preview_of = functools.partial(
            _preview,
            request.user,
            data["text"],
            release=release,
            setting=data["setting"],
            policy=policy,
            per_patient=data["per_patient"],
            day=data["date"],
        )
        # Saving needs the lines read and checked; the coding edits only warn and adjust
        # credit, and the service applies them as it saves. A form shown again has them.
        result = preview_of(with_edits=False)
        found = duplicates.quick_entry_duplicates(request.user, form, result)
        if not result.ok:
            form.add_error("text", "Fix or remove the marked lines before saving.")
        elif result.confirmations and not _confirmed(request, data["text"]):
            # A run of digits read as a high-value procedure: shown again, saved on confirm.
            form.add_error(None, CONFIRM_MESSAGE)
            confirm_text = data["text"]
        elif found and not duplicates.confirmed(request):
            form.add_error(None, duplicates.save_refused(found))
        elif saved := _save_entry(request, form, result, policy):
            return saved
        result = preview_of()
    status = 400 if form.errors else 200
    return render(
        request,
        "tracking/tracker.html",
        _entry_context(request, form, dated, result, confirm_text=confirm_text, found=found),
        status=status,
    )


def _preview(user, text: str, *, day: dt.date, with_edits: bool = True, **options):
    """codes.entry.preview of `text` for a service on `day`, with the coding edits of the
    user's own services around it (unless not `with_edits`)."""
    around = selectors.coding_around(user, day) if with_edits else {"day": day}
    return entry_preview(text, with_edits=with_edits, **options, **around)


def _save_entry(request, form, result, policy):
    """Log the previewed lines, one encounter per patient typed, priced with the release of
    their date (and `policy`, the user's, read for the preview): a redirect, or None with the
    form's error."""
    data = form.cleaned_data
    try:
        logs = services.encounters_create(
            user=request.user,
            details=services.EntryDetails(
                date=data["date"],
                setting=data["setting"],
                location=data["location"],
                role=data["role"],
                supervising_attending=data["supervising_attending"],
                note=data["note"],
            ),
            encounters=result.encounter_specs,
            policy=policy,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    messages.success(request, saved_message(logs))
    return redirect("tracking:tracker")


def saved_message(logs) -> str:
    """ "Saved 3 entries in 2 encounters: 2.69 wRVU (Medicare-style, RVU26C)." The total is the
    sum of the stored figures, as every other page adds them; the note says when the release of
    the date of service was not imported."""
    entries = len(logs)
    encounters = len({log.encounter_id for log in logs})
    total = sum((log.medicare for log in logs), Decimal(0))
    note = f" {logs[0].release_note}" if logs[0].release_note else ""
    return (
        f"Saved {entries} {'entry' if entries == 1 else 'entries'} in {encounters} "
        f"{'encounter' if encounters == 1 else 'encounters'}: "
        f"{rounding.credit_text(total)} wRVU (Medicare-style, {logs[0].release.name}).{note}"
    )


CONFIRM_MESSAGE = (
    "Codes typed without spaces were read as a high-value procedure. Check the reading below,"
    " then confirm to save it, or separate the codes with spaces."
)


def _confirmed(request, text: str) -> bool:
    """The user confirmed this very text (the confirm button carries it; line breaks and spaces
    may differ once a browser has sent it back)."""
    return " ".join(request.POST.get("confirm", "").split()) == " ".join(text.split())


@login_required
@attendings_only("Goals & pay")
@require_POST
def pay_prompt(request):
    """The tracker's first-entry card: save target and rate, or "Not now" to stop asking."""
    if "dismiss" in request.POST:
        services.preferences_update(user=request.user, data={"pay_prompt_dismissed": True})
        messages.info(request, "You can set your target and $ per wRVU on Goals & pay any time.")
        return redirect("tracking:tracker")
    pay_form = PayPromptForm(request.POST, instance=selectors.preferences(request.user))
    if pay_form.is_valid():
        services.preferences_update(user=request.user, data=pay_form.cleaned_data)
        messages.success(request, "Saved. Change them any time on Goals & pay.")
        return redirect("tracking:tracker")
    form = QuickEntryForm(user=request.user)
    dated = dated_release_or_404(timezone.localdate())
    context = _entry_context(request, form, dated, pay_form=pay_form)
    return render(request, "tracking/tracker.html", context, status=400)


@reads_only
@login_required
@require_POST
def preview(request):
    """The quick-entry preview as an HTML fragment (htmx, as the user types or changes the
    date), priced with the release of the date of service."""
    day = service_date(request)
    dated = dated_release_or_404(day)
    release = dated.release
    form = QuickEntryForm(request.POST, user=request.user)
    form.is_valid()  # the preview reads what it can; saving validates everything
    text = form.cleaned_data.get("text", request.POST.get("text", ""))
    result = None
    if text.strip():
        result = _preview(
            request.user,
            text,
            release=release,
            setting=form.cleaned_data.get("setting") or "facility",
            policy=services.user_policy(request.user),
            per_patient=form.cleaned_data.get("per_patient", False),
            day=day,
        )
    found = duplicates.quick_entry_duplicates(request.user, form, result)
    return render(
        request,
        "tracking/_preview.html",
        {
            "preview": result,
            "release": release,
            "dated": dated,
            "service_date": day,
            "note_warnings": form.note_warnings,
        }
        | duplicates.context(request, found),
    )


@login_required
def history(request):
    user = request.user
    filters = HistoryFilterForm(request.GET or None, user=user)
    queryset = filters.filter(
        ProcedureLog.objects.for_user(user)
        .select_related("code", "location", "release")
        # The release's change summary is a large JSON document: never load it per row.
        .defer("explanation", "note", "code__long_descriptor", "release__change_summary")
    )
    paginator = DayTotalsPaginator(queryset, HISTORY_PAGE_SIZE, days=filters.daily_totals(user))
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tracking/history.html",
        {"filters": filters, "page": page, "query": query.urlencode()},
    )


@login_required
def entry_detail(request, pk):
    log = get_object_or_404(ProcedureLog.objects.with_related(), pk=pk, user=request.user)
    changes = LogChange.objects.for_user(request.user).filter(log_pk=log.pk)
    return render(
        request,
        "tracking/entry_detail.html",
        {"log": log, "changes": selectors.change_rows(request.user, changes)},
    )


@login_required
@submitted_once("entry_edit")
def entry_edit(request, pk):
    log = get_object_or_404(ProcedureLog.objects.with_related(), pk=pk, user=request.user)
    form = LogEditForm(request.POST or None, log=log)
    if request.method == "POST" and form.is_valid():
        if not form.changes:
            messages.info(request, "Nothing changed.")
            return redirect("tracking:entry", pk=log.pk)
        try:
            services.procedure_log_update(log=log, changes=form.changes)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Entry updated and re-credited with {log.release.name}.")
            return redirect("tracking:entry", pk=log.pk)
    return render(
        request,
        "tracking/entry_edit.html",
        {"form": form, "log": log},
        status=400 if form.errors else 200,
    )


def _add_errors(form, exc: ValidationError) -> None:
    """The service's errors on the fields they name (the others above the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@login_required
def changes(request):
    """Every change to the user's entries, newest first, deleted entries included."""
    queryset = LogChange.objects.for_user(request.user)
    page = Paginator(queryset, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.change_rows(request.user, page.object_list)
    return render(request, "tracking/changes.html", {"page": page, "rows": rows})


@login_required
def entry_delete(request, pk):
    log = get_object_or_404(ProcedureLog.objects.select_related("code"), pk=pk, user=request.user)
    if request.method == "POST":
        services.procedure_logs_delete(user=request.user, logs=[log])
        messages.success(request, f"Deleted {log}.")
        return redirect("tracking:history")
    return render(request, "tracking/confirm_delete.html", {"logs": [log], "single": True})


@login_required
@require_POST
def bulk_delete(request):
    ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
    logs = list(
        ProcedureLog.objects.for_user(request.user).filter(pk__in=ids).select_related("code")
    )
    if not logs:
        messages.info(request, "Select the entries to delete first.")
        return redirect("tracking:history")
    if request.POST.get("confirm") != "yes":
        return render(request, "tracking/confirm_delete.html", {"logs": logs, "single": False})
    count = services.procedure_logs_delete(user=request.user, logs=logs)
    messages.success(request, f"Deleted {count} entries.")
    return redirect("tracking:history")


@login_required
@require_POST
def favorite_toggle(request, code):
    code = get_object_or_404(Code, code=code.upper())
    starred = services.favorite_toggle(user=request.user, code=code)
    if request.headers.get("HX-Request"):
        return render(request, "tracking/_star.html", {"code": code, "starred": starred})
    return redirect(safe_next(request, "tracking:tracker"))


@login_required
@submitted_once("template_create")
def templates_list(request):
    form = LogTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        release = current_release_or_404()
        result = entry_preview(form.cleaned_data["lines"], release=release, setting="facility")
        if not result.ok:
            form.add_error(
                "lines",
                "Fix the marked codes: "
                + "; ".join(error for item in result.items for error in getattr(item, "errors", []))
                or "Choose one reading of the codes.",
            )
        else:
            try:
                template = services.log_template_create(
                    user=request.user, name=form.cleaned_data["name"], lines=result.specs
                )
            except ValidationError as exc:
                form.add_error("name", exc)
            else:
                messages.success(request, f"Template “{template.name}” saved.")
                return redirect("tracking:templates")
    templates = LogTemplate.objects.for_user(request.user).prefetch_related("lines__code")
    return render(request, "tracking/templates.html", {"form": form, "templates": templates})


@login_required
@require_POST
def template_delete(request, pk):
    template = get_object_or_404(LogTemplate, pk=pk, user=request.user)
    services.log_template_delete(template=template)
    messages.success(request, f"Template “{template.name}” deleted.")
    return redirect("tracking:templates")


@login_required
def locations(request):
    form = LocationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            location = services.location_create(user=request.user, location=form.save(commit=False))
        except ValidationError as exc:
            form.add_error("name", exc)
        else:
            messages.success(request, f"Location “{location.name}” added.")
            return redirect("tracking:locations")
    places = Location.objects.for_user(request.user)
    return render(request, "tracking/locations.html", {"form": form, "locations": places})


@login_required
def location_edit(request, pk):
    location = get_object_or_404(Location, pk=pk, user=request.user)
    form = LocationForm(request.POST or None, instance=location, user=request.user)
    if request.method == "POST":
        if "delete" in request.POST:
            services.location_delete(location=location)
            messages.success(request, f"Location “{location.name}” deleted.")
            return redirect("tracking:locations")
        if form.is_valid():
            try:
                services.location_update(location=form.save(commit=False))
            except ValidationError as exc:
                form.add_error("name", exc)
            else:
                messages.success(request, "Location saved.")
                return redirect("tracking:locations")
    return render(request, "tracking/location_edit.html", {"form": form, "location": location})


@login_required
@attendings_only("Credit policy")
def policy(request):
    instance = CreditPolicy.objects.filter(user=request.user).first() or CreditPolicy(
        user=request.user
    )
    form = CreditPolicyForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.credit_policy_save(policy=form.save(commit=False))
        messages.success(
            request,
            "Policy saved. New entries use it; use re-pricing to apply it to past entries.",
        )
        return redirect("tracking:policy")
    return render(request, "tracking/policy.html", {"form": form})


@login_required
@attendings_only("Re-pricing")
def reprice(request):
    form = RepriceForm(request.POST or None)
    batches = (
        RepriceBatch.objects.for_user(request.user)
        .select_related("release")
        .defer("release__change_summary", "previous")[:10]
    )
    context = {"form": form, "batches": batches}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        arguments = dict(
            user=request.user, release=data["release"], date_from=data["start"], date_to=data["end"]
        )
        if request.POST.get("apply") == "yes":
            batch = services.reprice_apply(**arguments)
            messages.success(
                request, f"Re-priced {batch.entries} entries with {batch.release.name}."
            )
            return redirect("tracking:reprice")
        rows = services.reprice_preview(**arguments)
        names = dict(Release.objects.values_list("pk", "name"))
        for row in rows:
            row["before_release"] = names.get(row["before"]["release_id"], "")
        context["rows"] = rows
        context["changed"] = [r for r in rows if r["before"] != r["after"]]
    return render(request, "tracking/reprice.html", context)


@login_required
@attendings_only("Re-pricing")
@require_POST
def reprice_undo(request, pk):
    batch = get_object_or_404(RepriceBatch, pk=pk, user=request.user)
    try:
        count = services.reprice_undo(batch=batch)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"Undone: {count} entries have their previous values again.")
    return redirect("tracking:reprice")


@login_required
@require_POST
def template_log(request, pk):
    """Prefill quick entry with a template's lines."""
    template = get_object_or_404(LogTemplate, pk=pk, user=request.user)
    text = " ".join(
        str(LineSpec(line.code.code, tuple(filter(None, line.modifiers.split("-"))), line.units))
        for line in template.lines.select_related("code")
    )
    if not text:
        return HttpResponseBadRequest("This template has no lines.")
    return redirect(f"{reverse('tracking:tracker')}?codes={text}")
