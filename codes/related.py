"""Which codes a code's page lists as related: clinical relatives, not numeric neighbours.

Pure: codes.selectors reads the candidates (the code's family and catch-all siblings) in one
query and passes them here. In order:
1. the codes an editor listed for the code (CodeContent.related), in the editor's order;
2. the base endoscopy of an endoscopy family code;
3. add-on codes (ZZZ) of a primary procedure, or the primaries of an add-on code, of the same
   family and sharing descriptor words;
4. for a catch-all code (unlisted procedure, unclassified drug, "NOC"), the other catch-all codes
   of its category;
5. codes of the same family whose descriptors are alike (codes.related.similarity: shared words
   weigh more the rarer they are in the family; "arthroplasty" implies a joint replaced with a
   prosthesis, so 27447 finds its revision codes, and nothing binds it to "Incision of thigh");
6. last, for any other code, the catch-all code of its family ("Unlisted px femur/knee").
A candidate whose descriptor is not alike is never listed unless an editor chose it.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

LIMIT = 8
ADD_ON = "ZZZ"
# How alike two descriptors must be (codes.related.similarity, 0 to 1) for a code of the family
# to be listed, and for an add-on and a primary procedure to be paired.
FAMILY_SIMILARITY = 0.2
PAIR_SIMILARITY = 0.3

# Catch-all codes: "Unlisted px femur/knee", "Drugs unclassified injection", "Compounded drug,
# noc". "Not otherwise specified" (NOS) names one drug in a generic form, not a catch-all.
CATCH_ALL = re.compile(r"\b(unlisted|unclassified|not otherwise classified|noc)\b", re.IGNORECASE)
# Words that carry no clinical meaning on their own in CMS descriptors.
STOP_WORDS = frozenset({
    "a", "an", "and", "or", "of", "the", "with", "w", "wo", "without", "to", "for", "in", "on",
    "by", "per", "each", "ea", "addl", "add", "other", "than", "not", "otherwise", "specified",
    "nos", "noc", "unlisted", "unclassified", "px", "proc", "procedure", "service", "svc",
    "code", "codes", "drug", "drugs", "injection", "inj", "up", "first", "initial", "mg", "ml",
    "mcg", "unit", "units", "min", "minute", "hr", "hour", "day",
})  # fmt: skip
# CMS's abbreviations, read as the word they stand for.
ABBREVIATIONS = {
    "o/p": "outpatient",
    "revise": "revision",
    "revj": "revision",
    "rev": "revision",
    "rpl": "replace",
    "replacement": "replace",
    "laps": "laparoscopic",
    "lap": "laparoscopic",
    "lapro": "laparoscopic",
    "perq": "percutaneous",
    "percut": "percutaneous",
    "abltj": "ablation",
    "ablate": "ablation",
    "dx": "diagnostic",
    "ntrbd": "interbody",
    "ntrbdy": "interbody",
    "hosp": "hospital",
    "xray": "x-ray",
    "vis": "visit",
    "outpt": "outpatient",
    "njx": "injection",
}
# A word that stands for others in CMS's descriptors: a total knee "arthroplasty" is the knee
# joint "replace"d with a "prosthesis", which its revision and removal codes are described by.
IMPLIES = {
    "arthroplasty": ("joint", "replace", "prosthesis"),
    "replace": ("prosthesis",),
    "colonoscopy": ("colon",),
    "cholecystectomy": ("gallbladder",),
    "electrocardiogram": ("ecg",),
    "ecg": ("electrocardiogram",),
}
_WORD = re.compile(r"o/p|[a-z0-9]+(?:-[a-z0-9]+)*")

BASE_ENDOSCOPY = "base endoscopy"
ADD_ON_CODE = "add-on"
PRIMARY_CODE = "primary"
CATCH_ALL_CODE = "catch-all"
FAMILY = "family"


@dataclass(frozen=True)
class Candidate:
    code: str
    descriptor: str  # the short descriptor: the words are read from it (CMS's terse style)
    global_days: str = ""  # "" when the code has no row in the release
    work_rvu: Decimal | None = None
    long_descriptor: str = ""  # read for catch-all wording only ("Unclassified drugs")

    @property
    def add_on(self) -> bool:
        return self.global_days == ADD_ON

    @functools.cached_property
    def catch_all(self) -> bool:
        return bool(CATCH_ALL.search(f"{self.descriptor} | {self.long_descriptor}"))


@dataclass(frozen=True)
class Relative:
    candidate: Candidate
    relation: str  # BASE_ENDOSCOPY, ADD_ON_CODE, PRIMARY_CODE, CATCH_ALL_CODE or FAMILY
    curated: bool = False  # an editor listed it


@functools.lru_cache(maxsize=32768)  # a family's descriptors are read again for each page
def words(text: str) -> frozenset[str]:
    """The meaningful words of a descriptor, abbreviations expanded, plurals singular."""
    found = set()
    for word in _WORD.findall(text.lower()):
        word = ABBREVIATIONS.get(word, word)
        if word.endswith("s") and len(word) > 3 and not word.endswith("ss"):
            word = word[:-1]
        if word not in STOP_WORDS and not word.isdigit() and len(word) > 1:
            found.add(word)
            found.update(IMPLIES.get(word, ()))
    return frozenset(found)


def _weights(pool: Sequence[Candidate]) -> dict[str, float]:
    """How telling a shared word is within the family: rare words weigh more."""
    counts = Counter(word for c in pool for word in words(c.descriptor))
    total = len(pool) + 1
    return {word: math.log(total / n) + 0.1 for word, n in counts.items()}


def relation_of(code: Candidate, other: Candidate, *, base: str = "") -> str:
    """How `other` relates to `code`, as a fact of the data (for the label beside it)."""
    if base and other.code == base:
        return BASE_ENDOSCOPY
    if other.add_on and not code.add_on:
        return ADD_ON_CODE
    if code.add_on and not other.add_on and other.global_days:
        return PRIMARY_CODE
    if other.catch_all:
        return CATCH_ALL_CODE
    return FAMILY


def related_codes(
    code: Candidate,
    candidates: Sequence[Candidate],
    *,
    curated: Sequence[str] = (),
    endoscopic_base: str = "",
    limit: int = LIMIT,
) -> list[Relative]:
    """The codes to list as related to `code`, best first (see the module docstring)."""
    others = {c.code: c for c in candidates if c.code != code.code}
    ranked = _ranked(code, list(others.values()))
    chosen: dict[str, Relative] = {}
    last = _family_catch_all(code, ranked)  # listed last, in the last place if need be
    room = limit - 1 if last else limit
    for relative in _in_order(code, others, ranked, curated, endoscopic_base):
        if len(chosen) == room:
            break
        if last and relative.candidate.code == last.candidate.code:
            continue
        chosen.setdefault(relative.candidate.code, relative)
    if last:
        chosen[last.candidate.code] = last
    return list(chosen.values())


def _family_catch_all(code: Candidate, ranked) -> Relative | None:
    """For a code that is not a catch-all, the nearest catch-all code of its family that shares
    its words ("Unlisted px femur/knee" for 27447); `ranked`: _ranked's list."""
    if code.catch_all:
        return None
    alike = [c for c, score in ranked if score >= FAMILY_SIMILARITY and c.catch_all]
    nearest = sorted(alike, key=lambda c: _distance(code.code, c.code))
    return Relative(nearest[0], CATCH_ALL_CODE) if nearest else None


def _in_order(code: Candidate, others: dict[str, Candidate], ranked, curated, base: str):
    """Every candidate worth listing, in the order of the module docstring (with repeats)."""
    for wanted in curated:
        if wanted in others:
            yield Relative(others[wanted], relation_of(code, others[wanted], base=base), True)
    if base in others:
        yield Relative(others[base], BASE_ENDOSCOPY)
    for candidate, score in ranked:
        relation = relation_of(code, candidate)
        if score >= PAIR_SIMILARITY and relation in (ADD_ON_CODE, PRIMARY_CODE):
            yield Relative(candidate, relation)
    if code.catch_all:  # its siblings share no word but "unlisted" or "unclassified"
        yield from (Relative(c, CATCH_ALL_CODE) for c, _ in ranked if c.catch_all)
    for candidate, score in ranked:
        if score >= FAMILY_SIMILARITY and not candidate.catch_all:
            yield Relative(candidate, FAMILY)


def similarity(mine: frozenset[str], theirs: frozenset[str], weights: dict[str, float]) -> float:
    """Weighted Dice: twice the weight of the shared words over the weight of both sets."""
    total = sum(weights.get(w, 0) for w in mine) + sum(weights.get(w, 0) for w in theirs)
    if not total:
        return 0.0
    return 2 * sum(weights.get(w, 0) for w in mine & theirs) / total


def _ranked(code: Candidate, others: list[Candidate]) -> list[tuple[Candidate, float]]:
    """Every candidate with its similarity to `code`, most similar first, then by nearness in
    code order (a tie between 99212 and 99215 goes to the nearer)."""
    mine = words(code.descriptor)
    weights = _weights([code, *others])
    scored = [(other, similarity(mine, words(other.descriptor), weights)) for other in others]
    return sorted(scored, key=lambda pair: (-round(pair[1], 6), _distance(code.code, pair[0].code)))


def _distance(a: str, b: str) -> int:
    if a.isdigit() and b.isdigit():
        return abs(int(a) - int(b))
    if a[:1] == b[:1] and a[1:].isdigit() and b[1:].isdigit():
        return abs(int(a[1:]) - int(b[1:]))
    return 10**6
