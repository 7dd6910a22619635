"""Resources: the index, guides, the glossary and the Medicare payment calculator."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify

from codes.selectors import current_release, localities_for_release

from ..calculator import quote_row
from ..forms import PaymentCalculatorForm
from ..models import Post
from .posts import ArticleView, absolute_url

GLOSSARY_FILE = Path(__file__).resolve().parents[1] / "content" / "glossary.json"
# The categories of glossary.json in page order, with their headings.
GLOSSARY_CATEGORIES = {
    "payment": "Payment",
    "status code": "Status codes",
    "global days": "Global days",
    "indicator": "Payment-policy indicators",
    "modifier": "Modifiers",
}


def index(request):
    guides = Post.objects.published().guides().order_by("order", "title")
    return render(
        request,
        "resources/index.html",
        {"guides": guides, "canonical_url": absolute_url(request.path)},
    )


class GuideDetailView(ArticleView):
    kind = Post.Kind.GUIDE
    template_name = "resources/guide_detail.html"


@cache
def glossary_terms() -> list[dict]:
    return json.loads(GLOSSARY_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class GlossaryGroup:
    category: str
    heading: str
    terms: list[dict]

    @property
    def slug(self) -> str:
        return slugify(self.category)


def glossary_groups() -> list[GlossaryGroup]:
    groups = defaultdict(list)
    for term in glossary_terms():
        groups[term["category"]].append(term)
    order = list(GLOSSARY_CATEGORIES) + sorted(set(groups) - set(GLOSSARY_CATEGORIES))
    return [
        GlossaryGroup(name, GLOSSARY_CATEGORIES.get(name, name.capitalize()), groups[name])
        for name in order
        if name in groups
    ]


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


def payment_calculator(request):
    """Medicare payment for a code in a locality: a GET form; htmx swaps in the result only."""
    release = current_release()
    locality_set = localities_for_release(release) if release else None
    localities = list(locality_set.localities) if locality_set else []
    form = PaymentCalculatorForm(request.GET or None, release=release, localities=localities)
    quote = None
    if form.is_bound and form.is_valid():
        quote = quote_row(
            form.cleaned_data["row"],
            release=release,
            locality_set=locality_set,
            locality=form.cleaned_data["locality_obj"],
            setting=form.cleaned_data["setting"],
        )
    context = {
        "form": form,
        "quote": quote,
        "release": release,
        "locality_set": locality_set,
        "canonical_url": absolute_url(request.path),
    }
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-Boosted")
    template = "_calculator_result.html" if partial else "payment_calculator.html"
    response = render(request, f"resources/{template}", context)
    patch_vary_headers(response, ["HX-Request"])
    return response
