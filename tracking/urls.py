from django.urls import path

from . import dashboard_views, views, views_import, views_reports

app_name = "tracking"

urlpatterns = [
    path("", views.tracker, name="tracker"),
    path("dashboard/", dashboard_views.dashboard_page, name="dashboard"),
    path("goals/", dashboard_views.goals, name="goals"),
    path("goals/days-off/<int:pk>/delete/", dashboard_views.day_off_delete, name="day_off_delete"),
    path("goals/tiers/<int:pk>/delete/", dashboard_views.tier_delete, name="tier_delete"),
    path("case-log/", dashboard_views.case_log, name="case_log"),
    path("case-log.csv", dashboard_views.case_log_csv, name="case_log_csv"),
    path("preview/", views.preview, name="preview"),
    path("history/", views.history, name="history"),
    path("history/delete/", views.bulk_delete, name="bulk_delete"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/delete/", views.entry_delete, name="entry_delete"),
    path("favorites/<str:code>/", views.favorite_toggle, name="favorite_toggle"),
    path("templates/", views.templates_list, name="templates"),
    path("templates/<int:pk>/delete/", views.template_delete, name="template_delete"),
    path("templates/<int:pk>/log/", views.template_log, name="template_log"),
    path("locations/", views.locations, name="locations"),
    path("locations/<int:pk>/", views.location_edit, name="location_edit"),
    path("policy/", views.policy, name="policy"),
    path("reprice/", views.reprice, name="reprice"),
    path("reprice/<int:pk>/undo/", views.reprice_undo, name="reprice_undo"),
    path("reports/", views_reports.reports, name="reports"),
    path("reports/entries.<str:fmt>", views_reports.export, name="export"),
    path("reports/backup.json", views_reports.backup_download, name="backup"),
    path("reports/restore/", views_reports.restore, name="restore"),
    path("import/", views_import.upload, name="import"),
    path("import/<int:pk>/", views_import.job_detail, name="import_job"),
    path("import/<int:pk>/columns/", views_import.mapping, name="import_map"),
    path("import/<int:pk>/run/", views_import.run, name="import_run"),
    path("import/<int:pk>/progress/", views_import.progress, name="import_progress"),
]
