"""Code search: what a clinician types ("99213", "9921", "knee replacement", "lap chole",
"cholecystectmy") to the codes of a release, best first.

On PostgreSQL one SQL statement gathers candidates from indexes and ranks them:

- exact code (the unique index), then code prefix (a varchar_pattern_ops index);
- full text over the short and long descriptors (a GIN index on a to_tsvector expression) and
  over the editorial synonyms, every word required, each word of three letters or more matched
  as a prefix so that abbreviations ("lap chole", "tot knee") find the full words;
- trigram word similarity (pg_trgm GIN indexes) for misspellings ("cholecystectmy"), in the
  short descriptors and the synonyms, when full text finds few codes.

Ranking: exact code, then code prefix, then relevance (how closely the query matches the best
matching text: synonym, short or long descriptor, with a bonus when every word is found), then
usage. The usage signal is honest and static: a code with curated editorial content is one of
the codes clinicians look up most (the editorial set was chosen that way), so it wins ties.
The index expressions below must stay identical to those created in migrations 0003 and 0004,
or PostgreSQL stops using the indexes (tests/codes/test_search.py checks the plans).

On SQLite (the embedded default) the search is simpler: every word must appear (icontains) in
the code, a descriptor or a synonym; a synonym line holding every word is shown with the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When

from . import cache as codes_cache
from . import categories, releases
from .models import Code, RelativeValue, Release

SUGGEST_LIMIT = 10
MAX_QUERY_LENGTH = 100
MAX_RESULTS = 1000  # a search page never needs more than this many ranked results
FUZZY_BELOW = 30  # look for misspellings when full text finds fewer codes than this

# Index expressions (migrations 0003 and 0004 create the same ones; keep them in step).
DESCRIPTOR_TEXT = "(c.short_descriptor || ' ' || c.long_descriptor)"
# How closely a descriptor matches: the query found in the short descriptor (or, weighing less, in
# the start of the long one: trigram work grows with the text), and how much of the short
# descriptor the query covers.
DESCRIPTOR_SCORE = (
    "greatest(word_similarity(%(q)s, c.short_descriptor),"
    " 0.8 * word_similarity(%(q)s, left(c.long_descriptor, 200)))"
    " + 0.5 * similarity(%(q)s, c.short_descriptor)"
)
DESCRIPTOR_VECTOR = f"to_tsvector('english'::regconfig, {DESCRIPTOR_TEXT})"
SYNONYMS_VECTOR = "to_tsvector('english'::regconfig, cc.synonyms)"
NO_SYNONYM = "false, NULL::text, NULL::float8"  # full_text, synonym, synonym_score

# Five digits (CPT), four digits and a letter (Category II/III, PLA), a letter and four digits
# (HCPCS Level II); "99213-26" or "99213 26" names the code with a modifier.
_CODE = re.compile(r"^(\d{5}|\d{4}[A-Z]|[A-Z]\d{4})$")
_CODE_WITH_MODIFIER = re.compile(r"^(\d{5}|\d{4}[A-Z]|[A-Z]\d{4})[\s-]+[A-Z0-9]{2}$")
_CODE_PREFIX = re.compile(r"^(\d{1,4}|[A-Z]\d{0,3})$")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Query:
    """A typed query, read once: the code it names, the prefix it is, and its words."""

    typed: str  # what was typed, spaces tidied
    text: str  # lower case words joined by spaces: what trigram similarity compares
    code: str | None = None
    prefix: str | None = None
    words: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.code or self.prefix or self.words)

    @property
    def fuzzy(self) -> bool:
        """Whether to look for misspellings: not for codes (trigrams of "99213" would find every
        neighbouring code) nor for short words only (a three-letter typo matches anything)."""
        return not (self.code or self.prefix) and any(len(w) >= 4 for w in self.words)

    def tsquery(self) -> str:
        """Every word required; words of three letters or more also match as prefixes."""
        return " & ".join(f"{w}:*" if len(w) >= 3 else w for w in self.words)


def parse_query(raw: str | None) -> Query:
    text = " ".join((raw or "").split())[:MAX_QUERY_LENGTH]
    upper = text.upper()
    code = prefix = None
    if match := _CODE.match(upper) or _CODE_WITH_MODIFIER.match(upper):
        code = match.group(1)
    elif _CODE_PREFIX.match(upper):
        prefix = upper
    words = tuple(_WORD.findall(text.lower()))
    return Query(typed=text, text=" ".join(words), code=code, prefix=prefix, words=words)


@dataclass(frozen=True)
class Hit:
    """One result: the code, how to show it and, when a synonym matched, which one."""

    code: str
    kind: str
    category: str
    short_descriptor: str
    long_descriptor: str
    synonym: str | None = None

    @property
    def descriptor(self) -> str:
        """The text to show: empty for CPT codes when AMA descriptors may not be shown."""
        if self.kind != categories.HCPCS_LEVEL_II and not settings.SHOW_AMA_DESCRIPTORS:
            return ""
        return self.short_descriptor or self.long_descriptor

    @property
    def kind_label(self) -> str:
        return categories.KIND_LABELS.get(self.kind, self.kind)

    @property
    def url(self) -> str:
        return f"/cpt-codes/{self.code}/"


@dataclass(frozen=True)
class Results:
    query: Query
    release: Release | None
    hits: list[Hit] = field(default_factory=list)
    total: int = 0  # capped at MAX_RESULTS


def search(
    raw: str | None, *, release: Release | None = None, limit: int = 20, offset: int = 0
) -> Results:
    """The codes of `release` (default: the current one) that match `raw`, ranked.

    `total` counts every match (up to MAX_RESULTS); `hits` holds `limit` of them from `offset`.
    """
    query = parse_query(raw)
    release = release or releases.current()
    if query.empty or release is None or offset >= MAX_RESULTS:
        return Results(query, release)
    limit = max(0, min(limit, MAX_RESULTS - offset))
    if settings.USING_POSTGRES:
        hits, total = _search_postgres(query, release.pk, limit, offset)
    else:
        hits, total = _search_simple(query, release.pk, limit, offset)
    return Results(query, release, hits, total)


class RankedResults:
    """Every result of a search as a sequence of known length whose slices each run one query,
    so a paginator (Django's or DRF's) asks the search for one page at a time."""

    def __init__(self, results: Results):
        self.results = results

    def __len__(self) -> int:
        return self.results.total

    def __getitem__(self, item: slice) -> list[Hit]:
        first = self.results.hits
        if item.start == 0 and item.stop <= len(first):
            return first[: item.stop]  # the first page came with the total
        return search(
            self.results.query.typed,
            release=self.results.release,
            offset=item.start,
            limit=item.stop - item.start,
        ).hits


def suggest(raw: str | None, *, release: Release | None = None) -> list[Hit]:
    """Up to ten hits for a search box, cached briefly per release and query: a repeated
    suggestion costs no query at all (the current release's name is cached too)."""
    query = parse_query(raw)
    if query.empty:
        return []
    scope = release.pk if release else releases.current_name()
    if scope is None:
        return []
    typed = f"{query.text}|{query.code}|{query.prefix}"
    return codes_cache.suggestions(
        scope, typed, lambda: search(raw, release=release, limit=SUGGEST_LIMIT).hits
    )


# --- PostgreSQL ---------------------------------------------------------------------------------


# Relevance, computed once per code: the best synonym's score or the descriptor's (with a bonus
# when full text found every word); ties go to codes with curated content.
RANKED_SQL = """
        WITH text_row AS MATERIALIZED ({text_rows}),
        synonym_row AS ({synonym_rows}),
        candidate(code_id, tier, full_text, synonym, synonym_score) AS (
            {candidates}
        ),
        grouped AS (
            SELECT code_id, max(tier) AS tier, bool_or(full_text) AS full_text,
                   max(synonym_score) AS synonym_score,
                   (array_agg(synonym ORDER BY synonym_score DESC)
                       FILTER (WHERE synonym IS NOT NULL))[1] AS synonym
            FROM candidate GROUP BY code_id
        ),
        ranked AS (
            SELECT c.code, c.kind, c.category, c.short_descriptor, c.long_descriptor, g.synonym,
                   g.tier,
                   CASE WHEN g.tier = 1 THEN greatest(
                       coalesce(g.synonym_score, 0),
                       CASE WHEN g.full_text THEN 1.0 ELSE 0 END + {descriptor_score}
                   ) ELSE 0 END AS score,
                   EXISTS (SELECT 1 FROM codes_codecontent p WHERE p.code_id = c.id) AS curated
            FROM grouped g JOIN codes_code c ON c.id = g.code_id
            -- In the release: LIMIT 1 makes this an index probe per candidate, not a hash of
            -- every row of the release.
            CROSS JOIN LATERAL (
                SELECT 1 FROM codes_relativevalue r
                WHERE r.code_id = g.code_id AND r.release_id = %(release)s LIMIT 1
            ) in_release
        )
        SELECT code, kind, category, short_descriptor, long_descriptor, synonym,
               count(*) OVER () AS total
        FROM ranked
        ORDER BY tier DESC, score DESC, curated DESC, code
        LIMIT {limit} OFFSET {offset}
    """


def _search_postgres(query: Query, release_id: int, limit: int, offset: int):
    params: dict[str, object] = {"q": query.text, "release": release_id}
    text_rows, synonym_rows, candidates = _candidates(query, params)
    sql = RANKED_SQL.format(
        text_rows=text_rows,
        synonym_rows=synonym_rows,
        candidates=" UNION ALL ".join(candidates),
        descriptor_score=DESCRIPTOR_SCORE,
        limit=int(limit),
        offset=int(offset),
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # Every candidate comes from an index; left to itself the planner, which cannot know
        # what trigram matching costs, scans the small synonym table row by row, ten times
        # slower.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        # Inside an outer transaction (a test, ATOMIC_REQUESTS) the setting would outlive this
        # block: a savepoint does not undo SET LOCAL.
        cursor.execute("RESET enable_seqscan")
    total = min(rows[0][-1], MAX_RESULTS) if rows else 0
    return [Hit(*row[:-1]) for row in rows], total


def _candidates(query: Query, params: dict) -> tuple[str, str, list[str]]:
    """The SQL of the text rows, the synonym rows and every candidate select; adds to params."""
    # Candidates come from the indexes: (code_id, tier, full text matched, synonym, its score).
    # Tier 3 is the exact code, 2 a code prefix, 1 a text match.
    candidates = []
    if query.code:
        params["code"] = query.code
        candidates.append(f"SELECT c.id, 3, {NO_SYNONYM} FROM codes_code c WHERE c.code = %(code)s")
    if query.prefix:
        params["prefix"] = query.prefix + "%"
        candidates.append(
            f"SELECT c.id, 2, {NO_SYNONYM} FROM codes_code c WHERE c.code LIKE %(prefix)s"
        )
    synonym_rows = text_rows = "SELECT NULL::bigint AS id WHERE false"
    if query.words:
        params["tsq"] = query.tsquery()
        text_rows = f"""SELECT c.id FROM codes_code c
                        WHERE {DESCRIPTOR_VECTOR} @@ to_tsquery('english', %(tsq)s)"""
        candidates.append("SELECT id, 1, true, NULL::text, NULL::float8 FROM text_row")
        synonym_rows = f"""SELECT cc.id FROM codes_codecontent cc
                           WHERE {SYNONYMS_VECTOR} @@ to_tsquery('english', %(tsq)s)"""
        if query.fuzzy:
            # Only when full text finds few codes: the words are then likely misspelt, and a
            # common word ("injection") would otherwise bring thousands of trigram matches.
            candidates.append(
                f"""SELECT c.id, 1, {NO_SYNONYM} FROM codes_code c
                    WHERE (SELECT count(*) FROM (SELECT 1 FROM text_row LIMIT {FUZZY_BELOW}) t)
                          < {FUZZY_BELOW}
                      AND %(q)s <%% c.short_descriptor"""
            )
            synonym_rows += (
                " UNION SELECT cc.id FROM codes_codecontent cc WHERE %(q)s <%% cc.synonyms"
            )
        # A code's synonyms are the lines of its content; the best matching line is kept.
        candidates.append(
            """SELECT cc.code_id, 1, false, best.line, best.score
               FROM codes_codecontent cc JOIN synonym_row USING (id) CROSS JOIN LATERAL (
                   SELECT line, word_similarity(%(q)s, line) + 0.5 * similarity(%(q)s, line)
                       + CASE WHEN to_tsvector('english'::regconfig, line)
                                   @@ to_tsquery('english', %(tsq)s) THEN 1.0 ELSE 0 END
                       AS score
                   FROM regexp_split_to_table(cc.synonyms, '\\s*\\n\\s*') AS line
                   WHERE line <> ''
                   ORDER BY score DESC LIMIT 1
               ) best"""
        )
    return text_rows, synonym_rows, candidates


# --- SQLite and other databases ----------------------------------------------------------------


def _search_simple(query: Query, release_id: int, limit: int, offset: int):
    codes = Code.objects.filter(
        Exists(RelativeValue.objects.filter(code=OuterRef("pk"), release_id=release_id))
    )
    match = Q()
    if query.code:
        match |= Q(code=query.code)
    if query.prefix:
        match |= Q(code__startswith=query.prefix)
    if query.words:
        every_word = Q()
        for word in query.words:
            every_word &= (
                Q(code__icontains=word)
                | Q(short_descriptor__icontains=word)
                | Q(long_descriptor__icontains=word)
                | Q(content__synonyms__icontains=word)
            )
        match |= every_word
    tiers = []
    if query.code:
        tiers.append(When(code=query.code, then=Value(3)))
    if query.prefix:
        tiers.append(When(code__startswith=query.prefix, then=Value(2)))
    tier = Case(*tiers, default=Value(1), output_field=IntegerField()) if tiers else Value(1)
    codes = codes.filter(match).annotate(tier=tier)
    codes = codes.order_by("-tier", "code")
    total = min(codes.count(), MAX_RESULTS)
    page = codes[offset : offset + limit].values_list(
        "code", "kind", "category", "short_descriptor", "long_descriptor", "content__synonyms"
    )
    hits = [Hit(*row[:-1], synonym=_synonym_with_every_word(row[-1], query.words)) for row in page]
    return hits, total


def _synonym_with_every_word(synonyms: str | None, words: tuple[str, ...]) -> str | None:
    """The shortest synonym line holding every word typed (the closest to what was typed), so
    Hit.synonym says which synonym matched; PostgreSQL picks the best scoring line instead."""
    lines = [line.strip() for line in (synonyms or "").splitlines()]
    found = [line for line in lines if line and all(word in line.lower() for word in words)]
    return min(found, key=len) if words and found else None
