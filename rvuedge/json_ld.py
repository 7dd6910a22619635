"""JSON for <script type="application/ld+json"> elements: the structured data search engines
read on code pages and the help centre's FAQ.

Django's json_script filter makes a <script type="application/json"> element only, and the
escape table it uses is private (django.utils.html._json_script_escapes), so the site keeps
its own: the three characters that could end the element or open a comment inside it.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data) -> SafeString:
    """`data` as compact JSON that nothing in it can break out of its script element."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(SCRIPT_ESCAPES))
