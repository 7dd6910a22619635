"""Warn when a note looks like it carries a patient identifier. Pure functions.

The product stores no patient data; a note is for the clinician's own context ("difficult
airway", "converted to open"). These patterns catch the identifiers people paste by habit.
"""

import re

PATTERNS = (
    (
        "a date of birth",
        re.compile(
            r"\b(?:DOB|D\.O\.B\.?|born)\b|\b(?:0?[1-9]|1[0-2])[/-](?:0?[1-9]|[12]\d|3[01])"
            r"[/-](?:19|20)?\d{2}\b|\b(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b",
            re.I,
        ),
    ),
    (
        "a medical record number",
        re.compile(r"\b(?:MRN|med(?:ical)?\s*rec(?:ord)?)\b|\b\d{7,10}\b", re.I),
    ),
    ("a social security number", re.compile(r"\b\d{3}-\d{2}-\d{4}\b|\bSSN\b", re.I)),
    ("a phone number", re.compile(r"(?:\+?1[\s.-]?)?\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b")),
    ("an email address", re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")),
)


def identifier_warnings(text: str) -> list[str]:
    """One sentence per kind of identifier the text seems to contain."""
    if not text:
        return []
    found = [label for label, pattern in PATTERNS if pattern.search(text)]
    return [
        f"This note looks like it contains {label}. Notes must not hold patient information."
        for label in found
    ]
