from django import forms
from django.contrib import admin, messages
from django.db.models import Count

from . import services
from .models import Article, Question, StaffReply, Ticket, TicketMessage, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "topic", "position", "is_published", "helpful_yes", "helpful_no"]
    list_filter = ["topic", "is_published"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["helpful_yes", "helpful_no", "created_at", "updated_at"]
    view_on_site = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("topic")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["question", "position", "is_published"]
    list_editable = ["position", "is_published"]
    prepopulated_fields = {"slug": ["question"]}
    autocomplete_fields = ["article"]


class ThreadInline(admin.StackedInline):
    """The conversation so far, read-only: what was said stays said."""

    model = TicketMessage
    verbose_name = "message"
    verbose_name_plural = "conversation"
    extra = 0
    can_delete = False
    fields = ["created_at", "sender", "body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author").order_by("created_at", "pk")

    @admin.display(description="from")
    def sender(self, message):
        if message.from_staff:
            return f"Staff ({message.author.email if message.author else 'former staff'})"
        return message.ticket.email


class StaffReplyForm(forms.ModelForm):
    class Meta:
        model = StaffReply
        fields = ["body"]
        labels = {"body": "Your reply"}
        help_texts = {
            "body": "Saving emails this to the sender and sets the ticket to Waiting for you "
            "(or leaves it Closed if you chose Closed above). It cannot be edited afterwards."
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 8, "cols": 80})}


class StaffReplyInline(admin.StackedInline):
    """One empty box for a new reply. Saving it emails the user and sets the ticket waiting."""

    model = StaffReply
    form = StaffReplyForm
    extra = 1
    max_num = 1
    can_delete = False
    fields = ["body"]

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["reference", "email", "topic", "status", "message_count", "updated_at"]
    list_filter = ["status", "topic"]
    search_fields = ["reference", "email", "messages__body"]
    readonly_fields = [
        "reference",
        "user",
        "email",
        "topic",
        "created_at",
        "updated_at",
        "confirmation_sent_at",
        "staff_notified_at",
    ]
    fields = ["reference", "status", "topic", "email", "user", "created_at", "updated_at"]
    inlines = [ThreadInline, StaffReplyInline]
    date_hierarchy = "created_at"
    view_on_site = False  # the ticket page is the owner's alone

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(message_total=Count("messages"))

    @admin.display(description="messages", ordering="message_total")
    def message_count(self, ticket):
        return ticket.message_total

    def has_add_permission(self, request):
        return False  # tickets come from the contact form

    def save_formset(self, request, form, formset, change):
        if formset.model is not StaffReply:
            return super().save_formset(request, form, formset, change)
        ticket = form.instance
        closing = "status" in form.changed_data and ticket.status == Ticket.Status.CLOSED
        for reply_form in formset.forms:
            body = (reply_form.cleaned_data or {}).get("body", "").strip()
            if body:
                services.ticket_staff_reply(
                    ticket=ticket, author=request.user, body=body, close=closing
                )
                messages.info(request, f"Your reply is on its way to {ticket.email}.")
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        return None
