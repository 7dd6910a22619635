"""The public fee schedule API under /api/v1/: code search, everything a code page shows,
Medicare payment for a code in a locality, localities and releases.

Public (no sign-in), throttled per client: anonymous callers at the "anon" rate, signed-in ones
at the "user" rate. Errors are JSON with a `detail` message naming what was wrong: an unknown
code is a 404, an unknown release, locality or modifier a 400.
"""

from __future__ import annotations

import re

from django.urls import path
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.exceptions import APIException, NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from rvuedge.api_schema import StrictPageNumberPagination

from . import pricing, releases, search, selectors
from .models import Code, RelativeValue, Release
from .serializers import (
    CodePageSerializer,
    ErrorSerializer,
    LocalitySerializer,
    PriceSerializer,
    ReleaseSerializer,
    SearchResultSerializer,
)

MODIFIERS = ("26", "TC")
_LOCALITY_KEY = re.compile(r"^([A-Z0-9]{5})-([A-Z0-9]{1,2})$")


class BadParameter(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "A query parameter is not valid."
    default_code = "bad_parameter"


class _LiveRates:
    """Read the rate from the settings at each request (DRF binds it at import), so a changed
    API_ANON_RATE or a test's override applies without a restart."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_LiveRates, AnonRateThrottle):
    pass


class UserThrottle(_LiveRates, UserRateThrottle):
    pass


PUBLIC = {"permission_classes": [AllowAny], "throttle_classes": [AnonThrottle, UserThrottle]}
ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 429: ErrorSerializer}

RELEASE_PARAMETER = OpenApiParameter(
    "release",
    str,
    description="Release name, e.g. RVU25D (default: the current release).",
    examples=[OpenApiExample("RVU25D", value="RVU25D")],
)
LOCALITY_PARAMETER = OpenApiParameter(
    "locality",
    str,
    description='"MAC-locality number" from /api/v1/localities/, e.g. "01112-05"; '
    "omit for national amounts.",
)


# --- Parameters ---------------------------------------------------------------------------------


def _release(request) -> Release:
    """The release named by ?release= (its non-QP file when there are both), or the current."""
    name = (request.query_params.get("release") or "").strip().upper()
    if not name:
        release = releases.current()
        if release is None:
            raise NotFound("No fee schedule release has been imported yet.")
        return release
    release = releases.by_name(name)
    if release is None:
        loaded = ", ".join(releases.loaded_names())
        raise BadParameter(f"Unknown release: {name}. Releases available: {loaded or 'none'}.")
    return release


def _code(value: str) -> Code:
    code = Code.objects.filter(code=value.strip().upper()).first()
    if code is None:
        raise NotFound(f"Unknown code: {value.strip().upper()}.")
    return code


def _locality(request, release: Release, locality_set: selectors.LocalitySet | None = None):
    """The locality named by ?locality=MAC-NN among those pricing `release`, or None."""
    raw = (request.query_params.get("locality") or "").strip().upper()
    if not raw:
        return None
    match = _LOCALITY_KEY.match(raw)
    locality = None
    if match:
        mac, number = match.group(1), match.group(2).zfill(2)
        locality_set = locality_set or selectors.localities_for_release(release)
        locality = (
            locality_set.localities.filter(mac=mac, locality_number=number)
            .select_related("release")
            .first()
        )
    if locality is None:
        raise BadParameter(
            f"Unknown locality: {raw} in {release.name}. Give it as MAC-locality number "
            f"(e.g. 01112-05); /api/v1/localities/?release={release.name} lists them."
        )
    return locality


# --- Endpoints ----------------------------------------------------------------------------------


class SearchPagination(StrictPageNumberPagination):
    max_page_size = 100


class CodeSearch(generics.ListAPIView):
    """Search codes by code, code prefix, words, synonyms; misspellings are forgiven."""

    serializer_class = SearchResultSerializer
    pagination_class = SearchPagination
    permission_classes = PUBLIC["permission_classes"]
    throttle_classes = PUBLIC["throttle_classes"]

    def get_queryset(self):
        query = (self.request.query_params.get("q") or "").strip()
        if not query:
            raise BadParameter("Give a search with ?q=, e.g. ?q=99213 or ?q=knee+replacement.")
        results = search.search(query, release=_release(self.request), limit=self.page_size())
        return search.RankedResults(results)

    def page_size(self) -> int:
        return self.paginator.get_page_size(self.request) or api_settings.PAGE_SIZE

    @extend_schema(
        operation_id="codes_search",
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "minLength": 1},
                required=True,
                description="A code (99213), a code prefix (9921), words or another name "
                "(knee replacement, lap chole).",
            ),
            RELEASE_PARAMETER,
        ],
        responses={200: SearchResultSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(
    operation_id="codes_retrieve",
    parameters=[
        OpenApiParameter("code", str, OpenApiParameter.PATH, description="e.g. 99213 or J3490"),
        RELEASE_PARAMETER,
        LOCALITY_PARAMETER,
    ],
    responses={200: CodePageSerializer, **ERRORS},
)
@api_view(["GET"])
@permission_classes(PUBLIC["permission_classes"])
@throttle_classes(PUBLIC["throttle_classes"])
def code_detail(request, code: str):
    """Everything the code's page shows, for the current release or ?release=."""
    found = _code(code)
    release = _release(request)
    locality = _locality(request, release)
    key = f"{locality.mac}-{locality.locality_number}" if locality else None
    page = selectors.code_page(found.code, release=release, locality_key=key)
    if page is None:
        raise NotFound(f"Unknown code: {found.code}.")
    return Response(page.to_dict())


PRICE_SCHEMA = extend_schema(
    operation_id="codes_price",
    parameters=[
        OpenApiParameter("code", str, OpenApiParameter.PATH, description="e.g. 99213"),
        RELEASE_PARAMETER,
        LOCALITY_PARAMETER,
        OpenApiParameter(
            "modifier", str, enum=list(MODIFIERS), description="26 or TC; omit for the global."
        ),
    ],
    responses={200: PriceSerializer, **ERRORS},
)


@PRICE_SCHEMA
@api_view(["GET"])
@permission_classes(PUBLIC["permission_classes"])
@throttle_classes(PUBLIC["throttle_classes"])
def code_price(request, code: str):
    """Medicare payment for the code, national or in a locality, facility and non-facility."""
    return _price(request, code)


# The documented URL has no trailing slash; the slash form answers too, left out of the schema.
@extend_schema(exclude=True)
@api_view(["GET"])
@permission_classes(PUBLIC["permission_classes"])
@throttle_classes(PUBLIC["throttle_classes"])
def code_price_with_slash(request, code: str):
    return _price(request, code)


def _price(request, code: str) -> Response:
    found = _code(code)
    release = _release(request)
    modifier = (request.query_params.get("modifier") or "").strip().upper()
    if modifier and modifier not in MODIFIERS:
        raise BadParameter(f"Unknown modifier: {modifier}. Use 26 or TC, or omit it.")
    locality_set = selectors.localities_for_release(release)
    locality = _locality(request, release, locality_set)
    row = RelativeValue.objects.filter(release=release, code=found, modifier=modifier).first()
    if row is None:
        if modifier:
            raise BadParameter(f"{found.code} has no -{modifier} row in {release.name}.")
        raise NotFound(f"{found.code} is not in the fee schedule of {release.name}.")
    gpci = (
        pricing.Gpci(locality.work_gpci, locality.pe_gpci, locality.mp_gpci)
        if locality
        else pricing.NATIONAL
    )
    amounts = {
        setting: pricing.row_payment(row, setting, gpci) for setting in ("non_facility", "facility")
    }
    data = {
        "code": found.code,
        "modifier": modifier or None,
        "release": release.name,
        "status": row.status,
        "conversion_factor": row.conversion_factor,
        "locality": _price_locality(locality, locality_set),
        "rvus": {
            "work": row.work_rvu,
            "non_facility_pe": row.non_facility_pe_rvu,
            "non_facility_na": row.non_facility_na,
            "facility_pe": row.facility_pe_rvu,
            "facility_na": row.facility_na,
            "mp": row.mp_rvu,
            "opps_non_facility_pe": row.opps_non_facility_pe_rvu,
            "opps_mp": row.opps_mp_rvu,
        },
        **{setting: selectors.amount_dict(amount) for setting, amount in amounts.items()},
    }
    return Response(PriceSerializer(data).data)


def _price_locality(locality, locality_set: selectors.LocalitySet):
    if locality is None:
        return None
    return {
        "key": f"{locality.mac}-{locality.locality_number}",
        "mac": locality.mac,
        "locality_number": locality.locality_number,
        "state": locality.state,
        "name": locality.name,
        "display_name": locality.display_name,
        "work_gpci": locality.work_gpci,
        "work_gpci_without_floor": locality.work_gpci_without_floor,
        "pe_gpci": locality.pe_gpci,
        "mp_gpci": locality.mp_gpci,
        "anesthesia_conversion_factor": locality.anesthesia_cf(qp=locality_set.release.is_qp),
        **selectors.origin_dict(locality_set.origin),
    }


class LocalityList(generics.ListAPIView):
    """The Medicare localities a release is priced with: its own locality files, else its
    calendar year's (RVU26C: CY2026's from RVU26A), else borrowed from another year, which
    `gpci_borrowed` says on every row."""

    serializer_class = LocalitySerializer
    pagination_class = None
    permission_classes = PUBLIC["permission_classes"]
    throttle_classes = PUBLIC["throttle_classes"]

    def get_queryset(self):
        self.locality_set = selectors.localities_for_release(_release(self.request))
        return self.locality_set.localities.order_by("state", "name", "mac", "locality_number")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "locality_set"):
            context["locality_set"] = self.locality_set
        return context

    @extend_schema(
        parameters=[RELEASE_PARAMETER],
        responses={200: LocalitySerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ReleaseList(generics.ListAPIView):
    """Every imported release, newest first; `current` marks the one prices use by default."""

    serializer_class = ReleaseSerializer
    pagination_class = None
    permission_classes = PUBLIC["permission_classes"]
    throttle_classes = PUBLIC["throttle_classes"]
    queryset = Release.objects.loaded()

    @extend_schema(responses={200: ReleaseSerializer(many=True), 429: ErrorSerializer})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


urlpatterns = [
    path("codes/", CodeSearch.as_view(), name="api-codes"),
    path("codes/<str:code>/price", code_price, name="api-code-price"),
    path("codes/<str:code>/price/", code_price_with_slash),
    path("codes/<str:code>/", code_detail, name="api-code"),
    path("localities/", LocalityList.as_view(), name="api-localities"),
    path("releases/", ReleaseList.as_view(), name="api-releases"),
]
