"""Markdown to safe HTML, and what a page reads from that HTML (contents, reading time, codes).

Posts are written by staff, but the output is treated as hostile all the same: whatever
Markdown (or raw HTML inside it) produces goes through nh3 with an allow-list of tags,
attributes and URL schemes. Everything after that (table of contents, code links) works on the
sanitized HTML, and the HTML with code links is sanitized once more before it is shown, so a
mistake in those steps cannot open a hole.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

from rvuedge.markdown import (  # noqa: F401  (re-exported for the blog's callers and tests)
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    HEADINGS,
    render_markdown,
    sanitize,
)

# ---------------------------------------------------------------------------------------------
# Reading the sanitized HTML back: headings, words and code mentions.


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


class _Outline(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings: list[Heading] = []
        self.words = 0
        self._heading: tuple[int, str] | None = None
        self._heading_text: list[str] = []
        self._anchor_depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in {"h2", "h3"} and attributes.get("id"):
            self._heading = (int(tag[1]), attributes["id"])
            self._heading_text = []
        if tag == "a" and "heading-anchor" in (attributes.get("class") or ""):
            self._anchor_depth += 1

    def handle_endtag(self, tag):
        if tag == "a" and self._anchor_depth:
            self._anchor_depth -= 1
        if self._heading and tag == f"h{self._heading[0]}":
            text = " ".join("".join(self._heading_text).split())
            self.headings.append(Heading(self._heading[0], self._heading[1], text))
            self._heading = None

    def handle_data(self, data):
        if self._anchor_depth:
            return
        self.words += len(data.split())
        if self._heading:
            self._heading_text.append(data)


WORDS_PER_MINUTE = 230


@dataclass(frozen=True)
class Outline:
    headings: list[Heading]
    words: int

    @property
    def reading_minutes(self) -> int:
        return max(1, math.ceil(self.words / WORDS_PER_MINUTE))


def outline(html: str) -> Outline:
    """The h2/h3 headings (for a table of contents) and the word count of sanitized HTML."""
    parser = _Outline()
    parser.feed(html)
    parser.close()
    return Outline(parser.headings, parser.words)


# CPT Category I (five digits), Category II (four digits + F), Category III (four digits + T),
# PLA codes (four digits + U) and HCPCS Level II (a letter and four digits).
CODE_PATTERN = re.compile(r"(?<![\w.$,-])(\d{5}|\d{4}[FTU]|[A-V]\d{4})(?![\w]|[.,]\d)")
# Text inside these is left alone: links stay links, code stays literal, headings stay plain.
_NO_LINK_TAGS = HEADINGS | {"a", "code", "pre", "kbd"}
_VOID_TAGS = {"br", "hr", "img"}


class _TextWalker(HTMLParser):
    """Rebuilds sanitized HTML exactly, passing each linkable text run through `on_text`."""

    def __init__(self, on_text):
        super().__init__(convert_charrefs=False)
        self.on_text = on_text
        self.out: list[str] = []
        self.skip: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text())
        if tag in _NO_LINK_TAGS:
            self.skip.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")
        if tag in self.skip:
            while self.skip and self.skip.pop() != tag:
                pass

    def handle_data(self, data):
        self.out.append(data if self.skip else self.on_text(data))

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")


def code_mentions(html: str) -> set[str]:
    """Codes mentioned in the linkable text of sanitized HTML."""
    found: set[str] = set()

    def collect(text):
        found.update(CODE_PATTERN.findall(text))
        return text

    walker = _TextWalker(collect)
    walker.feed(html)
    walker.close()
    return found


def link_code_mentions(html: str, known: set[str], url_for) -> str:
    """Sanitized HTML with each mention of a code in `known` turned into a link to its page.

    `url_for(code)` gives the page's URL. The result is sanitized again.
    """
    if not known:
        return html

    def replace(match):
        code = match.group(1)
        if code not in known:
            return match.group(0)
        return f'<a class="code-link" href="{escape(url_for(code))}">{code}</a>'

    walker = _TextWalker(lambda text: CODE_PATTERN.sub(replace, text))
    walker.feed(html)
    walker.close()
    return sanitize("".join(walker.out))
