from django.urls import path

from .views import calculators, guides

app_name = "resources"

urlpatterns = [
    path("", guides.index, name="index"),
    path("guides/<slug:slug>/", guides.GuideDetailView.as_view(), name="guide"),
    path("glossary/", guides.glossary, name="glossary"),
    path(
        "medicare-payment-calculator/",
        calculators.payment_calculator,
        name="payment_calculator",
    ),
]
