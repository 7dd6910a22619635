"""RSS 2.0 and Atom feeds of the latest published posts."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import Post

FEED_SIZE = 20


class LatestPostsFeed(Feed):
    title = "RVU Edge blog"
    description = (
        "Work RVUs, Medicare payment and the CMS physician fee schedule, explained from the "
        "published files."
    )

    def link(self):
        return reverse("blog:list")

    def items(self):
        return (
            Post.objects.published()
            .select_related("author__author_profile")
            .prefetch_related("tags")[:FEED_SIZE]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        profile = getattr(item.author, "author_profile", None)
        return profile.display_name if profile else "RVU Edge"

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = Atom1Feed
    subtitle = LatestPostsFeed.description

    def link(self):
        return reverse("blog:list")
