"""Blog posts, their tags and authors, and the Article base that resource guides share.

A post appears on /blog/, in the feeds and the sitemap once it is published, or once the publish
time of a scheduled post has passed: `Post.objects.published()` compares with the clock at query
time, so nothing has to run for a scheduled post to go live.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from rvuedge import edge_cache

from .validators import cover_upload_to, validate_cover_image

# Addresses under /blog/ that are not posts.
RESERVED_POST_SLUGS = {"feed", "preview"}


class AuthorProfile(models.Model):
    """The public face of a staff author: the name and short bio shown under their posts."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="author_profile",
        limit_choices_to={"is_staff": True},
    )
    display_name = models.CharField(max_length=100, help_text="Shown as the post's byline.")
    bio = models.TextField(max_length=600, blank=True, help_text="Two or three plain sentences.")

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.display_name


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{reverse('blog:list')}?tag={self.slug}"


class ArticleQuerySet(models.QuerySet):
    def published(self, *, now=None):
        """Published, or scheduled with a publish time that has come."""
        now = now or timezone.now()
        return self.filter(
            status__in=[Article.Status.PUBLISHED, Article.Status.SCHEDULED], publish_at__lte=now
        )

    def for_audience(self, audience):
        """Articles written for the audience, and those written for everyone."""
        return self.filter(audience__in=[audience, Article.Audience.EVERYONE])


class Article(models.Model):
    """What a blog post and a resource guide share: a Markdown body with a title, summary, cover,
    audience and a publishing schedule. Each kind adds its author, tags and address."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        STUDENTS = "students", "Medical students"
        RESIDENTS = "residents", "Residents"
        ATTENDINGS = "attendings", "Attendings"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200, unique=True, help_text="The last part of the page's address."
    )
    summary = models.CharField(
        max_length=400,
        help_text="One or two sentences: the list card, the meta description and the feeds.",
    )
    body = models.TextField(
        help_text="Markdown. Tables, code, images by URL and headings are kept; scripts and "
        "inline event handlers are removed."
    )
    cover_image = models.FileField(
        upload_to=cover_upload_to,
        blank=True,
        validators=[validate_cover_image],
        help_text="PNG, JPEG or WebP, at most 2 MB.",
    )
    cover_alt = models.CharField(
        "cover image description",
        max_length=200,
        blank=True,
        help_text="What the cover image shows, for screen readers.",
    )
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        "publish time",
        null=True,
        blank=True,
        help_text="When a scheduled article goes live. Set to now when it is published.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-publish_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "scheduled", "published"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(audience__in=["everyone", "students", "residents", "attendings"]),
                name="%(app_label)s_%(class)s_audience_valid",
            ),
            # An article that is or will be live has a time it went (or goes) live.
            models.CheckConstraint(
                condition=Q(status="draft") | Q(publish_at__isnull=False),
                name="%(app_label)s_%(class)s_live_has_publish_at",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "publish_at"], name="%(app_label)s_%(class)s_live")
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED and not self.publish_at:
            self.publish_at = timezone.now()
        super().save(*args, **kwargs)

    def clean(self):
        if self.status == self.Status.SCHEDULED and not self.publish_at:
            raise ValidationError({"publish_at": "A scheduled article needs a publish time."})

    @property
    def is_live(self):
        return (
            self.status in (self.Status.PUBLISHED, self.Status.SCHEDULED)
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )


class Post(Article):
    """A blog post: listed on /blog/, in the feeds and the sitemap once it is live."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="blog_posts",
        limit_choices_to={"is_staff": True},
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")

    class Meta(Article.Meta):
        pass

    def get_absolute_url(self):
        return reverse("blog:detail", args=[self.slug])

    def clean(self):
        if self.slug in RESERVED_POST_SLUGS:
            raise ValidationError({"slug": f"“{self.slug}” is taken by a blog page; pick another."})
        super().clean()


# Posts, their tags and authors show on shared pages: a change is served at once.
edge_cache.changes_with(AuthorProfile, Tag, Post)
