from django.urls import path

from contracts import views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="list"),
    path("new/", views.contract_create, name="create"),
    path("pay/", views.pay_page, name="pay"),
    path("compare/", views.compare, name="compare"),
    path("compare.pdf", views.compare_pdf, name="compare_pdf"),
    path("planner/", views.planner, name="planner"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/edit/", views.contract_edit, name="edit"),
    path("<int:pk>/delete/", views.contract_delete, name="delete"),
]
