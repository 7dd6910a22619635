"""Writes for resources: loading the bundled guides (content/guides/*.md)."""

from __future__ import annotations

from pathlib import Path

from blog.services import LoadReport, documents_load

from .models import Guide

CONTENT_DIR = Path(__file__).resolve().parent / "content"


def guide_fields(meta: dict) -> dict:
    return {"order": int(meta.get("order", 0))}


def guides_load(*, directory: Path = CONTENT_DIR, dry_run: bool = False) -> LoadReport:
    """Create or update the guides in `directory`/guides/*.md, signed by the editorial team.

    Idempotent, like the blog's posts (blog.services.documents_load): the files are the source.
    """
    paths = sorted((directory / "guides").glob("*.md"))
    return documents_load(model=Guide, paths=paths, extra_fields=guide_fields, dry_run=dry_run)
