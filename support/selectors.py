"""Help centre queries: topics with their articles, and search."""

import re

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import Prefetch, Q

from .models import Article, Topic

MAX_QUERY_LENGTH = 100
_WORD = re.compile(r"[a-z0-9]+")

# What people type for what the articles call something else: a typed word finds an article
# through itself or any of these. True equivalences only, in lower case; several words make a
# phrase.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "pdf": ("report", "print"),
    "export": ("download",),
    "download": ("export",),
    "excel": ("xlsx", "spreadsheet"),
    "spreadsheet": ("csv", "xlsx"),
    "password": ("sign in",),
    "login": ("sign in",),
    "signin": ("sign in",),
    "reset": ("forgot",),
    "forgot": ("reset",),
    "wrong": ("differ", "incorrect", "mismatch", "match"),
    "incorrect": ("wrong", "differ"),
    "mismatch": ("differ", "match"),
    "wrvu": ("work rvu", "credit"),
    "wrvus": ("work rvu", "credit"),
    "2fa": ("two factor", "authenticator"),
    "mfa": ("two factor", "authenticator"),
    "delete": ("close", "remove"),
    "cancel": ("delete", "close"),
}
# Words that say nothing about a topic (PostgreSQL's English configuration drops them too).
STOP_WORDS = frozenset({
    "a", "an", "and", "are", "can", "do", "does", "for", "how", "i", "in", "is", "it", "my", "of",
    "on", "or", "the", "to", "what", "when", "where", "why", "with", "you", "your",
})  # fmt: skip
FIELD_WEIGHTS = (("title", 3), ("summary", 2), ("body", 1))  # as the A, B, C weights below


def topics_with_articles() -> list[Topic]:
    """Topics that have published articles, each with `.published_articles` in order."""
    articles = Article.objects.published().order_by("position", "title")
    topics = Topic.objects.prefetch_related(
        Prefetch("articles", queryset=articles, to_attr="published_articles")
    )
    return [topic for topic in topics if topic.published_articles]


def search_words(query: str) -> list[str]:
    """The words of a query, stop words left out (unless nothing else was typed)."""
    words = _WORD.findall(" ".join(query.split())[:MAX_QUERY_LENGTH].lower())
    return [w for w in words if w not in STOP_WORDS] or words


def spellings(word: str) -> tuple[str, ...]:
    """The word and what else it may be written as."""
    return (word, *SYNONYMS.get(word, ()))


def tsquery(words: list[str]) -> str:
    """Any word, or any of its synonyms (phrases in order), as a to_tsquery() text; words of
    three letters or more match as prefixes. Words come from _WORD and SYNONYMS: no quoting."""

    def spelling(text: str) -> str:
        parts = text.split()
        if len(parts) > 1:
            return "(" + " <-> ".join(parts) + ")"
        return f"{text}:*" if len(text) >= 3 else text

    return " | ".join(spelling(s) for word in words for s in spellings(word))


def article_search(query: str) -> list[Article]:
    """Published articles matching any of the words typed (or a synonym of one), best first.

    PostgreSQL: English full-text search (stemmed: "exporting" finds "export"), title weighted
    over summary over body, so an article holding more of the words, or holding them in its
    title, comes first; when that finds nothing (a fragment such as "two-fac"), substrings.
    Elsewhere (SQLite): substrings only, ranked the same way by where each word is found.
    """
    words = search_words(query)
    if not words:
        return []
    if settings.USING_POSTGRES:
        vector = (
            SearchVector("title", weight="A", config="english")
            + SearchVector("summary", weight="B", config="english")
            + SearchVector("body", weight="C", config="english")
        )
        search = SearchQuery(tsquery(words), search_type="raw", config="english")
        ranked = list(
            Article.objects.published()
            .annotate(document=vector, rank=SearchRank(vector, search))
            .filter(document=search)
            .select_related("topic")
            .order_by("-rank", "title")
        )
        if ranked:
            return ranked
    return _containing_any_word(words)


def _containing_any_word(words: list[str]) -> list[Article]:
    """Articles holding any word (or a synonym) at the start of one of theirs, ranked by
    _substring_score."""
    match = Q()
    for word in words:
        for text in spellings(word):
            match |= Q(title__icontains=text) | Q(summary__icontains=text) | Q(body__icontains=text)
    patterns = [_word_start(word) for word in words]
    scored = [
        (score, article)
        for article in Article.objects.published().filter(match).select_related("topic")
        if (score := _substring_score(article, patterns))
    ]
    scored.sort(key=lambda s: (-s[0], s[1].topic.position, s[1].position))
    return [article for _, article in scored]


def _word_start(word: str) -> re.Pattern:
    texts = "|".join(re.escape(text) for text in spellings(word))
    return re.compile(rf"(?<![a-z0-9])(?:{texts})")


def _substring_score(article: Article, patterns: list[re.Pattern]) -> int:
    """Each word counts once, by the best field holding it (or a synonym of it) at the start of
    a word: 3 in the title, 2 in the summary, 1 in the body."""
    return sum(
        max(
            (w for name, w in FIELD_WEIGHTS if pattern.search(getattr(article, name).lower())),
            default=0,
        )
        for pattern in patterns
    )
