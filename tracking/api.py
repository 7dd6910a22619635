"""The tracker's JSON API: logs, favourites, templates, stats (owner-scoped) and the public
calculator."""

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from codes import coding_edits, releases
from codes.entry import Preview, release_codes
from codes.entry import preview as entry_preview
from codes.models import Code
from codes.quick_entry import Ambiguity, ParsedLine
from codes.wrvu import LineSpec, fee_rows, line_problems, price_lines
from rvuedge import periods
from tracking import duplicates, selectors, services
from tracking.forms.entry import HistoryFilterForm, ReviewPeriodForm
from tracking.models import Favorite, LogChange, LogTemplate, ProcedureLog
from tracking.serializers import (
    MAX_ENCOUNTERS,
    CalculateSerializer,
    ChangeSerializer,
    EncountersSerializer,
    FavoriteSerializer,
    LogSerializer,
    QuickEntrySerializer,
    ReviewSerializer,
    TemplateSerializer,
    four,
)
from tracking.submissions import IDEMPOTENCY_KEY, KEY_REUSED_RESPONSE, idempotent


def _current_release_or_400():
    release = releases.current()
    if release is None:
        raise ValidationError({"release": "No fee schedule release has been imported yet."})
    return release


def _dated_release_or_400(day: dt.date) -> releases.DatedRelease:
    """The release pricing a service on `day` (codes.releases.for_date); a 400 before any
    import."""
    dated = releases.for_date(day, cached=True)
    if dated is None:
        raise ValidationError({"release": "No fee schedule release has been imported yet."})
    return dated


def line_spec(line: dict) -> LineSpec:
    return LineSpec(line["code"], tuple(line.get("modifiers", [])), line.get("units", 1))


def refused_lines(release, specs: list[LineSpec]) -> dict[str, dict]:
    """By position, each line that cannot be logged as it is (26/TC where the PC/TC indicator
    forbids them, 50 with more than one unit), with the reason."""
    problems = line_problems(release=release, specs=specs)
    return {
        str(i): {"modifiers": [p.message for p in found]}
        for i, found in enumerate(problems)
        if found
    }


def _as_validation_error(exc: DjangoValidationError) -> ValidationError:
    """A service's refusal as a 400 whose body is an object, as the schema documents."""
    if hasattr(exc, "error_dict"):
        return ValidationError(exc.message_dict)
    return ValidationError({NON_FIELD: exc.messages})


NON_FIELD = "non_field_errors"  # DRF's key for what belongs to no one field


class OwnedMixin:
    def get_queryset(self):
        return self.queryset.filter(user=self.request.user)


# What POST /api/v1/logs/ reads: one line, a list of lines (one encounter) or encounters.
LOG_CREATE_REQUEST = PolymorphicProxySerializer(
    component_name="LogCreateRequest",
    serializers=[LogSerializer, LogSerializer(many=True), EncountersSerializer],
    resource_type_field_name=None,
    many=False,
)
LOG_CREATE_RESPONSE = PolymorphicProxySerializer(
    component_name="LogCreateResponse",
    serializers=[LogSerializer, LogSerializer(many=True), EncountersSerializer],
    resource_type_field_name=None,
    many=False,
)
SHARED_DETAILS = ("date", "setting", "location", "role", "supervising_attending", "note")


class ProcedureLogViewSet(OwnedMixin, viewsets.ModelViewSet):
    """Your procedure entries. POST one line, a list of lines (one encounter), or
    `{"encounters": [[...], [...]]}` (several encounters, each credited on its own), each priced
    with the imported release in effect on its date of service (`release_flag` and
    `release_note` say when another one priced it).

    PATCH an entry to change its code, modifiers, units, date, setting, location, role,
    attending or note: it is credited again with the release that priced it (a code that release
    lacks is refused) and its encounter is re-ranked; a new date or setting moves the whole
    encounter. GET .../changes/ lists what changed, in words.

    Filters: ?start=&end= (dates), ?code=, ?location=, ?setting=, ?role=.

    A POST may carry an `Idempotency-Key` header, which makes it safe to retry: a repeat gets
    the first answer and saves nothing. An encounter already logged (same date, location,
    codes and modifiers) is refused with 409 unless the request says `confirm_duplicate`.
    """

    queryset = ProcedureLog.objects.with_related()
    serializer_class = LogSerializer

    def get_queryset(self):
        filters = HistoryFilterForm(self.request.query_params or None, user=self.request.user)
        if filters.is_bound and not filters.is_valid():
            raise ValidationError(filters.errors)
        return filters.filter(super().get_queryset())

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request.method in ("PUT", "PATCH") and "pk" in self.kwargs:
            # An edit is credited with the release that priced the entry, not the current one.
            release = self.get_object().release
            context |= {"release": release, "release_codes": release_codes(release)}
        return context

    @extend_schema(
        request={
            "application/json": LOG_CREATE_REQUEST,
            "application/x-www-form-urlencoded": LogSerializer,
            "multipart/form-data": LogSerializer,
        },
        parameters=[IDEMPOTENCY_KEY, duplicates.CONFIRM_PARAMETER],
        responses={
            409: duplicates.DUPLICATE_RESPONSE,
            422: KEY_REUSED_RESPONSE,
            201: OpenApiResponse(
                LOG_CREATE_RESPONSE,
                description="The entries, in the shape sent: one line gives one entry, a list of "
                "lines a list, and encounters a list of lists.",
            ),
        },
    )
    @idempotent("api_logs")
    def create(self, request, *args, **kwargs):
        """Log one line, a list of lines (one encounter: they are ranked together), or
        `{"encounters": [[...], [...]]}`: each inner list is one encounter, credited on its own
        (no multiple-procedure reduction across encounters). The lines of one encounter share
        their date, setting and location."""
        shape, groups = encounter_groups(request.data)
        lines = self._validated(shape, groups)
        encounters, errors = [], {}
        for index, group in enumerate(lines):
            try:
                release = _dated_release_or_400(group[0]["date"]).release
                encounters.append(_encounter(group, release))
            except ValidationError as exc:
                errors[str(index)] = exc.detail
        if errors:
            raise ValidationError(_shaped_errors(shape, errors))
        for details, bulk in encounters:
            specs = [line.spec for line in bulk]
            if found := duplicates.refused(
                request, date=details.date, location=details.location, encounters=[specs]
            ):
                return found
        try:
            # Each encounter is priced with the release of its date of service.
            logs = services.encounters_bulk_create(user=request.user, encounters=encounters)
        except DjangoValidationError as exc:
            raise _as_validation_error(exc) from exc
        return Response(self._shaped(shape, logs, lines), status=status.HTTP_201_CREATED)

    def _validated(self, shape: str, groups: list) -> list[list[dict]]:
        """Each encounter's lines, validated; a 400 names the encounter and line at fault."""
        validated, errors = [], {}
        for index, group in enumerate(groups):
            # One object is read as one (a form-encoded body too), a list as a list.
            serializer = self.get_serializer(
                data=group[0] if shape == "object" else group, many=shape != "object"
            )
            if serializer.is_valid():
                data = serializer.validated_data
                validated.append([data] if shape == "object" else data)
            else:
                errors[str(index)] = serializer.errors
        if errors:
            raise ValidationError(_shaped_errors(shape, errors))
        return validated

    def _shaped(self, shape: str, logs: list, lines: list[list[dict]]):
        """The saved entries in the shape of the request."""
        output = self.get_serializer(logs, many=True).data
        if shape == "object":
            return output[0]
        if shape == "list":
            return output
        grouped, start = [], 0
        for group in lines:
            grouped.append(output[start : start + len(group)])
            start += len(group)
        return {"encounters": grouped}

    @extend_schema(
        request=QuickEntrySerializer,
        responses={
            201: LogSerializer(many=True),
            400: OpenApiResponse(
                description="Lines to fix, readings to choose, or a reading to confirm"
            ),
            409: duplicates.DUPLICATE_RESPONSE,
            422: KEY_REUSED_RESPONSE,
        },
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=False, methods=["post"])
    @idempotent("api_logs_quick")
    def quick(self, request, *args, **kwargs):
        """Log what is typed as in quick entry: a blank line, `;` or `/` starts the next
        encounter (patient), and with `per_patient: true` every line is its own encounter; each
        is credited on its own, priced with the release of its date of service. The answer lists
        the entries; each names its encounter. A reading of codes typed without separators that
        holds a high-value procedure needs `confirm: true`; an encounter already logged (same
        date, location, codes and modifiers) `confirm_duplicate: true`."""
        serializer = QuickEntrySerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        release = _dated_release_or_400(data["date"]).release
        result = entry_preview(
            data["text"],
            release=release,
            setting=data["setting"],
            policy=services.user_policy(request.user),
            per_patient=data["per_patient"],
            **selectors.coding_around(request.user, data["date"]),
        )
        if not result.ok:
            raise ValidationError(_quick_entry_problems(result))
        if result.confirmations and not data["confirm"]:
            raise ValidationError({"confirm": result.confirmations})
        details = services.EntryDetails(**{k: data[k] for k in SHARED_DETAILS if k in data})
        if found := duplicates.refused(
            request, date=details.date, location=details.location, encounters=result.encounter_specs
        ):
            return found
        try:
            logs = services.encounters_create(
                user=request.user, details=details, encounters=result.encounter_specs
            )
        except DjangoValidationError as exc:
            raise _as_validation_error(exc) from exc
        output = LogSerializer(logs, many=True, context={"request": request}).data
        return Response(output, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        """Edit the entry's line and details (re-credited with its release, its encounter
        re-ranked); the history records what changed."""
        changes = dict(serializer.validated_data)
        try:
            serializer.instance = services.procedure_log_update(
                log=serializer.instance, changes=changes
            )
        except DjangoValidationError as exc:
            raise _as_validation_error(exc) from exc

    @extend_schema(responses={200: ChangeSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def changes(self, request, *args, **kwargs):
        """The entry's change history, newest first, each change in words: "Code 27446 →
        27447; units 1 → 2; Medicare-style wRVU 16.70 → 38.22"."""
        log = self.get_object()
        history = LogChange.objects.for_user(request.user).filter(log_pk=log.pk)
        rows = selectors.change_rows(request.user, history)
        return Response(ChangeSerializer(rows, many=True, context={"request": request}).data)

    def perform_destroy(self, instance):
        services.procedure_logs_delete(user=self.request.user, logs=[instance])

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "start", OpenApiTypes.DATE, description="Default: the month's first day."
            ),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Default: today."),
        ],
        responses={200: ReviewSerializer, 400: OpenApiResponse(description="A message per date")},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def review(self, request, *args, **kwargs):
        """Your entries from `start` to `end` (at most a year) whose credit came with warnings,
        grouped by date of service, newest first, each with its warnings as
        `{"rule", "message"}` and the links to fix it."""
        empty = [n for n in ("start", "end") if n in request.query_params and not
                 request.query_params[n].strip()]  # fmt: skip
        if empty:
            raise ValidationError(
                {name: ["Give a date (YYYY-MM-DD), or leave the parameter out."] for name in empty}
            )
        form = ReviewPeriodForm(request.query_params or None)
        if form.is_bound and not form.is_valid():
            raise ValidationError(form.errors)
        start, end = form.period()
        days = selectors.review_days(request.user, start, end)
        data = {
            "start": start,
            "end": end,
            "count": sum(len(day.entries) for day in days),
            "days": days,
        }
        return Response(ReviewSerializer(data, context={"request": request}).data)


def encounter_groups(data) -> tuple[str, list]:
    """The shape of a POST to /api/v1/logs/ ("object", "list" or "encounters") and its
    encounters, each a list of lines as sent."""
    if isinstance(data, list):
        if not data:
            raise ValidationError({NON_FIELD: ["Send at least one line."]})
        return "list", [data]
    if isinstance(data, dict) and "encounters" in data:
        groups = data["encounters"]
        if not (
            isinstance(groups, list)
            and groups
            and all(isinstance(group, list) and group for group in groups)
        ):
            raise ValidationError(
                {"encounters": ["Send a list of encounters, each a non-empty list of lines."]}
            )
        if len(groups) > MAX_ENCOUNTERS:
            raise ValidationError(
                {"encounters": [f"At most {MAX_ENCOUNTERS} encounters in one request."]}
            )
        return "encounters", groups
    return "object", [[data]]


def _encounter(lines: list[dict], release):
    """(details, lines) of one encounter for services.encounters_bulk_create; a ValidationError
    when its lines do not share date, setting and location, or when a line cannot be logged."""
    first = lines[0]
    if any(line.get(k) != first.get(k) for line in lines for k in ("date", "setting", "location")):
        raise ValidationError(["Lines of one encounter share their date, setting and location."])
    specs = [line_spec(line) for line in lines]
    refused = refused_lines(release, specs)
    if refused:
        raise ValidationError(refused)
    details = services.EntryDetails(**{k: first[k] for k in SHARED_DETAILS if k in first})
    return details, [
        services.BulkLine(
            spec,
            role=line.get("role", details.role),
            supervising_attending=line.get("supervising_attending", ""),
            note=line.get("note", ""),
        )
        for line, spec in zip(lines, specs, strict=True)
    ]


def _shaped_errors(shape: str, errors: dict):
    """Errors by encounter (and line) in the shape of the request: encounters by position under
    "encounters"; a list's by line; one object's by field."""
    if shape == "encounters":
        return {"encounters": errors}
    found = errors["0"]
    if isinstance(found, list):  # about the encounter as a whole
        return {NON_FIELD: found}
    if shape == "object" and "0" in found:  # the one line, refused
        return found["0"]
    return found


def _quick_entry_problems(result: Preview) -> dict:
    """What stops a quick entry from being saved: lines with their errors, readings to choose."""
    problems = {
        "lines": [
            {"typed": str(item), "errors": item.errors}
            for item in result.items
            if isinstance(item, ParsedLine) and item.errors
        ],
        "readings": [
            {"typed": item.text, "readings": [[str(line) for line in r] for r in item.readings]}
            for item in result.items
            if isinstance(item, Ambiguity)
        ],
    }
    return {name: value for name, value in problems.items() if value} or {
        "text": ["Type at least one code."]
    }


class FavoriteViewSet(
    OwnedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your starred codes."""

    queryset = Favorite.objects.select_related("code")
    serializer_class = FavoriteSerializer

    def perform_create(self, serializer):
        code = Code.objects.filter(code=serializer.validated_data["code"].upper()).first()
        if code is None:
            raise ValidationError({"code": f"{serializer.validated_data['code']} is not a code."})
        serializer.instance = services.favorite_add(user=self.request.user, code=code)


class TemplateViewSet(
    OwnedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your saved sets of lines (e.g. a usual case)."""

    queryset = LogTemplate.objects.prefetch_related("lines__code")
    serializer_class = TemplateSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request.method == "POST":
            release = _current_release_or_400()
            context |= {"release": release, "release_codes": release_codes(release)}
        return context

    def perform_create(self, serializer):
        data = serializer.validated_data
        lines = [line_spec(line) for line in data["lines"]]
        try:
            serializer.instance = services.log_template_create(
                user=self.request.user, name=data["name"], lines=lines
            )
        except DjangoValidationError as exc:
            raise _as_validation_error(exc) from exc


class CalculateThrottle(AnonRateThrottle):
    scope = "anon"


class CalculateResponse(serializers.Serializer):
    release = serializers.CharField()
    lines = serializers.ListField(child=serializers.DictField())
    totals = serializers.DictField()


class WrvuCalculateView(APIView):
    """Credit the lines of one encounter: raw and Medicare-style work RVUs, and why.

    Public and throttled. Numbers are decimal strings with four places.
    """

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [CalculateThrottle]

    @extend_schema(
        request=CalculateSerializer,
        responses={200: CalculateResponse, 400: OpenApiResponse(description="A message per line")},
    )
    def post(self, request):
        release = self._release(request.data)
        serializer = CalculateSerializer(
            data=request.data, context={"release": release, "release_codes": release_codes(release)}
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        specs = [line_spec(line) for line in data["lines"]]
        refused = refused_lines(release, specs)
        if refused:
            raise ValidationError({"lines": refused})
        rows = fee_rows(release, {spec.code for spec in specs})
        edits = coding_edits.Reader({spec.code for spec in specs}).line_edits(
            specs=specs, rows=rows, day=timezone.localdate()
        )
        priced = price_lines(
            release=release, setting=data["setting"], specs=specs, rows=rows, edits=edits
        )
        lines = [
            {
                "code": item.spec.code,
                "modifiers": list(item.spec.modifiers),
                "units": item.spec.units,
                "work_rvu": four(item.row.work_rvu),
                "raw": four(item.medicare.raw),
                "medicare": four(item.medicare.credited),
                "explanation": item.medicare.explanation,
                "warnings": item.medicare.warning_dicts,
                "warning_ids": item.medicare.warning_ids,
            }
            for item in priced
        ]
        totals = {
            "raw": four(sum(item.medicare.raw for item in priced)),
            "medicare": four(sum(item.medicare.credited for item in priced)),
        }
        return Response({"release": release.name, "lines": lines, "totals": totals})

    @staticmethod
    def _release(data):
        name = data.get("release") if isinstance(data, dict) else None
        if not name:
            return _current_release_or_400()
        release = releases.by_name(str(name))
        if release is None:
            raise ValidationError({"release": f"Unknown release {name}."})
        return release


class StatsView(APIView):
    """Totals and a series of wRVU for a period, for mobile clients.

    ?from=YYYY-MM-DD&to=YYYY-MM-DD&group_by=day|week|month (default: this fiscal year, by month).
    Numbers are decimal strings.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
            OpenApiParameter("group_by", OpenApiTypes.STR, enum=["day", "week", "month"]),
        ],
        responses={200: OpenApiResponse(description="{totals: {...}, series: [...]}")},
    )
    def get(self, request):
        params = request.query_params
        errors = {}
        today = timezone.localdate()
        prefs = selectors.preferences(request.user)
        start = (
            _date_param(params, "from", errors)
            or periods.fiscal_year(today, prefs.fiscal_year_start_month)[0]
        )
        end = _date_param(params, "to", errors) or today
        group_by = params.get("group_by", "month")
        if group_by not in periods.GROUPS:
            errors["group_by"] = "Use day, week or month."
        if not errors and start > end:
            errors["from"] = "from must be on or before to."
        if not errors and group_by == "day" and (end - start).days > 3 * 366:
            errors["group_by"] = "Group by week or month for ranges over three years."
        if errors:
            raise ValidationError(errors)
        totals = selectors.totals(request.user, start, end)
        series = selectors.series(request.user, start, end, group_by)
        return Response(
            {
                "from": start,
                "to": end,
                "group_by": group_by,
                "totals": {
                    "entries": totals.entries,
                    **{name: four(totals.figure(name)) for name in selectors.FIGURES},
                },
                "series": [
                    {
                        "period": row["period"],
                        "entries": row["entries"],
                        **{name: four(row[name]) for name in selectors.FIGURES},
                    }
                    for row in series
                ],
            }
        )


# Dates of service the stats can be asked about (a period's arithmetic stays inside datetime's).
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def _date_param(params, name, errors):
    value = params.get(name)
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        errors[name] = f"{value!r} is not a date (YYYY-MM-DD)."
        return None
    if not EARLIEST <= day <= LATEST:
        errors[name] = f"{value} is outside {EARLIEST.year}-{LATEST.year}."
        return None
    return day
