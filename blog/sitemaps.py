"""Sitemap section for the blog's posts."""

from django.contrib.sitemaps import Sitemap

from .models import Post


class PostSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.7

    def items(self):
        return Post.objects.published().order_by("-publish_at")

    def lastmod(self, item):
        return item.updated_at
