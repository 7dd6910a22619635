from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "tracking"

    def ready(self):
        from tracking.user_data import register

        register()
