from django.apps import AppConfig


class CodesConfig(AppConfig):
    name = "codes"

    def ready(self):
        from .user_data import register

        register()
