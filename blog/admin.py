"""Staff write posts here (resources' guides use the same ArticleAdmin), with a live preview of
the sanitized page beside the form."""

from django.contrib import admin
from django.urls import reverse

from .models import AuthorProfile, Post, Tag


@admin.register(AuthorProfile)
class AuthorProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user"]
    search_fields = ["display_name", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class ArticleAdmin(admin.ModelAdmin):
    """Posts here, guides in resources: the same form, with the live preview beside it."""

    change_form_template = "blog/admin/post_change_form.html"
    list_display = ["title", "status", "publish_at", "audience", "author"]
    list_filter = ["status", "audience", "tags"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tags"]
    date_hierarchy = "publish_at"
    readonly_fields = ["created_at", "updated_at"]
    publishing_fields = ["status", "publish_at", "author", "audience", "tags"]

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": ["title", "slug", "summary", "body"]}),
            ("Publishing", {"fields": self.publishing_fields}),
            ("Cover image", {"fields": ["cover_image", "cover_alt"]}),
            ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
        ]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("author", request.user.pk)
        return initial

    def render_change_form(self, request, context, *args, **kwargs):
        context["preview_url"] = reverse("blog:preview")
        return super().render_change_form(request, context, *args, **kwargs)


@admin.register(Post)
class PostAdmin(ArticleAdmin):
    pass
