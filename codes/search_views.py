"""The search results page and the suggestions the search boxes ask for as people type."""

from django.core.paginator import Page, Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from rvuedge import edge_cache

from . import search as code_search
from .models import RelativeValue

PAGE_SIZE = 20
SUGGEST_BROWSER_CACHE_SECONDS = 60


@edge_cache.shared(query=("q", "page"))
@require_GET
def search(request):
    """The results page; a whole code that the release holds (typed here or in the header box,
    whose form submits here) goes straight to its page. The same for every visitor who is not
    signed in, so shared by the edge cache: a search asked before costs nothing."""
    raw = request.GET.get("q", "")
    page_number = request.GET.get("page") or 1
    results = code_search.search(raw, limit=PAGE_SIZE)  # the first page, and the total
    if results.query.code and results.hits and results.hits[0].code == results.query.code:
        return redirect(results.hits[0].url)
    page: Page | None = None
    if results.total:
        page = Paginator(code_search.RankedResults(results), PAGE_SIZE).get_page(page_number)
        rows = RelativeValue.objects.filter(
            release=results.release, modifier="", code__code__in=[hit.code for hit in page]
        ).values_list("code__code", "work_rvu", "status")
        values = {code: (work, status) for code, work, status in rows}
        page.object_list = [(hit, *values.get(hit.code, (None, None))) for hit in page]
    return render(
        request,
        "codes/search.html",
        {
            "q": results.query.typed,
            "results": results,
            "page": page,
            "max_results": code_search.MAX_RESULTS,
        },
    )


@require_GET
def suggest(request):
    """Up to ten codes for a search box: {"results": [{"code", "descriptor", "url"}, ...]}."""
    hits = code_search.suggest(request.GET.get("q", ""))
    response = JsonResponse(
        {"results": [{"code": h.code, "descriptor": h.descriptor, "url": h.url} for h in hits]}
    )
    patch_cache_control(response, public=True, max_age=SUGGEST_BROWSER_CACHE_SECONDS)
    return response
