from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from resources.views import calculators, career
from resources.views.benchmarks import benchmarks_page

from . import seo, views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("privacy/", views.StaticPage.as_view(template_name="pages/privacy.html"), name="privacy"),
    path("terms/", views.StaticPage.as_view(template_name="pages/terms.html"), name="terms"),
    path(
        "disclaimer/",
        views.StaticPage.as_view(template_name="pages/disclaimer.html"),
        name="disclaimer",
    ),
    path("blog/", include("blog.urls")),
    path("resources/", include("resources.urls")),
    path("medical-students/", career.students, name="medical_students"),
    path("residents/", career.residents, name="residents"),
    path("attendings/", career.attendings, name="attendings"),
    path("track/contracts/", include("contracts.urls")),
    path("track/statements/", include("statements.urls")),
    path("track/", include("tracking.urls")),
    path("support/", include("support.urls")),
    path("resources/wrvu-calculator/", calculators.wrvu_calculator, name="wrvu_calculator"),
    path("resources/benchmarks/", benchmarks_page, name="benchmarks"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file (no inline script, for the CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("rvuedge.api")),
    # Search before the code pages, so that "search" and "suggest" are never read as codes.
    path("cpt-codes/", include("codes.search_urls")),
    path("cpt-codes/", include("codes.urls")),
    path("sitemap.xml", seo.sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", seo.sitemap_section, name="sitemap-section"),
    path("robots.txt", seo.robots_txt, name="robots"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "rvuedge.views.not_found"
handler500 = "rvuedge.views.server_error"
