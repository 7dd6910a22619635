from django.urls import path, re_path

from . import views

app_name = "codes"

CODE = r"(?P<code>[A-Za-z0-9]{1,10})"

urlpatterns = [
    path("", views.browse_index, name="browse"),
    path("browse/<slug:slug>/", views.browse_section, name="section"),
    re_path(rf"^{CODE}/$", views.code_detail, name="detail"),
    re_path(rf"^{CODE}/payment/$", views.code_payment, name="payment"),
    # The original site's addresses: /cpt-codes/<category-slug>/<CODE>/.
    re_path(rf"^(?P<slug>[a-z0-9-]+)/{CODE}/$", views.old_code_address, name="old_address"),
]
