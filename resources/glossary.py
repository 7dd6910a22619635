"""The fee schedule glossary: one plain definition per term, read from content/glossary.json."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.text import slugify

GLOSSARY_FILE = Path(__file__).resolve().parent / "content" / "glossary.json"
# The categories of glossary.json in page order, with their headings.
GLOSSARY_CATEGORIES = {
    "payment": "Payment",
    "status code": "Status codes",
    "global days": "Global days",
    "indicator": "Payment-policy indicators",
    "modifier": "Modifiers",
}


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
