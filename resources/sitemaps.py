"""Sitemap section for the guides (the resources and career pages are in rvuedge.seo's pages)."""

from django.contrib.sitemaps import Sitemap

from .models import Guide


class GuideSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Guide.objects.published().order_by("order")

    def lastmod(self, item):
        return item.updated_at
