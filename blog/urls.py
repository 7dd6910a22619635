from django.urls import path

from rvuedge import edge_cache

from .feeds import LatestPostsAtomFeed, LatestPostsFeed
from .views import posts

app_name = "blog"

urlpatterns = [
    path(
        "",
        edge_cache.shared(posts.PostListView.as_view(), query=("tag", "audience", "page")),
        name="list",
    ),
    path("feed/", LatestPostsFeed(), name="rss"),
    path("feed/atom/", LatestPostsAtomFeed(), name="atom"),
    path("preview/", posts.preview, name="preview"),
    path("<slug:slug>/", edge_cache.shared(posts.PostDetailView.as_view()), name="detail"),
]
