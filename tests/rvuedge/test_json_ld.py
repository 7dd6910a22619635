import json
from decimal import Decimal

from rvuedge.json_ld import json_ld


def test_json_ld_cannot_close_its_script_element():
    text = json_ld({"name": "</script><!-- a & b", "price": Decimal("1.50"), "é": "ü"})

    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"name": "</script><!-- a & b", "price": "1.50", "é": "ü"}
