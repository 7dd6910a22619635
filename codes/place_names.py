"""Medicare locality names as people write them: CMS's files spell them in capitals
("LOS ANGELES-LONG BEACH-ANAHEIM (LOS ANGELES/ORANGE CNTY)", "DC + MD/VA SUBURBS"); pages show
"Los Angeles-Long Beach-Anaheim (Los Angeles/Orange Cnty)" and "DC + MD/VA Suburbs".

Pure: no ORM. The raw name stays what the file says (the API returns both).
"""

from __future__ import annotations

import re

# Postal codes of the states, DC and the territories CMS prices. "IN" and "OR" are left out:
# in CMS's locality and county text they are the words "in" and "or" ("Prince George's in
# Maryland"), never Indiana or Oregon.
STATE_CODES = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "HI", "ID", "IL", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
    "NM", "NY", "NC", "ND", "OH", "OK", "PA", "PR", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
    "VA", "VI", "WA", "WV", "WI", "WY", "GU", "AS", "MP",
})  # fmt: skip
ABBREVIATIONS = frozenset({"NYC", "USA", "US"}) | STATE_CODES
# Short words kept lower case inside a name ("Rest of Texas", "All Counties in Virginia").
MINOR_WORDS = frozenset({"OF", "AND", "IN", "OR", "THE", "AT", "BY", "FOR", "ON", "TO"})

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


def _word(word: str, first: bool) -> str:
    upper = word.upper()
    if upper in ABBREVIATIONS or len(upper) == 1:
        return upper  # "NYC", "MD", the "N" of "N NYC Suburbs"
    if upper in MINOR_WORDS and not first:
        return upper.lower()
    head, _, tail = upper.partition("'")
    cased = head.capitalize()
    # An apostrophe ends the word for casing: "George's", "O'Hare" keeps its capital.
    return f"{cased}'{tail.lower() if len(tail) == 1 else tail.capitalize()}" if tail else cased


def display_name(raw: str) -> str:
    """A locality (or fee schedule area, or county list) name in its proper case.

    Footnote marks CMS appends ("ALASKA*", "MONTANA**") and stray spaces are dropped.
    """
    text = " ".join(raw.replace("*", " ").split())
    out, last = [], 0
    for index, match in enumerate(_WORD.finditer(text)):
        out.append(text[last : match.start()])
        out.append(_word(match.group(), first=index == 0))
        last = match.end()
    out.append(text[last:])
    return "".join(out)
