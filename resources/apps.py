from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    """Public reference: calculators, guides, the glossary, benchmarks, career-stage pages."""

    name = "resources"

    def ready(self):
        from .user_data import register

        register()
