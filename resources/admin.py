from django.contrib import admin

from blog.admin import ArticleAdmin

from .models import Guide


@admin.register(Guide)
class GuideAdmin(ArticleAdmin):
    list_display = ["title", "order", *ArticleAdmin.list_display[1:]]
    publishing_fields = [*ArticleAdmin.publishing_fields, "order"]
