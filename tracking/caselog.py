"""The case log's pure rules: the PGY label of an academic year, the rotation of an entry.

No ORM here: selectors.py reads the rows and hands these functions plain values.
"""

from __future__ import annotations

import re

NO_ROTATION = "No rotation"
# A rotation named in a note: "#surgery", "#peds-er", "#Internal_Medicine".
ROTATION_TAG = re.compile(r"(?<![\w&])#([A-Za-z][\w-]{0,39})")


def pgy_label(pgy: int | None, academic_year: str) -> str:
    """ "PGY-2 (2025-26)"; "Before residency (2023-24)" for a medical-school year; the academic
    year alone when no residency start is known."""
    if pgy is None:
        return academic_year
    if pgy < 1:
        return f"Before residency ({academic_year})"
    return f"PGY-{pgy} ({academic_year})"


def rotation_of(location: str | None, note: str | None) -> str:
    """The rotation an entry belongs to: a #tag in its note (the first), else its location's
    name, else "No rotation". A tag wins, as one hospital hosts many rotations."""
    tag = ROTATION_TAG.search(note or "")
    if tag:
        words = re.sub(r"[-_]+", " ", tag.group(1)).strip()
        return words[:1].upper() + words[1:]
    return (location or "").strip() or NO_ROTATION
