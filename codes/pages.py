"""A code page's body, rendered once per data version and kept as HTML fragments, and the
warming that renders every page of a new version before visitors ask for it.

A code page's body is the same for everyone who picks the same locality, so it is rendered once
per data version (codes.selectors.page_state), code and locality and cached as fragments; the
view (codes.views.code_detail) renders what depends on the visitor around them.

A new data version (a release imported, editorial content or NCCI edits changed, or the page
state expiring after a day) leaves every page to be rendered again: tens of milliseconds of a
core each, some twenty thousand pages. `warm` renders the national pages of the current version
that the cache lacks, in batches, stopping when the version changes under it; the beat runs it
every few minutes (codes.tasks.warm_code_pages), so a page is rendered by the worker rather than
by the first visitor's request.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from rvuedge.json_ld import json_ld

from . import cache as codes_cache
from . import selectors
from .models import Code

WARM_BATCH = 200


def _canonical(code: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('codes:detail', args=[code])}"


def _structured_data(page: selectors.CodePage, url: str) -> str:
    system = "HCPCS" if page.kind == "hcpcs2" else "CPT"
    items = [
        {
            "@context": "https://schema.org",
            "@type": "MedicalCode",
            "codeValue": page.code,
            "codingSystem": system,
            "name": page.title,
            "description": page.text.summary,
            "url": url,
        }
    ]
    if page.text.faqs:
        items.append(
            {
                "@context": "https://schema.org",
                "@type": "FAQPage",
                "mainEntity": [
                    {
                        "@type": "Question",
                        "name": faq.question,
                        "acceptedAnswer": {"@type": "Answer", "text": faq.answer},
                    }
                    for faq in page.text.faqs
                ],
            }
        )
    return json_ld(items)


def _history_chart(page: selectors.CodePage) -> dict:
    """Chart series: work RVU and the national office amount (facility when office is NA)."""
    office = [p.non_facility for p in page.history]
    setting, amounts = "office", office
    if all(a is None for a in office):
        setting, amounts = "facility", [p.facility for p in page.history]
    return {
        "labels": [p.release for p in page.history],
        # Decimal strings: the chart script turns them into numbers for drawing only.
        "work": [str(p.work_rvu) for p in page.history],
        "payment": [str(a) if a is not None else None for a in amounts],
        "payment_label": f"National {setting} payment ($)",
    }


def render_fragments(page: selectors.CodePage) -> dict:
    url = _canonical(page.code)
    description = page.text.summary
    if len(description) > 155:
        description = description[:152].rsplit(" ", 1)[0] + "..."
    context = {
        "page": page,
        "canonical": url,
        "description": description,
        "structured_data": _structured_data(page, url),
        "chart": _history_chart(page),
    }
    return {
        "title": page.title,
        "description": description,
        "head": render_to_string("codes/_code_head.html", context),
        "header": render_to_string("codes/_code_header.html", context),
        "main": render_to_string("codes/_code_main.html", context),
        "payment": render_to_string("codes/_payment_card.html", context),
    }


def page_cache_key(code: str, locality: str | None, version: str | None = None) -> str:
    """Cache key of a code page's fragments: data version (the current one unless given), code,
    locality."""
    version = version or selectors.page_state().version
    return codes_cache.page_key(version, code, locality, settings.SHOW_AMA_DESCRIPTORS)


def fragments(code: str, locality: str | None) -> dict | None:
    def render():
        page = selectors.code_page(code, locality_key=locality)
        return render_fragments(page) if page is not None else None

    return codes_cache.remember(page_cache_key(code, locality), codes_cache.PAGE_SECONDS, render)


# --- Warming ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Warmed:
    version: str
    codes: int  # pages of the version looked at
    rendered: int  # rendered now (the rest were cached already, or have no page)
    finished: bool  # every code looked at; False when the version changed or time ran out
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self) | {"seconds": round(self.seconds, 1)}


def warm(*, shard: int = 0, shards: int = 1, max_seconds: float | None = None) -> Warmed:
    """Render the national page of every code (every `shards`-th from `shard`, so that several
    processes can share the work) that the current data version lacks. Stops when the version
    changes (that version's own run renders it) or after `max_seconds`."""
    started = time.monotonic()
    version = selectors.page_state().version
    codes = list(Code.objects.order_by("code").values_list("code", flat=True))[shard::shards]
    rendered = looked = 0
    for at in range(0, len(codes), WARM_BATCH):
        if selectors.page_state().version != version:
            break
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            break
        batch = codes[at : at + WARM_BATCH]
        keys = {page_cache_key(code, None, version): code for code in batch}
        present = codes_cache.present(list(keys))
        if present is None:  # the cache is down: nothing rendered now would be kept
            break
        for key, code in keys.items():
            if key not in present:
                rendered += fragments(code, None) is not None
        looked += len(batch)
    finished = looked == len(codes)
    return Warmed(version, looked, rendered, finished, time.monotonic() - started)
