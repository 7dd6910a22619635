from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "statements"
    verbose_name = "Employer statements"

    def ready(self):
        from statements import user_data
        from tracking.sections import TrackerSection, register_section

        user_data.register()
        # The tracker's menu links here; tracking never imports statements.
        register_section(TrackerSection("Statements", "statements:list", for_trainees=False))
