"""Guides were blog posts of kind "guide": move each one, with its tags, author, schedule and
timestamps, to resources.Guide, before blog drops the `kind` and `order` columns."""

from django.db import migrations

FIELDS = (
    "title", "slug", "summary", "body", "cover_image", "cover_alt", "audience", "status",
    "publish_at", "author_id",
)


def _move(source_rows, target_model, extra):
    for row in source_rows:
        copy = target_model.objects.create(
            **{name: getattr(row, name) for name in FIELDS}, **extra(row)
        )
        copy.tags.set(row.tags.all())
        # created_at and updated_at are stamped on save; put the article's own back.
        target_model.objects.filter(pk=copy.pk).update(
            created_at=row.created_at, updated_at=row.updated_at
        )
        row.delete()


def guides_to_resources(apps, schema_editor):
    Post = apps.get_model("blog", "Post")
    Guide = apps.get_model("resources", "Guide")
    guides = Post.objects.filter(kind="guide").prefetch_related("tags").order_by("pk")
    _move(guides, Guide, lambda row: {"order": row.order})


def guides_to_blog(apps, schema_editor):
    Post = apps.get_model("blog", "Post")
    Guide = apps.get_model("resources", "Guide")
    guides = Guide.objects.prefetch_related("tags").order_by("pk")
    _move(guides, Post, lambda row: {"kind": "guide", "order": row.order})


class Migration(migrations.Migration):

    dependencies = [
        ("blog", "0001_initial"),
        ("resources", "0001_initial"),
    ]
    run_before = [("blog", "0002_posts_only")]

    operations = [migrations.RunPython(guides_to_resources, guides_to_blog)]
