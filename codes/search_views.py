"""The search results page and the suggestions the search boxes ask for as people type."""

from django.core.paginator import Page, Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from . import search as code_search
from .models import RelativeValue

PAGE_SIZE = 20
SUGGEST_BROWSER_CACHE_SECONDS = 60


class _Ranked:
    """The ranked results as a sequence of known length whose slices run one query each, so the
    paginator asks the search for one page at a time."""

    def __init__(self, query: str, release, total: int, first_page: list):
        self.query, self.release, self.total = query, release, total
        self._first = first_page

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, item: slice):
        if item.start == 0 and item.stop <= len(self._first):
            return self._first[: item.stop]
        return code_search.search(
            self.query, release=self.release, offset=item.start, limit=item.stop - item.start
        ).hits


@require_GET
def search(request):
    raw = request.GET.get("q", "")
    page_number = request.GET.get("page") or 1
    results = code_search.search(raw, limit=PAGE_SIZE)  # the first page, and the total
    page: Page | None = None
    if results.total:
        ranked = _Ranked(raw, results.release, results.total, results.hits)
        page = Paginator(ranked, PAGE_SIZE).get_page(page_number)
        rows = RelativeValue.objects.filter(
            release=results.release, modifier="", code__code__in=[hit.code for hit in page]
        ).values_list("code__code", "work_rvu", "status")
        values = {code: (work, status) for code, work, status in rows}
        page.object_list = [(hit, *values.get(hit.code, (None, None))) for hit in page]
    return render(
        request,
        "codes/search.html",
        {
            "q": " ".join(raw.split()),
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
