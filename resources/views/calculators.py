"""The public calculators: Medicare payment for a code in a locality, and the wRVU credit of an
encounter. Both read the current release and save nothing."""

from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from blog.views.posts import absolute_url
from codes import releases
from codes.entry import preview
from codes.models import Release
from codes.selectors import localities_for_release

from ..calculator import quote_row
from ..forms import PaymentCalculatorForm

SETTINGS = ("facility", "non_facility")


def payment_calculator(request):
    """Medicare payment for a code in a locality: a GET form; htmx swaps in the result only."""
    release = releases.current()
    locality_set = localities_for_release(release) if release else None
    localities = list(locality_set.localities) if locality_set else []
    form = PaymentCalculatorForm(request.GET or None, release=release, localities=localities)
    quote = None
    if form.is_bound and form.is_valid():
        quote = quote_row(
            form.cleaned_data["row"],
            release=release,
            locality_set=locality_set,
            locality=form.cleaned_data["locality_obj"],
            setting=form.cleaned_data["setting"],
        )
    context = {
        "form": form,
        "quote": quote,
        "release": release,
        "locality_set": locality_set,
        "canonical_url": absolute_url(request.path),
    }
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-Boosted")
    template = "_calculator_result.html" if partial else "payment_calculator.html"
    response = render(request, f"resources/{template}", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def wrvu_calculator(request):
    """Public wRVU calculator: the quick-entry reader and credit engine, without saving."""
    choices = list(Release.objects.loaded().filter(is_qp=False))
    chosen = request.GET.get("release") or request.POST.get("release")
    release = next((r for r in choices if r.name == chosen), None) or releases.current()
    if not choices or release is None:
        raise Http404("No fee schedule release has been imported yet.")
    text = (request.POST.get("text") or request.GET.get("codes") or "").strip()
    setting = request.POST.get("setting") or request.GET.get("setting") or "facility"
    if setting not in SETTINGS:
        setting = "facility"
    context = {
        "preview": preview(text, release=release, setting=setting) if text else None,
        "release": release,
        "releases": choices,
        "text": text,
        "setting": setting,
        "show_policy": False,
    }
    if request.headers.get("HX-Request"):
        return render(request, "codes/_entry_preview.html", context)
    return render(request, "resources/wrvu_calculator.html", context)
