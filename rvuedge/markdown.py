"""Markdown to safe HTML, for everything staff write (blog posts, guides, help articles).

The admin is one stolen password away from the public, so the HTML is sanitized all the same:
Markdown first, then nh3 with an allow-list of tags and attributes, URLs checked with every
space and control character removed, and no script, style, event handler or other scheme.

Python-Markdown is quadratic on some input (10,000 unclosed "[" take about 30 s), so a render
is bounded: by size before it starts, and by time while it runs (every inline pattern and
block processor checks a deadline before it does its work), with MarkdownTooComplex saying why.
The time is the rendering thread's processor time, so a busy machine does not make ordinary
text fail; the largest shipped article takes about 0.1 s.
"""

import re
import time
from functools import wraps

import markdown
import nh3
from markdown.extensions import Extension

MAX_CHARS = 200_000
TIME_LIMIT_SECONDS = 3.0


class MarkdownTooComplex(ValueError):
    """The text is too long, too deeply nested or too slow to render; the message says which."""


HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
ALLOWED_TAGS = HEADINGS | {
    "p", "br", "hr", "strong", "em", "b", "i", "s", "del", "ins", "sup", "sub", "small", "mark",
    "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "code", "pre", "kbd", "abbr",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "figure", "figcaption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "abbr": {"title"},
    "ol": {"start"},
    **{heading: {"id"} for heading in HEADINGS},
}
ALLOWED_CLASSES = {"a": {"heading-anchor", "code-link"}}
URL_SCHEMES = {"http", "https", "mailto"}

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
_NUMBER = re.compile(r"^\d{1,4}$")
_ALIGN = {"left", "right", "center"}


_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
_SPACE_OR_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def _url_is_allowed(value: str) -> bool:
    """Stricter than a browser: with every space and control character taken out, the URL
    must be relative or use an allowed scheme ("java   script:" is refused too)."""
    scheme = _SCHEME.match(_SPACE_OR_CONTROL.sub("", value).lower())
    return scheme is None or scheme.group(1) in URL_SCHEMES


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute in {"href", "src"}:
        return value if _url_is_allowed(value) else None
    if attribute == "id":
        return value if _ID.match(value) else None
    if attribute in {"width", "height", "colspan", "rowspan", "start"}:
        return value if _NUMBER.match(value) else None
    if attribute == "align":
        return value if value in _ALIGN else None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_attribute_filter,
    url_schemes=URL_SCHEMES,
    allowed_classes=ALLOWED_CLASSES,
    set_tag_attribute_values={"img": {"loading": "lazy"}},
    strip_comments=True,
    link_rel="noopener noreferrer",
)


def sanitize(html: str) -> str:
    return _cleaner.clean(html)


class _Deadline(Extension):
    """Makes every inline pattern and block processor check a deadline before it runs."""

    def __init__(self, seconds: float):
        super().__init__()
        self.deadline = time.thread_time() + seconds
        self.seconds = seconds

    def _checked(self, method):
        @wraps(method)
        def run_before_deadline(*args, **kwargs):
            if time.thread_time() > self.deadline:
                raise MarkdownTooComplex(
                    f"The text took longer than {self.seconds:g} seconds to render: look for "
                    "long runs of brackets or other unfinished Markdown."
                )
            return method(*args, **kwargs)

        return run_before_deadline

    def extendMarkdown(self, md):
        for pattern in md.inlinePatterns:
            pattern.handleMatch = self._checked(pattern.handleMatch)
        for processor in md.parser.blockprocessors:
            processor.run = self._checked(processor.run)


def _markdown(seconds: float) -> markdown.Markdown:
    # A Markdown instance keeps state between documents, so each render gets its own. The
    # deadline extension comes last, so it sees the other extensions' patterns too.
    return markdown.Markdown(
        extensions=["tables", "fenced_code", "sane_lists", "toc", _Deadline(seconds)],
        extension_configs={
            "tables": {"use_align_attribute": True},
            "toc": {
                "permalink": "#",
                "permalink_class": "heading-anchor",
                "permalink_title": "Link to this section",
                "toc_depth": "2-4",
            },
        },
        output_format="html",
    )


def render_markdown(text: str, *, seconds: float | None = None) -> str:
    """Markdown to sanitized HTML; MarkdownTooComplex when it is over MAX_CHARS characters,
    nested too deeply, or not done within `seconds` (TIME_LIMIT_SECONDS) of processor time."""
    if len(text) > MAX_CHARS:
        raise MarkdownTooComplex(
            f"The text is {len(text):,} characters long; the limit is {MAX_CHARS:,}."
        )
    try:
        html = _markdown(TIME_LIMIT_SECONDS if seconds is None else seconds).convert(text)
    except RecursionError:
        raise MarkdownTooComplex(
            "The text is nested too deeply (lists or quotes inside each other) to render."
        ) from None
    return sanitize(html)
