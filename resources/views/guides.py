"""The resources index, the guides and the glossary."""

from django.shortcuts import render

from blog.views.posts import ArticleView, absolute_url

from ..glossary import glossary_groups
from ..models import Guide


def index(request):
    guides = Guide.objects.published().order_by("order", "title")
    return render(
        request,
        "resources/index.html",
        {"guides": guides, "canonical_url": absolute_url(request.path)},
    )


class GuideDetailView(ArticleView):
    model = Guide
    noun = "resource guide"
    related_heading = "Related guides"
    template_name = "resources/guide_detail.html"


def glossary(request):
    groups = glossary_groups()
    return render(
        request,
        "resources/glossary.html",
        {
            "groups": groups,
            "term_count": sum(len(group.terms) for group in groups),
            "canonical_url": absolute_url(request.path),
        },
    )
