"""Blog list and post pages, and the staff-only Markdown preview used by the admin."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.functions import Lower
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from codes import releases
from rvuedge.markdown import MarkdownTooComplex

from ..models import Article, Post, Tag
from ..selectors import related_posts, render_body, rendered_body
from ..services import EDITORIAL_NAME

PREVIEW_MAX_CHARS = 200_000
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def json_ld(data: dict) -> str:
    """JSON for a <script type="application/ld+json"> element, safe inside HTML."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(_JSON_ESCAPES))  # escaped just above


class PostListView(ListView):
    template_name = "blog/post_list.html"
    context_object_name = "posts"
    paginate_by = 6

    def get_queryset(self):
        posts = (
            Post.objects.published()
            .select_related("author__author_profile")
            .prefetch_related("tags")
        )
        self.tag = None
        slug = self.request.GET.get("tag")
        if slug:
            self.tag = Tag.objects.filter(slug=slug).first()
            posts = posts.filter(tags=self.tag) if self.tag else posts.none()
        self.audience = self.request.GET.get("audience", "")
        if self.audience in Post.Audience.values and self.audience != Post.Audience.EVERYONE:
            posts = posts.for_audience(self.audience)
        else:
            self.audience = ""
        return posts

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for post in context["posts"]:
            post.reading_minutes = rendered_body(post).reading_minutes  # cached per post
        filters = {"tag": self.tag.slug if self.tag else "", "audience": self.audience}
        live = Post.objects.published()
        context.update(
            tag=self.tag,
            unknown_tag=bool(self.request.GET.get("tag")) and self.tag is None,
            audience=self.audience,
            audience_label=Post.Audience(self.audience).label if self.audience else "",
            audiences=[a for a in Post.Audience if a != Post.Audience.EVERYONE],
            tags=Tag.objects.filter(posts__in=live).distinct().order_by(Lower("name")),
            page_query=urlencode({k: v for k, v in filters.items() if v}),
            canonical_url=absolute_url(self.request.path)
            + (f"?{self.request.GET.urlencode()}" if self.request.GET else ""),
        )
        return context


def share_links(url: str, title: str) -> list[tuple[str, str]]:
    """Plain links to share a page: no third-party script is loaded."""
    return [
        ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url})),
        ("X", "https://twitter.com/intent/tweet?" + urlencode({"url": url, "text": title})),
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
        ("Email", "mailto:?" + urlencode({"subject": title, "body": url}, quote_via=quote)),
    ]


def article_json_ld(post: Article, url: str, image_url: str | None) -> str:
    profile = getattr(post.author, "author_profile", None)
    name = profile.display_name if profile else "RVU Edge"
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": post.title,
        "description": post.summary,
        "datePublished": post.publish_at,
        "dateModified": post.updated_at,
        "author": {"@type": "Organization" if name == EDITORIAL_NAME else "Person", "name": name},
        "publisher": {"@type": "Organization", "name": "RVU Edge", "url": absolute_url("/")},
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "keywords": [tag.name for tag in post.tags.all()],
    }
    if image_url:
        data["image"] = image_url
    return json_ld(data)


class ArticleView(DetailView):
    """An article (a post; resources' guides too): sanitized body, contents, reading time,
    author, related articles, share links."""

    model = Post
    noun = "blog post"
    related_heading = "Related posts"
    template_name = "blog/post_detail.html"
    context_object_name = "post"

    def get_object(self, queryset=None):
        posts = self.model.objects.select_related("author__author_profile")
        if not self.request.user.is_staff:
            posts = posts.published()
        # Staff may open a draft or a post scheduled for later, to check it before it goes out.
        return get_object_or_404(posts.prefetch_related("tags"), slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        post = self.object
        url = absolute_url(post.get_absolute_url())
        image_url = absolute_url(post.cover_image.url) if post.cover_image else None
        context.update(
            body=rendered_body(post),
            author_profile=getattr(post.author, "author_profile", None),
            related=related_posts(post),
            share_links=share_links(url, post.title),
            canonical_url=url,
            image_url=image_url,
            article_json_ld=article_json_ld(post, url, image_url),
            is_preview=not post.is_live,
            noun=self.noun,
            related_heading=self.related_heading,
        )
        return context


class PostDetailView(ArticleView):
    model = Post


@staff_member_required
@require_POST
def preview(request):
    """The admin's live preview: Markdown in, the sanitized HTML the page will show out."""
    text = request.POST.get("body", "")
    if len(text) > PREVIEW_MAX_CHARS:
        return HttpResponseBadRequest(f"The body is longer than {PREVIEW_MAX_CHARS} characters.")
    try:
        body = render_body(text, release_name=releases.current_name())
    except MarkdownTooComplex as exc:
        return HttpResponseBadRequest(str(exc))
    return render(request, "blog/_preview.html", {"body": body})
