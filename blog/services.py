"""Writes for the blog: the editorial author, and loading Markdown articles (the bundled posts
here; resources loads its guides with the same documents_load)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .models import Article, AuthorProfile, Post, Tag

EDITORIAL_NAME = "RVU Edge Editorial Team"
EDITORIAL_BIO = (
    "Physicians, coders and engineers who read the CMS fee schedule files so you do not have "
    "to. Every figure in our articles is computed from the published CMS release it names."
)
CONTENT_DIR = Path(__file__).resolve().parent / "content"
# Bundled posts carry a date; they go live at this local time on it.
PUBLISH_TIME = dt.time(9, 0)


def editorial_author_get_or_create():
    """The staff user that signs bundled content; it cannot sign in (unusable password)."""
    User = get_user_model()
    email = getattr(settings, "BLOG_EDITORIAL_EMAIL", "editorial@rvuedge.local")
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, career_stage="attending", is_staff=True, is_active=True)
        user.set_unusable_password()
        user.full_clean()
        user.save()
    elif not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    AuthorProfile.objects.get_or_create(
        user=user, defaults={"display_name": EDITORIAL_NAME, "bio": EDITORIAL_BIO}
    )
    return user


class ContentError(ValueError):
    pass


def read_document(path: Path) -> tuple[dict, str]:
    """(front matter, Markdown body) of a file that starts with a YAML block between ---."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        raise ContentError(f"{path.name}: no front matter (the file must start with ---)")
    try:
        _, front, body = text.split("---", 2)
    except ValueError:
        raise ContentError(f"{path.name}: the front matter is not closed with ---") from None
    meta = yaml.safe_load(front) or {}
    missing = [name for name in ("title", "slug", "summary") if not meta.get(name)]
    if missing:
        raise ContentError(f"{path.name}: front matter lacks {', '.join(missing)}")
    return meta, body.strip() + "\n"


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _publish_at(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, PUBLISH_TIME)
    else:
        moment = dt.datetime.combine(dt.date.fromisoformat(str(value)), PUBLISH_TIME)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _tags(names) -> list[Tag]:
    tags = []
    for name in names or []:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            tag = Tag.objects.create(name=name, slug=slugify(name))
        tags.append(tag)
    return tags


def _article_fields(model, meta: dict, body: str, path: Path, now) -> dict:
    audience = meta.get("audience", model.Audience.EVERYONE)
    if audience not in model.Audience.values:
        raise ContentError(f"{path.name}: unknown audience {audience!r}")
    publish_at = _publish_at(meta.get("published") or dt.date(2026, 1, 1))
    return {
        "title": meta["title"],
        "summary": meta["summary"],
        "body": body,
        "audience": audience,
        "status": model.Status.PUBLISHED if publish_at <= now else model.Status.SCHEDULED,
        "publish_at": publish_at,
    }


@transaction.atomic
def documents_load(
    *,
    model: type[Article],
    paths: Iterable[Path],
    extra_fields: Callable[[dict], dict] = lambda meta: {},
    dry_run: bool = False,
) -> LoadReport:
    """Create or update one article of `model` (Post, or resources' Guide) per Markdown file.

    Idempotent: a document whose fields already match is left alone, so its `updated_at` (and
    the cached HTML keyed on it) stays. The files are the source of these pages: edits made to
    them in the admin are replaced on the next load. `extra_fields(front matter)` gives the
    model's own fields. With dry_run, nothing is saved.
    """
    author = editorial_author_get_or_create()
    report = LoadReport()
    now = timezone.now()
    for path in paths:
        meta, body = read_document(path)
        fields = _article_fields(model, meta, body, path, now) | extra_fields(meta)
        article = model.objects.filter(slug=meta["slug"]).first()
        label = f"{model._meta.model_name}:{meta['slug']}"
        tag_names = sorted(str(name) for name in meta.get("tags") or [])
        if article is None:
            article = model(slug=meta["slug"], author=author, **fields)
            report.created.append(label)
        else:
            current_tags = sorted(article.tags.values_list("name", flat=True))
            same = all(getattr(article, name) == value for name, value in fields.items())
            if same and current_tags == tag_names:
                report.unchanged.append(label)
                continue
            for name, value in fields.items():
                setattr(article, name, value)
            report.updated.append(label)
        if dry_run:
            continue
        article.full_clean()
        article.save()
        article.tags.set(_tags(tag_names))
    if dry_run:
        transaction.set_rollback(True)
    return report


def content_load(*, directory: Path = CONTENT_DIR, dry_run: bool = False) -> LoadReport:
    """Create or update the blog posts bundled in `directory`/posts/*.md (see documents_load)."""
    paths = sorted((directory / "posts").glob("*.md"))
    return documents_load(model=Post, paths=paths, dry_run=dry_run)
