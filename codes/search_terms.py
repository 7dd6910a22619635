"""The words of a search, read the way the code set writes them: plain functions and two small
tables, no ORM, shared by the PostgreSQL and the SQLite search.

A query is a sequence of terms, every one required. A term is what one typed word (or a typed
pair such as "e/m" or "cat scan") may mean: any of its phrasings. A phrasing is words that must
all be found, in any order. A word is found as the start of a word of the text ("lap" finds
"laparoscopic"), or as one of the short forms CMS uses in its 28-character short descriptors
("lwr" for lower), which are found whole.

So "mri knee" reads as (mri or magnetic resonance) and (knee/kne or lower/lwr extremity/extr
joint/jnt/jt) and finds 73721, "Mri jnt of lwr extre w/o dye": CPT names imaging of the knee
"any joint of lower extremity". The tables are meant to be read, and grown, by people who know
the vocabulary: every entry must be a true equivalence, never a way to pull one code up.

Misspellings: on PostgreSQL trigram similarity forgives them; elsewhere `Vocabulary` corrects a
word that starts no word of the code set's text to the closest one (difflib).
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

WORD = re.compile(r"[a-z0-9]+")
# Words people type that say nothing about the service (PostgreSQL's English configuration
# drops them too).
STOP_WORDS = frozenset({"a", "an", "and", "for", "in", "of", "on", "or", "the", "to", "with"})

# A typed word or pair -> what it may mean, its own spelling included when it is searchable.
# Keys are compared word by word, so "e/m", "e&m" and "e m" are the same key.
PHRASES: dict[str, tuple[str, ...]] = {
    "mri": ("mri", "magnetic resonance"),
    "ct": ("ct", "computed tomography"),
    "cat scan": ("ct", "computed tomography"),
    "ekg": ("ekg", "ecg", "electrocardiogram"),
    "ecg": ("ecg", "ekg", "electrocardiogram"),
    "e/m": ("e/m", "evaluation management", "office visit"),
    "em": ("e/m", "evaluation management", "office visit"),
    # CPT imaging names a joint of a limb, not the joint itself ("any joint of lower extremity").
    "knee": ("knee", "lower extremity joint"),
    "hip": ("hip", "lower extremity joint"),
    "ankle": ("ankle", "lower extremity joint"),
    "shoulder": ("shoulder", "upper extremity joint"),
    "elbow": ("elbow", "upper extremity joint"),
    "wrist": ("wrist", "upper extremity joint"),
}

# A word -> the short forms CMS writes it as in short descriptors (each one common there).
SHORT_FORMS: dict[str, tuple[str, ...]] = {
    "knee": ("kne",),
    "joint": ("jnt", "jt"),
    "lower": ("lwr",),
    "upper": ("upr", "uppr"),
    "extremity": ("extr", "extre", "extrem", "extrm"),
    "arthroscopy": ("arthrs",),
    "arthroplasty": ("arthrp",),
    "replacement": ("repl",),
    "removal": ("rmvl", "rmv", "remv"),
    "repair": ("rpr",),
    "revision": ("revj",),
    "biopsy": ("bx",),
    "injection": ("inj", "njx"),
    "diagnostic": ("dx",),
    "treatment": ("tx",),
    "fracture": ("fx",),
    "catheter": ("cath",),
    "laparoscopic": ("lap", "laps"),
    "evaluation": ("eval",),
    "anesthesia": ("anes", "anesth"),
    "patient": ("pt",),
    "established": ("est",),
    "visit": ("vst",),
    "contrast": ("dye", "cntrst"),
    "abdomen": ("abd",),
    "total": ("tot",),
}

# Word endings left out when matching, so that "replacement" finds "replace" and "injections"
# "injection" (PostgreSQL stems words itself).
_SUFFIXES = ("ments", "ment", "ings", "ing", "ions", "ion", "ies", "es", "s", "ed")
_ANESTHESIA = ("anes", "anaes")


@dataclass(frozen=True)
class Word:
    """One word to find: `text` as the start of a word, or one of its short forms whole.

    `typed` says the person typed it, rather than a table supplying it: only a typed word may be
    an abbreviation ("lap"), so only typed words are prefixes for PostgreSQL (a prefix costs the
    full-text index far more than a word; the English stemmer still matches other endings).
    """

    text: str
    short_forms: tuple[str, ...] = ()
    typed: bool = True

    @property
    def plain(self) -> bool:
        """Letters and digits, three or more: a word whose start is matched ("e/m" is one
        token of the text, matched whole)."""
        return len(self.text) >= 3 and self.text.isalnum()

    @property
    def prefix(self) -> bool:
        """Whether PostgreSQL matches `text` as a prefix."""
        return self.typed and self.plain

    @property
    def stem(self) -> str:
        return stem(self.text) if self.plain else self.text


Phrasing = tuple[Word, ...]  # every word required
Term = tuple[Phrasing, ...]  # any phrasing


def stem(word: str) -> str:
    """The word without a common ending, keeping at least four letters."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def words_of(text: str) -> tuple[str, ...]:
    return tuple(WORD.findall(text.lower()))


_PHRASE_KEYS = {words_of(key): meanings for key, meanings in PHRASES.items()}
_LONGEST_KEY = max(len(key) for key in _PHRASE_KEYS)


def _phrasing(text: str, typed: tuple[str, ...]) -> Phrasing:
    return tuple(
        Word(w, SHORT_FORMS.get(w, ()), typed=w in typed)
        for w in text.split()
        if w not in STOP_WORDS
    )


def terms(words: Iterable[str]) -> tuple[Term, ...]:
    """The terms of the typed words: each word, or pair found in PHRASES, with what it may mean.
    Stop words are left out unless nothing else was typed."""
    words = tuple(words)
    kept = tuple(w for w in words if w not in STOP_WORDS) or words
    found: list[Term] = []
    i = 0
    while i < len(kept):
        for size in range(min(_LONGEST_KEY, len(kept) - i), 0, -1):
            key = kept[i : i + size]
            if key in _PHRASE_KEYS:
                found.append(tuple(_phrasing(m, key) for m in _PHRASE_KEYS[key]))
                i += size
                break
        else:
            found.append(((Word(kept[i], SHORT_FORMS.get(kept[i], ())),),))
            i += 1
    return tuple(found)


def about_anesthesia(words: Iterable[str]) -> bool:
    """Whether the query asks for anesthesia services (otherwise they rank lower)."""
    return any(word.startswith(_ANESTHESIA) for word in words)


def tsquery(query_terms: tuple[Term, ...]) -> str:
    """The terms as a PostgreSQL to_tsquery() text: words of three letters or more match as
    prefixes, short forms whole. The words come from WORD and the tables, so they need no
    quoting."""

    def word(w: Word) -> str:
        spellings = [f"{w.text}:*" if w.prefix else w.text, *w.short_forms]
        return spellings[0] if len(spellings) == 1 else "(" + " | ".join(spellings) + ")"

    def phrasing(p: Phrasing) -> str:
        return " & ".join(word(w) for w in p)

    def term(t: Term) -> str:
        return (
            phrasing(t[0]) if len(t) == 1 else "(" + " | ".join(f"({phrasing(p)})" for p in t) + ")"
        )

    return " & ".join(term(t) for t in query_terms)


class Vocabulary:
    """The words of a release's descriptors and synonyms, to correct misspelt query words."""

    MIN_LENGTH = 4
    CUTOFF = 0.8  # difflib ratio: "colonscopy" against "colonoscopy" is 0.95

    def __init__(self, texts: Iterable[str]):
        found = {w for t in texts for w in WORD.findall(t.lower()) if len(w) >= self.MIN_LENGTH}
        tables = (*PHRASES, *(m for meanings in PHRASES.values() for m in meanings), *SHORT_FORMS)
        found |= {w for t in tables for w in words_of(t) if len(w) >= self.MIN_LENGTH}
        self.words = tuple(sorted(w for w in found if w.isalpha()))
        # Misspellings keep their first letter far more often than not: comparing only with
        # the words sharing it makes a correction a few milliseconds.
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        for w in self.words:
            self._by_initial[w[0]].append(w)

    def knows(self, word: str) -> bool:
        """Whether the word starts a word of the vocabulary ("colono" or "colonoscopy"). Not
        its stem: "replacment" less "ment" starts "replacing", yet it is misspelt."""
        i = bisect.bisect_left(self.words, word)
        return i < len(self.words) and self.words[i].startswith(word)

    def correct(self, word: str) -> str:
        """The closest word of the vocabulary with the same first letter; `word` itself when it
        is known, short or not letters, or when nothing is close enough."""
        if len(word) < self.MIN_LENGTH or not word.isalpha() or self.knows(word):
            return word
        close = difflib.get_close_matches(word, self._by_initial.get(word[0], ()), 1, self.CUTOFF)
        return close[0] if close else word
