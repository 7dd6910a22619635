"""Help centre (topics, articles, frequently asked questions) and support tickets."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from rvuedge import edge_cache


class Topic(models.Model):
    """A group of help articles, shown as one section of the help centre."""

    title = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.CharField(
        max_length=200, blank=True, help_text="One line under the topic's heading."
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")

    class Meta:
        ordering = ["position", "title"]

    def __str__(self):
        return self.title


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Article(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="articles")
    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    summary = models.CharField(
        max_length=300, help_text="One or two sentences, shown in lists and search results."
    )
    body = models.TextField(help_text="Markdown. Scripts and unsafe links are removed.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order within the topic.")
    is_published = models.BooleanField("published", default=True)
    helpful_yes = models.PositiveIntegerField(default=0, editable=False)
    helpful_no = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["topic__position", "position", "title"]
        indexes = [models.Index(fields=["topic", "position"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("support:article", args=[self.slug])


class Question(models.Model):
    """A frequently asked question. The answer is plain text: it is also the FAQPage JSON-LD."""

    slug = models.SlugField(max_length=100, unique=True)
    question = models.CharField(max_length=200)
    answer = models.TextField(help_text="Plain text, a short paragraph.")
    article = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Optional: the help article that says more.",
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_published = models.BooleanField("published", default=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.question


class TicketTopic(models.TextChoices):
    ACCOUNT = "account", "Account and sign-in"
    LOGGING = "logging", "Logging procedures and wRVU credit"
    CODES = "codes", "Codes, RVUs and payment"
    DATA = "data", "Exporting or deleting my data"
    PROBLEM = "problem", "Something is not working"
    IDEA = "idea", "A suggestion"
    OTHER = "other", "Something else"


class TicketQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)


class Ticket(models.Model):
    """A request to the team. Its messages hold the conversation, the first one included."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WAITING = "waiting", "Waiting for you"
        CLOSED = "closed", "Closed"

    reference = models.CharField(max_length=12, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="support_tickets",
        help_text="Empty when sent by someone not signed in.",
    )
    email = models.EmailField(help_text="Where replies are sent.")
    topic = models.CharField(max_length=16, choices=TicketTopic.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Claimed by the notification task, so a task run twice sends each email once.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    staff_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "waiting", "closed"]),
                name="support_ticket_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-updated_at"]),
            models.Index(fields=["status", "-updated_at"]),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("support:ticket", args=[self.reference])

    @property
    def first_message(self):
        return self.messages.order_by("created_at", "pk").first()


class TicketMessage(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,  # a staff member leaving keeps the user's thread whole
        related_name="+",
    )
    from_staff = models.BooleanField(default=False)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Claimed by the notification task (staff reply -> user, user reply -> staff).
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self):
        sender = "Staff" if self.from_staff else "Sender"
        if self.created_at is None:
            return sender
        return f"{sender}, {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class StaffReply(TicketMessage):
    """The admin's "add a reply" inline: a new staff message, sent through the service."""

    class Meta:
        proxy = True
        verbose_name = "reply"
        verbose_name_plural = "reply to the user"


# The help centre's topics, articles and questions show on shared pages: a change is served at
# once (a "was this helpful" vote is an update() and changes nothing shown).
edge_cache.changes_with(Topic, Article, Question)
