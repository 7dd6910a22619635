"""Sitemap sections for the blog, the guides and the other pages this app serves."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Post


class PostSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.7

    def items(self):
        return Post.objects.published().posts().order_by("-publish_at")

    def lastmod(self, item):
        return item.updated_at


class GuideSitemap(PostSitemap):
    priority = 0.8

    def items(self):
        return Post.objects.published().guides().order_by("order")


class PagesSitemap(Sitemap):
    """Blog index, resources and career-stage pages."""

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
