"""The /api/v1/ router: each app registers its viewsets here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from codes import api as codes_api
from contracts.api import CompensationCalculateView, ContractViewSet
from statements.api import ReconciliationView, StatementViewSet
from tracking.api import (
    FavoriteViewSet,
    ProcedureLogViewSet,
    StatsView,
    TemplateViewSet,
    WrvuCalculateView,
)

router = DefaultRouter()
router.register("logs", ProcedureLogViewSet, basename="api-logs")
router.register("favorites", FavoriteViewSet, basename="api-favorites")
router.register("templates", TemplateViewSet, basename="api-templates")
router.register("contracts", ContractViewSet, basename="api-contracts")
router.register("statements", StatementViewSet, basename="api-statements")

urlpatterns = [
    path("wrvu/calculate", WrvuCalculateView.as_view(), name="api-wrvu-calculate"),
    path("stats/", StatsView.as_view(), name="api-stats"),
    path(
        "compensation/calculate",
        CompensationCalculateView.as_view(),
        name="api-compensation-calculate",
    ),
    path(
        "statements/<int:pk>/reconciliation",
        ReconciliationView.as_view(),
        name="api-statements-reconciliation",
    ),
    *codes_api.urlpatterns,  # public: codes, prices, localities, releases
    *router.urls,
]
