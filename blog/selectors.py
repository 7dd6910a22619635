"""Read-side queries for articles (posts, and resources' guides): the rendered body (cached) and
related articles."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Q

from codes import releases
from codes.models import RelativeValue, Release

from .models import Article
from .rendering import Heading, code_mentions, link_code_mentions, outline, render_markdown

BODY_CACHE_SECONDS = 24 * 3600
BODY_CACHE_VERSION = 2


def code_page_url(code: str) -> str:
    return f"/cpt-codes/{code}/"


@dataclass(frozen=True)
class RenderedBody:
    html: str
    headings: list[Heading]
    reading_minutes: int


def codes_in_current_release(release_name: str | None, candidates: set[str]) -> set[str]:
    """Which of the candidate codes the current release has: one query."""
    if not release_name or not candidates:
        return set()
    return set(
        RelativeValue.objects.filter(
            release__name=release_name,
            release__status=Release.Status.CURRENT,
            release__is_qp=False,
            code__code__in=candidates,
        )
        .values_list("code__code", flat=True)
        .distinct()
    )


def rendered_body(post: Article) -> RenderedBody:
    """The article's sanitized HTML with code links, its headings and reading time.

    Cached per article version and current release: a new release can add or remove the codes
    the article mentions, and an edit changes `updated_at`.
    """
    release_name = releases.current_name()
    key = (
        f"blog:body:v{BODY_CACHE_VERSION}:{post._meta.label_lower}:{post.pk}:{post.updated_at.timestamp():.6f}:"
        f"{release_name or '-'}"
    )
    body = cache.get(key)
    if body is None:
        body = render_body(post.body, release_name=release_name)
        cache.set(key, body, BODY_CACHE_SECONDS)
    return body


def render_body(text: str, *, release_name: str | None) -> RenderedBody:
    html = render_markdown(text)
    known = codes_in_current_release(release_name, code_mentions(html))
    html = link_code_mentions(html, known, code_page_url)
    shape = outline(html)
    return RenderedBody(html=html, headings=shape.headings, reading_minutes=shape.reading_minutes)


def related_posts(post: Article, *, limit: int = 3) -> list[Article]:
    """Live articles of the same model (posts, or guides) sharing the most tags with this one,
    newest first on ties."""
    tag_ids = list(post.tags.values_list("pk", flat=True))
    return list(
        type(post)
        .objects.published()
        .exclude(pk=post.pk)
        .annotate(shared=Count("tags", filter=Q(tags__in=tag_ids), distinct=True))
        .filter(Q(shared__gt=0) | Q(audience=post.audience))
        .order_by("-shared", "-publish_at")
        .select_related("author__author_profile")[:limit]
    )
