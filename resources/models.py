"""Resource guides: long-form reference pages under /resources/guides/, ordered by hand.

A guide is written and published like a blog post (blog.models.Article: Markdown body, cover,
audience, schedule) and shares the blog's tags, but it is not a post: it is not in the blog's
list or feeds, and it has a place on the resources page.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from blog.models import Article, Tag
from rvuedge import edge_cache


class Guide(Article):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="guides",
        limit_choices_to={"is_staff": True},
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="guides")
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Position on the resources page (lowest first)."
    )

    class Meta(Article.Meta):
        pass

    def get_absolute_url(self):
        return reverse("resources:guide", args=[self.slug])


# Guides show on shared pages (the resources index and each guide): a change is served at once.
edge_cache.changes_with(Guide)
