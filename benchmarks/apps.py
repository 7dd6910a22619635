from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Published wRVU figures by specialty: the public table in resources and the dashboard's
    percentile standing in tracking both read them, so they live apart from either."""

    name = "benchmarks"
