"""Cover images: the type is read from the file's first bytes, never from its name.

The stored name takes its extension from the sniffed type, so a file is always served with the
content type of what it really is.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

MAX_COVER_BYTES = 2 * 1024 * 1024


def sniff_image_type(head: bytes) -> str | None:
    """ "png", "jpeg" or "webp" from a file's first 12 bytes, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _head(file, size=12) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(size)
    file.seek(position)
    return head


def validate_cover_image(file):
    limit = getattr(settings, "BLOG_COVER_MAX_BYTES", MAX_COVER_BYTES)
    if file.size > limit:
        raise ValidationError(
            f"The image is {filesizeformat(file.size)}; the limit is {filesizeformat(limit)}.",
            code="too_large",
        )
    if sniff_image_type(_head(file)) is None:
        raise ValidationError(
            "Upload a PNG, JPEG or WebP image (the file's contents are not one of these).",
            code="invalid_type",
        )


def cover_upload_to(instance, filename):
    kind = sniff_image_type(_head(instance.cover_image.file)) or "bin"
    extension = {"jpeg": "jpg"}.get(kind, kind)
    return f"blog/covers/{instance.slug or 'post'}-{uuid.uuid4().hex[:8]}.{extension}"
