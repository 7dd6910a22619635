"""The Markdown pipeline against hostile input: nothing executable survives.

Each output is parsed with html.parser and every tag, attribute and URL is checked against an
allow-list, rather than searched for known-bad strings, so a payload nobody thought of fails too.
"""

import html
import re
from html.parser import HTMLParser

import pytest

from blog.rendering import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    link_code_mentions,
    render_markdown,
    sanitize,
)

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/xss.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x OnErRoR=alert(1)>",
    '<img src="x" onerror="alert(1)"/>',
    "<img src=javascript:alert(1)>",
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "<img\nsrc=x\nonerror\n=\nalert(1)>",
    "<body onload=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg><set attributeName="onmouseover" to="alert(1)"/></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
    '<svg><use href="data:image/svg+xml,<svg id=x onload=alert(1)>#x"/></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x61;script:alert(1)">click</a>',
    '<a href="jav&#97;script:alert(1)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="  javascript:alert(1)">leading spaces</a>',
    '<a href="java\tscript:alert(1)">tab</a>',
    '<a href="java&#x09;script:alert(1)">entity tab</a>',
    '<a href="java\nscript:alert(1)">newline</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<a href="DATA:text/html,<script>alert(1)</script>">data upper</a>',
    "[markdown link](javascript:alert(1))",
    "[markdown link](JAVASCRIPT:alert(1))",
    "[entity link](jav&#x61;script:alert(1))",
    "![markdown image](javascript:alert(1))",
    '![img](x" onerror="alert(1))',
    "<iframe src=https://evil.example></iframe>",
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<object data=javascript:alert(1)></object>",
    '<embed src="javascript:alert(1)">',
    "<form action=javascript:alert(1)><button>go</button></form>",
    '<input autofocus onfocus="alert(1)">',
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    '<div style="background:url(javascript:alert(1))">styled</div>',
    '<div style="width: expression(alert(1))">expression</div>',
    "<style>@import 'javascript:alert(1)';</style>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<link rel=stylesheet href="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<td background="javascript:alert(1)">cell</td>',
    '<p onclick="alert(1)" onmouseover=alert(1)>paragraph</p>',
    '<h2 id="x" onmouseover="alert(1)">heading</h2>',
    '<h2 id="x&quot; onmouseover=&quot;alert(1)">heading with quoted id</h2>',
    '<a href="/ok" title="x" onclick="alert(1)">mixed</a>',
    "<<script>alert(1)//<</script>",
    '<img src="x` `<script>alert(1)</script>"` `>',
    "<img src=x onerror=alert(1)//",
    '<a href="http://example.com"<script>alert(1)</script>>broken</a>',
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<img src=x onerror=alert(1)>]]>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<template><script>alert(1)</script></template>",
    '<img src="x" srcset="javascript:alert(1) 1x">',
    '<a href="http://example.com" target="_blank" rel="opener">tabnab</a>',
    "<xss onafterscriptexecute=alert(1)><script>1</script>",
    '<a href="#" onclick="alert(1)" data-x="y" formaction="javascript:alert(1)">attrs</a>',
    "```html\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "Text 99213 <img src=x onerror=alert(1)> J3490",
]

SAFE_SCHEMES = {"http", "https", "mailto"}
# Attributes the sanitizer adds itself, on top of ALLOWED_ATTRIBUTES.
ADDED_ATTRIBUTES = {"a": {"rel", "class"}, "img": {"loading"}}
ALLOWED_CLASSES = {"heading-anchor", "code-link"}
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def url_is_safe(value: str) -> bool:
    """Relative or http(s)/mailto, judged as a browser would read it (entities decoded,
    whitespace and control characters removed)."""
    text = _CONTROL.sub("", html.unescape(value)).lower()
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", text)
    return scheme is None or scheme.group(1) in SAFE_SCHEMES


class AllowListChecker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def check(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
            return
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ADDED_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            value = value or ""
            if name not in allowed:
                self.problems.append(f"<{tag} {name}>")
            if name.startswith("on"):
                self.problems.append(f"event handler {name}")
            if name in {"href", "src"} and not url_is_safe(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "class" and set(value.split()) - ALLOWED_CLASSES:
                self.problems.append(f"class {value!r}")
            if name == "rel" and "opener" in value.split():
                self.problems.append("rel=opener")

    def handle_starttag(self, tag, attrs):
        self.check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self.check(tag, attrs)

    def handle_comment(self, data):
        self.problems.append("comment")

    def handle_decl(self, decl):
        self.problems.append(f"declaration {decl}")

    def unknown_decl(self, data):
        self.problems.append(f"declaration {data}")


def problems(output: str) -> list[str]:
    checker = AllowListChecker()
    checker.feed(output)
    checker.close()
    return checker.problems


def link_all_codes(html_text):
    return link_code_mentions(html_text, {"99213", "J3490"}, lambda code: f"/cpt-codes/{code}/")


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
@pytest.mark.parametrize(
    "pipeline",
    [render_markdown, sanitize, lambda text: link_all_codes(render_markdown(text))],
    ids=["markdown", "html", "markdown+code-links"],
)
def test_nothing_executable_survives(pipeline, payload):
    output = pipeline(payload)

    assert problems(output) == [], output
    # Stable: sanitizing the output again changes nothing (no mutation-XSS round trip).
    assert sanitize(output) == output


def test_the_checker_catches_what_it_is_meant_to_catch():
    # A test that cannot fail is worse than none: the allow-list must flag raw payloads.
    assert problems('<img src=x onerror="alert(1)">')
    assert problems('<a href="jav&#x61;script:alert(1)">x</a>')
    assert problems('<a href="  JAVA\tSCRIPT:alert(1)">x</a>')
    assert problems("<svg onload=alert(1)>")
    assert problems('<a href="data:text/html,x">x</a>')


def test_script_and_style_contents_are_dropped_not_shown_as_text():
    output = render_markdown("Before <script>alert('gone')</script><style>p{}</style> after")

    assert "gone" not in output and "p{}" not in output
    assert "Before" in output and "after" in output


def test_tables_code_images_and_heading_anchors_are_kept():
    text = (
        "## Where the number comes from\n\n"
        "| Code | wRVU |\n|:--|--:|\n| 99213 | 1.30 |\n\n"
        "```\nwork x units\n```\n\n"
        'Inline `code` and ![A chart](https://example.com/chart.png "Chart").\n\n'
        "[CMS](https://www.cms.gov/) and [a page](/resources/glossary/#status-code-a).\n"
    )

    output = render_markdown(text)

    assert '<h2 id="where-the-number-comes-from">' in output
    assert 'class="heading-anchor" href="#where-the-number-comes-from"' in output
    assert "<table>" in output and '<td align="right">1.30</td>' in output
    assert "<pre><code>work x units" in output and "<code>code</code>" in output
    assert '<img alt="A chart" src="https://example.com/chart.png" title="Chart"' in output
    assert 'loading="lazy"' in output
    assert '<a href="https://www.cms.gov/" rel="noopener noreferrer">CMS</a>' in output
    assert 'href="/resources/glossary/#status-code-a"' in output
    assert problems(output) == []
