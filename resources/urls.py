from django.urls import path

from rvuedge import edge_cache

from .views import calculators, guides

app_name = "resources"

urlpatterns = [
    path("", edge_cache.shared(guides.index), name="index"),
    path("guides/<slug:slug>/", edge_cache.shared(guides.GuideDetailView.as_view()), name="guide"),
    path("glossary/", edge_cache.shared(guides.glossary), name="glossary"),
    path(
        "medicare-payment-calculator/",
        calculators.payment_calculator,
        name="payment_calculator",
    ),
]
