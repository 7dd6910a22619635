"""Code pages (/cpt-codes/<CODE>/?locality=<MAC-locality>), their payment card, browsing by
section, and the original site's old addresses.

A code page's body is the same for everyone who picks the same locality, so it is rendered once
per data version, code and locality and cached as HTML fragments (codes.selectors.page_state
changes the version when a release or editorial content changes). What depends on the visitor
(the "Track this code" link, the favourite star, the navigation bar) is rendered around them on
each request. For visitors who are not signed in, the whole page is shared through the edge
cache (rvuedge.edge_cache): the same for everyone, except a page priced for an unknown locality.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_safe

from rvuedge import edge_cache

from . import browse, pages, selectors
from .models import Code, LocalityPreference, RelativeValue

SESSION_LOCALITY = "codes_locality"
NATIONAL = "national"
BROWSE_PAGE_SIZE = 100


# --- Locality choice --------------------------------------------------------------------------


def _known_locality(key: str) -> bool:
    """One of the current release's localities (their list is cached per data version)."""
    release = selectors.page_state().current
    return bool(release) and any(c.key == key for c in selectors.locality_choices(release))


def _chosen_locality(request) -> str | None:
    """The locality to price in: ?locality=, else the session's, else the user's saved one.

    A choice made with ?locality= is remembered in the session and, for a signed-in user, in
    their LocalityPreference. "national" clears it.
    """
    asked = request.GET.get("locality")
    if asked is not None:
        key = "" if asked == NATIONAL else asked.strip()[:9]
        if key and not _known_locality(key):
            # Not one of the release's localities: priced nationally, and nothing is stored or
            # cached under it (any value would otherwise become a cache entry of its own).
            return None
        if request.session.get(SESSION_LOCALITY) != key:
            request.session[SESSION_LOCALITY] = key
            if request.user.is_authenticated:
                if key:
                    LocalityPreference.objects.update_or_create(
                        user=request.user, defaults={"locality_key": key}
                    )
                else:
                    LocalityPreference.objects.filter(user=request.user).delete()
        return key or None
    if SESSION_LOCALITY in request.session:
        return request.session[SESSION_LOCALITY] or None
    if request.user.is_authenticated:
        saved = (
            LocalityPreference.objects.filter(user=request.user)
            .values_list("locality_key", flat=True)
            .first()
        )
        request.session[SESSION_LOCALITY] = saved or ""
        return saved
    return None


# --- Code page --------------------------------------------------------------------------------


def _not_found(request, code: str):
    context = {"code": code, "suggestions": selectors.nearest_codes(code)}
    return render(request, "codes/code_not_found.html", context, status=404)


def _starred(request, code: str) -> bool:
    # The favourites belong to the tracking app; codes reads them through the user's reverse
    # relation so that it imports nothing from tracking.
    favorites = getattr(request.user, "favorites", None)
    return bool(favorites is not None and favorites.filter(code__code=code).exists())


@edge_cache.shared(query=("locality",))
@require_safe  # HEAD too: nginx and link checkers ask it, and the edge cache answers it
def code_detail(request, code):
    upper = code.upper()
    if code.lower() in browse.OLD_SLUGS:
        return HttpResponsePermanentRedirect(browse.BY_SLUG[browse.OLD_SLUGS[code.lower()]].url)
    if code != upper:
        return HttpResponsePermanentRedirect(reverse("codes:detail", args=[upper]))
    locality = _chosen_locality(request)
    if locality and "locality" not in request.GET:
        # A locality remembered from an earlier choice goes into the address, so the page's
        # URL always says where it prices (and can be shared); the canonical link has none.
        return redirect(f"{request.path}?{urlencode({'locality': locality})}")
    fragments = pages.fragments(upper, locality)
    if fragments is None:
        return _not_found(request, upper)
    signed_in = request.user.is_authenticated
    context = {
        "code": upper,
        "fragments": fragments,
        "signed_in": signed_in,
        "starred": signed_in and _starred(request, upper),
        "fav_code": {"code": upper},
    }
    response = render(request, "codes/code_detail.html", context)
    if request.GET.get("locality", NATIONAL) != NATIONAL and not locality:
        # Priced nationally for a locality the release does not have: any value would otherwise
        # become an entry of its own (issue 13), so this page is not shared.
        edge_cache.refuse(response)
    return response


@require_GET
def code_payment(request, code):
    """The payment card alone (pages before the card and tiles were swapped together fetched
    it; kept for them and for embedding)."""
    upper = code.upper()
    locality = _chosen_locality(request)
    if not request.headers.get("HX-Request"):
        return redirect(f"{reverse('codes:detail', args=[upper])}#payment")
    fragments = pages.fragments(upper, locality)
    if fragments is None:
        raise Http404(f"No code {upper}")
    return HttpResponse(fragments["payment"])


def old_code_address(request, slug, code):
    """The original site's /cpt-codes/<category-slug>/<CODE>/ pages moved to /cpt-codes/<CODE>/."""
    return HttpResponsePermanentRedirect(reverse("codes:detail", args=[code.upper()]))


# --- Browse ------------------------------------------------------------------------------------


@edge_cache.shared
def browse_index(request):
    state = selectors.page_state()
    counts = selectors.section_counts(state)
    groups = [
        (
            section,
            counts.get(section.slug, 0),
            [(c, counts.get(c.slug, 0)) for c in browse.children(section)],
        )
        for section in browse.top_level()
        if counts.get(section.slug)
    ]
    cpt = [g for g in groups if not g[0].slug.startswith("hcpcs-")]
    hcpcs = [g for g in groups if g[0].slug.startswith("hcpcs-")]
    return render(
        request,
        "codes/browse_index.html",
        {"cpt_groups": cpt, "hcpcs_groups": hcpcs, "release": state.current},
    )


@edge_cache.shared(query=("page",))
def browse_section(request, slug):
    section = browse.BY_SLUG.get(slug)
    if section is None:
        raise Http404("No such section")
    state = selectors.page_state()
    codes = Code.objects.filter(category=section.category)
    if section.low:
        codes = codes.filter(code__gte=section.low, code__lte=section.high)
    work = RelativeValue.objects.filter(
        code=OuterRef("pk"), release=state.current, modifier=""
    ).values("work_rvu")[:1]
    status = RelativeValue.objects.filter(
        code=OuterRef("pk"), release=state.current, modifier=""
    ).values("status")[:1]
    codes = codes.annotate(work_rvu=Subquery(work), status=Subquery(status)).order_by("code")
    page = Paginator(
        codes.values("code", "kind", "short_descriptor", "work_rvu", "status"), BROWSE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    parent = browse.BY_SLUG.get(section.parent) if section.parent else None
    return render(
        request,
        "codes/browse_section.html",
        {
            "section": section,
            "parent": parent,
            "children": browse.children(section),
            "page": page,
            "release": state.current,
            "hide_cpt_descriptors": not settings.SHOW_AMA_DESCRIPTORS,
            "canonical": f"{settings.SITE_URL.rstrip('/')}{section.url}"
            + (f"?page={page.number}" if page.number > 1 else ""),
        },
    )
