"""Site-wide SEO files: the sitemap index and sections, and robots.txt.

Each app contributes sitemap sections to SITEMAPS; add a section here (e.g. the blog's posts)
and it appears in /sitemap.xml with its pages.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import cache_page

from blog.sitemaps import PostSitemap
from codes.sitemaps import BrowseSitemap, CodeSitemap
from resources.sitemaps import GuideSitemap


class PagesSitemap(Sitemap):
    """The blog index, the resources pages, the career-stage pages and the disclaimer."""

    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return [
            "blog:list",
            "resources:index",
            "resources:glossary",
            "resources:payment_calculator",
            "medical_students",
            "residents",
            "attendings",
            "disclaimer",
        ]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "codes": CodeSitemap,
    "code-sections": BrowseSitemap,
    "blog": PostSitemap,
    "guides": GuideSitemap,
    "pages": PagesSitemap,
}
SITEMAP_SECONDS = 6 * 3600


def _site() -> str:
    return settings.SITE_URL.rstrip("/")


@cache_page(SITEMAP_SECONDS)
def sitemap_index(request):
    """Like django.contrib.sitemaps' index, with every URL on SITE_URL, one per page of each."""
    urls = []
    for section, sitemap_class in SITEMAPS.items():
        url = _site() + reverse("sitemap-section", kwargs={"section": section})
        pages = sitemap_class().paginator.num_pages
        urls.append(url)
        urls += [f"{url}?p={page}" for page in range(2, pages + 1)]
    return TemplateResponse(
        request,
        "sitemap_index.xml",
        {"sitemaps": [sitemap_views.SitemapIndexItem(url, None) for url in urls]},
        content_type="application/xml",
    )


@cache_page(SITEMAP_SECONDS)
def sitemap_section(request, section):
    return sitemap_views.sitemap(request, sitemaps=SITEMAPS, section=section)


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /track/",
        "Disallow: /api/",
        "Disallow: /cpt-codes/*/payment/",
        "",
        f"Sitemap: {_site()}/sitemap.xml",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain")
