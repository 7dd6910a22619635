from django.urls import path

from .feeds import LatestPostsAtomFeed, LatestPostsFeed
from .views import posts

app_name = "blog"

urlpatterns = [
    path("", posts.PostListView.as_view(), name="list"),
    path("feed/", LatestPostsFeed(), name="rss"),
    path("feed/atom/", LatestPostsAtomFeed(), name="atom"),
    path("preview/", posts.preview, name="preview"),
    path("<slug:slug>/", posts.PostDetailView.as_view(), name="detail"),
]
