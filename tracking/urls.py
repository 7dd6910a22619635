from django.urls import path

from .views import dashboard, entry, imports, reports

app_name = "tracking"

urlpatterns = [
    path("", entry.tracker, name="tracker"),
    path("dashboard/", dashboard.dashboard_page, name="dashboard"),
    path("goals/", dashboard.goals, name="goals"),
    path("goals/days-off/<int:pk>/delete/", dashboard.day_off_delete, name="day_off_delete"),
    path("goals/tiers/<int:pk>/delete/", dashboard.tier_delete, name="tier_delete"),
    path("case-log/", dashboard.case_log, name="case_log"),
    path("case-log.csv", dashboard.case_log_csv, name="case_log_csv"),
    path("preview/", entry.preview, name="preview"),
    path("pay/", entry.pay_prompt, name="pay_prompt"),
    path("history/", entry.history, name="history"),
    path("history/delete/", entry.bulk_delete, name="bulk_delete"),
    path("entries/<int:pk>/", entry.entry_detail, name="entry"),
    path("entries/<int:pk>/edit/", entry.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/delete/", entry.entry_delete, name="entry_delete"),
    path("favorites/<str:code>/", entry.favorite_toggle, name="favorite_toggle"),
    path("templates/", entry.templates_list, name="templates"),
    path("templates/<int:pk>/delete/", entry.template_delete, name="template_delete"),
    path("templates/<int:pk>/log/", entry.template_log, name="template_log"),
    path("locations/", entry.locations, name="locations"),
    path("locations/<int:pk>/", entry.location_edit, name="location_edit"),
    path("policy/", entry.policy, name="policy"),
    path("reprice/", entry.reprice, name="reprice"),
    path("reprice/<int:pk>/undo/", entry.reprice_undo, name="reprice_undo"),
    path("reports/", reports.reports, name="reports"),
    path("reports/entries.<str:fmt>", reports.export, name="export"),
    path("reports/backup.json", reports.backup_download, name="backup"),
    path("reports/restore/", reports.restore, name="restore"),
    path("reports/restore/<int:pk>/", reports.restore_job, name="restore_job"),
    path("reports/restore/<int:pk>/progress/", reports.restore_progress, name="restore_progress"),
    path("reports/restore/<int:pk>/again/", reports.restore_again, name="restore_again"),
    path("import/", imports.upload, name="import"),
    path("import/<int:pk>/", imports.job_detail, name="import_job"),
    path("import/<int:pk>/columns/", imports.mapping, name="import_map"),
    path("import/<int:pk>/run/", imports.run, name="import_run"),
    path("import/<int:pk>/progress/", imports.progress, name="import_progress"),
    path("import/<int:pk>/again/", imports.again, name="import_again"),
]
