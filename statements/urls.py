from django.urls import path

from statements import views

app_name = "statements"

urlpatterns = [
    path("", views.statement_list, name="list"),
    path("<int:pk>/", views.statement_detail, name="detail"),
    path("<int:pk>/columns/", views.statement_columns, name="columns"),
    path("<int:pk>/progress/", views.statement_progress, name="progress"),
    path("<int:pk>/again/", views.statement_again, name="again"),
    path("<int:pk>/delete/", views.statement_delete, name="delete"),
    path("<int:pk>/dispute.pdf", views.dispute_pdf, name="dispute_pdf"),
    path("<int:pk>/dispute.csv", views.dispute_csv, name="dispute_csv"),
]
