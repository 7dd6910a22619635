"""The contracts API: the compensation calculator and the user's contracts (owner only:
another user's contract is a 404)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts import engine, services
from contracts.models import Contract
from contracts.serializers import (
    ROWS,
    CompensationCalculateSerializer,
    CompensationResultSerializer,
    ContractSerializer,
    result_data,
)

EXAMPLE = {
    "contract": {
        "base_salary": "300000",
        "threshold_wrvu": "5000",
        "tiers": [{"from_wrvu": "0", "rate": "50"}, {"from_wrvu": "7000", "rate": "55"}],
        "quality_bonus_percent": "5",
        "stipends": [{"kind": "call", "amount": "20000"}],
    },
    "wrvu": "6200",
    "quality_achieved_percent": "80",
}


class CompensationCalculateView(APIView):
    """A year's pay under a contract at a volume, with every step of the arithmetic.

    Tiers are marginal (each wRVU earns its tier's rate), and wRVUs below the threshold or the
    first tier earn nothing beyond base. Answers are decimal strings rounded to the cent."""

    @extend_schema(
        request=CompensationCalculateSerializer,
        responses={200: CompensationResultSerializer},
        examples=[OpenApiExample("Base, threshold, two tiers", value=EXAMPLE, request_only=True)],
    )
    def post(self, request):
        serializer = CompensationCalculateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        terms = serializer.terms(data)
        pay = engine.pay_for_volume(terms, engine.Mix({None: engine.Wrvu.both(data["wrvu"])}))
        return Response(result_data(pay))


class ContractViewSet(viewsets.ModelViewSet):
    """Your contracts and offers, with their tiers, bonuses, stipends and location rates.

    Signed contracts must not overlap in time; tiers must ascend."""

    serializer_class = ContractSerializer
    queryset = Contract.objects.none()

    def get_queryset(self):
        return Contract.objects.for_user(self.request.user).with_terms()

    def perform_create(self, serializer):
        serializer.instance = _save(self.request.user, Contract(), serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = _save(
            self.request.user, serializer.instance, serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.contract_delete(contract=instance)


def _save(user, contract: Contract, data: dict) -> Contract:
    rows = {}
    for name in ROWS:
        given = data.pop(name, None)
        rows[name] = given if given is not None else _existing(contract, name)
    for field, value in data.items():
        setattr(contract, field, value)
    try:
        saved = services.contract_save(
            user=user, contract=contract, rows=services.ContractRows(**rows)
        )
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    return Contract.objects.with_terms().get(pk=saved.pk)


def _existing(contract: Contract, name: str) -> list[dict]:
    if not contract.pk:
        return []
    fields = ROWS[name].Meta.fields
    return [
        {field: getattr(row, field) for field in fields} for row in getattr(contract, name).all()
    ]
