"""Help centre queries: topics with their articles, and search."""

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import Prefetch, Q, QuerySet

from .models import Article, Topic

MAX_QUERY_LENGTH = 100


def topics_with_articles() -> list[Topic]:
    """Topics that have published articles, each with `.published_articles` in order."""
    articles = Article.objects.published().order_by("position", "title")
    topics = Topic.objects.prefetch_related(
        Prefetch("articles", queryset=articles, to_attr="published_articles")
    )
    return [topic for topic in topics if topic.published_articles]


def _contains_every_word(query: str) -> QuerySet[Article]:
    articles = Article.objects.published()
    for word in query.split():
        articles = articles.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
        )
    return articles.order_by("topic__position", "position")


def article_search(query: str) -> QuerySet[Article]:
    """Published articles matching the words typed, best first.

    PostgreSQL: English full-text search (stemmed: "exporting" finds "export"), title weighted
    over summary over body; when that finds nothing (a fragment such as "two-fac"), every word
    as a substring. Elsewhere (SQLite): substrings only.
    """
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    if not query:
        return Article.objects.none()
    if settings.USING_POSTGRES:
        vector = (
            SearchVector("title", weight="A", config="english")
            + SearchVector("summary", weight="B", config="english")
            + SearchVector("body", weight="C", config="english")
        )
        search = SearchQuery(query, search_type="websearch", config="english")
        ranked = (
            Article.objects.published()
            .annotate(document=vector, rank=SearchRank(vector, search))
            .filter(document=search)
            .order_by("-rank", "title")
        )
        if ranked.exists():
            return ranked.select_related("topic")
    return _contains_every_word(query).select_related("topic")
