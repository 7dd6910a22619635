"""Sitemap sections for code pages and browse pages (rvuedge.seo lists every app's sections)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap

from . import browse
from .models import Code


class SiteUrlSitemap(Sitemap):
    """Absolute URLs on settings.SITE_URL (the canonical host), whatever host was asked."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class CodeSitemap(SiteUrlSitemap):
    """Every code page, 5,000 to a sitemap file (the index lists each page)."""

    limit = 5000
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Code.objects.order_by("code").values_list("code", flat=True)

    def location(self, item):
        return f"/cpt-codes/{item}/"


class BrowseSitemap(SiteUrlSitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return ["/cpt-codes/", *(section.url for section in browse.SECTIONS)]

    def location(self, item):
        return item
