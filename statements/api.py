"""The statements API: upload a statement (reconciled at once, or queued when large), list and
read them, their reconciliation, delete. Owner only: another user's statement is a 404."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from statements import services
from statements.models import Statement
from statements.serializers import (
    ReconciliationSerializer,
    StatementSerializer,
    StatementUploadSerializer,
    reconciliation_data,
)


class StatementViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your employer's statements, reconciled line by line against your log.

    POST a statement as multipart (`file`, optional `mapping` as a JSON object of field name ->
    column header, optional `period_from` and `period_to`): 201 with its id once every row
    reads (a large statement is then reconciled in the background: its `status` says when it is
    `done`), or 400 with `errors`, one entry per row that cannot be read."""

    serializer_class = StatementSerializer
    queryset = Statement.objects.none()
    parser_classes = (MultiPartParser, FormParser)  # a file upload; nothing else is written

    def get_queryset(self):
        return Statement.objects.for_user(self.request.user).defer("data")

    @extend_schema(
        request={"multipart/form-data": StatementUploadSerializer},
        responses={201: StatementSerializer, 400: OpenApiResponse(description="Row errors")},
    )
    def create(self, request, *args, **kwargs):
        upload = StatementUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            statement = services.statement_submit(
                user=request.user,
                upload=data["file"],
                columns=data.get("mapping"),
                period=services.Period(data.get("period_from"), data.get("period_to")),
            )
        except services.RowErrors as exc:
            return Response(
                {"detail": exc.messages[0], "rows": exc.total, "errors": exc.rows},
                status=status.HTTP_400_BAD_REQUEST,
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        statement = services.statement_start(statement=statement)
        body = StatementSerializer(Statement.objects.defer("data").get(pk=statement.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.statement_delete(statement=instance)


class ReconciliationView(APIView):
    """A reconciled statement's summary and every line with its status and reason (409 while
    it is still being reconciled)."""

    @extend_schema(
        responses={
            200: ReconciliationSerializer,
            409: OpenApiResponse(description="Not reconciled yet"),
        }
    )
    def get(self, request, pk: int):
        statement = get_object_or_404(Statement.objects.defer("data"), pk=pk, user=request.user)
        if statement.status != Statement.Status.DONE:
            return Response(
                {
                    "detail": f"Not reconciled: {statement.get_status_display().lower()}.",
                    "status": statement.status,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(ReconciliationSerializer(reconciliation_data(statement)).data)
