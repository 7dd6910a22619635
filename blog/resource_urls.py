from django.urls import path

from .views import resources

app_name = "resources"

urlpatterns = [
    path("", resources.index, name="index"),
    path("guides/<slug:slug>/", resources.GuideDetailView.as_view(), name="guide"),
    path("glossary/", resources.glossary, name="glossary"),
    path(
        "medicare-payment-calculator/",
        resources.payment_calculator,
        name="payment_calculator",
    ),
]
