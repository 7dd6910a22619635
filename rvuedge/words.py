"""Counts in words, so a page never says "1 rows have errors".

`counted(1, "row with an error", "rows with errors")` is "1 row with an error"; the plural is
the singular with an "s" unless given. Pure; the `counted` template filter of each app's tags
uses it too.
"""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The word that goes with `count`: singular for exactly one (and minus one)."""
    return singular if abs(count) == 1 else (plural_form or f"{singular}s")


def counted(count: int, singular: str, plural_form: str | None = None) -> str:
    """ "1 entry", "2 entries", "0 rows"."""
    return f"{count} {plural(count, singular, plural_form)}"
