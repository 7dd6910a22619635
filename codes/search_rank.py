"""Ranking search results by clinical relevance: plain functions, no ORM.

A text match's score (how closely the typed words match a descriptor or a synonym) plus a prior
that says how likely a code is to be the one meant, from what the fee schedule and the editorial
content say about every code alike:

- editorial content: the curated codes are the ones clinicians look up most (the set was chosen
  that way), and their "also known as" names are how people ask for them;
- the kind of code: CPT Category I and HCPCS Level II services before Category III (emerging
  technology, T) and Category II (performance measurement, F, never paid);
- the status of the row: codes Medicare prices (A, R, T) before bundled, excluded, measurement or
  invalid ones; anesthesia codes (status J, the Anesthesia section) only when the query asks for
  anesthesia;
- physician work: a code with work RVUs is a physician's service, one without often a supply,
  a technical component or a reporting code.

The same weights give the SQL expression the PostgreSQL search adds to its score (`prior_sql`)
and the number the simple search adds to its own (`prior`), so both rank by one rule.
"""

from __future__ import annotations

import re
from decimal import Decimal

from . import categories
from .search_terms import WORD, Term, Word

CURATED = 0.3
KIND = {
    categories.CPT_CATEGORY_I: 0.0,
    categories.HCPCS_LEVEL_II: -0.1,
    categories.CPT_CATEGORY_III: -0.3,
    categories.CPT_CATEGORY_II: -0.6,
}
PRICED_STATUSES = ("A", "R", "T")
ANESTHESIA_STATUS = "J"
ANESTHESIA_CATEGORY = "Anesthesia"
NOT_PRICED = -0.3
ANESTHESIA_NOT_ASKED = -0.5
WORK = 0.1


def prior(
    *, kind: str, category: str, status: str | None, work_rvu: Decimal | None, curated: bool,
    anesthesia: bool,
) -> float:  # fmt: skip
    """How likely a code is the one meant, whatever the words: see the module docstring.
    `anesthesia` says whether the query asks for anesthesia."""
    priced = PRICED_STATUSES + ((ANESTHESIA_STATUS,) if anesthesia else ())
    return (
        (CURATED if curated else 0.0)
        + KIND.get(kind, 0.0)
        + (0.0 if status in priced else NOT_PRICED)
        + (WORK if work_rvu else 0.0)
        + (ANESTHESIA_NOT_ASKED if category == ANESTHESIA_CATEGORY and not anesthesia else 0.0)
    )


def prior_sql(*, kind: str, category: str, status: str, work_rvu: str, curated: str) -> str:
    """`prior` as a SQL expression over the given column expressions; the query parameter
    %(anesthesia)s says whether the query asks for anesthesia. The constants are this module's,
    never typed input."""
    kinds = " ".join(f"WHEN '{k}' THEN {w}" for k, w in KIND.items())
    priced = ", ".join(f"'{s}'" for s in PRICED_STATUSES)
    return f"""(
        CASE WHEN {curated} THEN {CURATED} ELSE 0 END
        + CASE {kind} {kinds} ELSE 0 END
        + CASE WHEN {status} IN ({priced})
                    OR ({status} = '{ANESTHESIA_STATUS}' AND %(anesthesia)s) THEN 0
               ELSE {NOT_PRICED} END
        + CASE WHEN {work_rvu} > 0 THEN {WORK} ELSE 0 END
        + CASE WHEN {category} = '{ANESTHESIA_CATEGORY}' AND NOT %(anesthesia)s
               THEN {ANESTHESIA_NOT_ASKED} ELSE 0 END
    )"""


# --- Text scores for the simple search (PostgreSQL computes its own with pg_trgm) --------------


def trigrams(text: str) -> set[str]:
    """The trigrams pg_trgm takes from a text: of each word, padded with two spaces before and
    one after."""
    found = set()
    for word in WORD.findall(text.lower()):
        padded = f"  {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return found


def similarity(a: set[str], b: set[str]) -> float:
    """pg_trgm's similarity(): shared trigrams over all trigrams of both texts."""
    return len(a & b) / len(a | b) if a and b else 0.0


def _pattern(word: Word) -> str:
    """A word found at the start of a word of the text (or whole); as PostgreSQL's parser does,
    letters joined by "/" are one token ("arthg/ct/mri" holds no word "mri", "e/m" is one)."""
    spellings = [re.escape(word.stem) + ("" if word.plain else r"(?![a-z0-9])")]
    spellings += [re.escape(short) + r"(?![a-z0-9])" for short in word.short_forms]
    return r"(?<![a-z0-9/])(?:" + "|".join(spellings) + ")"


class TextMatch:
    """The terms of one query, compiled, to score texts against.

    A text's score follows the PostgreSQL one: 1 when every term is found in it, plus the share
    of terms found (in place of word_similarity), plus half the trigram similarity of the typed
    text and the text.
    """

    def __init__(self, terms: tuple[Term, ...], typed: str):
        self.trigrams = trigrams(typed)
        self.terms = [
            [[re.compile(_pattern(word)) for word in phrasing] for phrasing in term]
            for term in terms
        ]

    def found(self, text: str) -> list[bool]:
        """For each term, whether the text holds it."""
        text = text.lower()
        return [
            any(all(p.search(text) for p in phrasing) for phrasing in term) for term in self.terms
        ]

    def score(self, text: str) -> tuple[bool, float]:
        """Whether the text holds every term, and its score."""
        found = self.found(text)
        share = sum(found) / len(found) if found else 0.0
        alike = similarity(self.trigrams, trigrams(text))
        return all(found), (1.0 if all(found) else 0.0) + share + 0.5 * alike

    def descriptor_score(self, short: str, long: str) -> float | None:
        """The score of a code's descriptors, or None when together they miss a term."""
        in_short = self.found(short)
        in_long = self.found(long[:200]) if long else [False] * len(in_short)
        if not all(s or lo for s, lo in zip(in_short, in_long, strict=True)):
            return None
        share = max(sum(in_short), 0.8 * sum(in_long)) / len(in_short)
        return 1.0 + share + 0.5 * similarity(self.trigrams, trigrams(short))

    def best_synonym(self, lines: list[str]) -> tuple[str | None, float | None]:
        """The best scoring synonym line and its score, the line only when it holds every term;
        (None, None) when the synonyms together miss a term."""
        if not lines or not all(self.found("\n".join(lines))):
            return None, None
        (every, score), _, line = max((self.score(line), -len(line), line) for line in lines)
        return (line if every else None), score
