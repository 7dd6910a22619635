"""Code search: what a clinician types ("99213", "9921", "knee replacement", "lap chole",
"cholecystectmy") to the codes of a release, best first.

On PostgreSQL one SQL statement gathers candidates from indexes and ranks them:

- exact code (the unique index), then code prefix (a varchar_pattern_ops index);
- full text over the short and long descriptors (a GIN index on a to_tsvector expression) and
  over the editorial synonyms, every term required (codes.search_terms reads the typed words:
  "mri" may be "magnetic resonance", "lower" the short form "lwr"), each word of three letters
  or more matched as a prefix so that abbreviations ("lap chole", "tot knee") find the full words;
- trigram word similarity (pg_trgm GIN indexes) for misspellings ("cholecystectmy"), in the
  short descriptors and the synonyms, when full text finds few codes.

Ranking: exact code, then code prefix, then relevance: how closely the query matches the best
matching text (synonym, short or long descriptor, with a bonus when every term is found) plus
the prior of codes.search_rank (editorial content, kind of code, status, physician work,
anesthesia only when asked for), then the code.
The index expressions below must stay identical to those created in migrations 0003 and 0004,
or PostgreSQL stops using the indexes (tests/codes/test_search.py checks the plans).

On SQLite (the embedded default) the search is simpler: the same terms, found with icontains
and checked as word starts in Python, misspelt words corrected against the release's vocabulary
(codes.search_terms.Vocabulary), and ranked by the same prior added to a difflib text score.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery

from . import cache as codes_cache
from . import categories, releases, search_rank, search_terms
from .models import Code, CodeContent, RelativeValue, Release

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
NO_SYNONYM = "false, false, NULL::text, NULL::float8"  # matched, full_text, synonym, its score

# Five digits (CPT), four digits and a letter (Category II/III, PLA), a letter and four digits
# (HCPCS Level II); "99213-26" or "99213 26" names the code with a modifier.
_CODE = re.compile(r"^(\d{5}|\d{4}[A-Z]|[A-Z]\d{4})$")
_CODE_WITH_MODIFIER = re.compile(r"^(\d{5}|\d{4}[A-Z]|[A-Z]\d{4})[\s-]+[A-Z0-9]{2}$")
_CODE_PREFIX = re.compile(r"^(\d{1,4}|[A-Z]\d{0,3})$")


@dataclass(frozen=True)
class Query:
    """A typed query, read once: the code it names, the prefix it is, its words and their
    terms (what each word may mean, codes.search_terms)."""

    typed: str  # what was typed, spaces tidied
    text: str  # lower case words joined by spaces: what trigram similarity compares
    code: str | None = None
    prefix: str | None = None
    words: tuple[str, ...] = ()
    terms: tuple[search_terms.Term, ...] = ()
    corrected: bool = False  # whether misspelt words were replaced (`text` says by what)

    @property
    def empty(self) -> bool:
        return not (self.code or self.prefix or self.words)

    @property
    def fuzzy(self) -> bool:
        """Whether to look for misspellings: not for codes (trigrams of "99213" would find every
        neighbouring code) nor for short words only (a three-letter typo matches anything)."""
        return not (self.code or self.prefix) and any(len(w) >= 4 for w in self.words)

    @property
    def anesthesia(self) -> bool:
        return search_terms.about_anesthesia(self.words)

    def tsquery(self) -> str:
        """Every term required; words of three letters or more also match as prefixes."""
        return search_terms.tsquery(self.terms)


def parse_query(raw: str | None) -> Query:
    text = " ".join((raw or "").split())[:MAX_QUERY_LENGTH]
    upper = text.upper()
    code = prefix = None
    if match := _CODE.match(upper) or _CODE_WITH_MODIFIER.match(upper):
        code = match.group(1)
    elif _CODE_PREFIX.match(upper):
        prefix = upper
    words = search_terms.words_of(text)
    return Query(
        typed=text,
        text=" ".join(words),
        code=code,
        prefix=prefix,
        words=words,
        terms=search_terms.terms(words),
    )


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
    query = corrected(query, release.pk)
    limit = max(0, min(limit, MAX_RESULTS - offset))
    if settings.USING_POSTGRES:
        hits, total = _search_postgres(query, release.pk, limit, offset)
    else:
        hits, total = _search_simple(query, release.pk, limit, offset)
    return Results(query, release, hits, total)


def corrected(query: Query, release_id: int) -> Query:
    """The query with each word that starts no word of the release's text replaced by the
    closest one ("colonscopy" by "colonoscopy"); trigram similarity (PostgreSQL) still looks
    for what the correction misses."""
    if not query.fuzzy:
        return query
    vocabulary = release_vocabulary(release_id)
    words = tuple(vocabulary.correct(word) for word in query.words)
    if words == query.words:
        return query
    return replace(
        query, text=" ".join(words), words=words, terms=search_terms.terms(words), corrected=True
    )


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


# Relevance, computed once per code: codes holding every term (in their descriptors or their
# synonyms) before those only alike (trigrams), then the best synonym's score or the
# descriptor's (with a bonus when full text found every term) plus the prior of
# codes.search_rank.
PRIOR = search_rank.prior_sql(
    kind="c.kind",
    category="c.category",
    status="rv.status",
    work_rvu="rv.work_rvu",
    curated="EXISTS (SELECT 1 FROM codes_codecontent p WHERE p.code_id = c.id)",
)
RANKED_SQL = """
        WITH text_row AS MATERIALIZED ({text_rows}),
        synonym_row AS ({synonym_rows}),
        candidate(code_id, tier, matched, full_text, synonym, synonym_score) AS (
            {candidates}
        ),
        grouped AS (
            SELECT code_id, max(tier) AS tier, bool_or(matched) AS matched,
                   bool_or(full_text) AS full_text,
                   max(synonym_score) AS synonym_score,
                   (array_agg(synonym ORDER BY synonym_score DESC)
                       FILTER (WHERE synonym IS NOT NULL))[1] AS synonym
            FROM candidate GROUP BY code_id
        ),
        ranked AS (
            SELECT c.code, c.kind, c.category, c.short_descriptor, c.long_descriptor, g.synonym,
                   g.tier, g.matched,
                   CASE WHEN g.tier = 1 THEN greatest(
                       coalesce(g.synonym_score, 0),
                       CASE WHEN g.full_text THEN 1.0 ELSE 0 END + {descriptor_score}
                   ) + {prior} ELSE 0 END AS score
            FROM grouped g JOIN codes_code c ON c.id = g.code_id
            -- In the release, with the global row's status and work RVU: LIMIT 1 makes this an
            -- index probe per candidate, not a hash of every row of the release.
            CROSS JOIN LATERAL (
                SELECT r.status, r.work_rvu FROM codes_relativevalue r
                WHERE r.code_id = g.code_id AND r.release_id = %(release)s
                ORDER BY r.modifier LIMIT 1
            ) rv
        )
        SELECT code, kind, category, short_descriptor, long_descriptor, synonym,
               count(*) OVER () AS total
        FROM ranked
        ORDER BY tier DESC, matched DESC, score DESC, code
        LIMIT {limit} OFFSET {offset}
    """


def _search_postgres(query: Query, release_id: int, limit: int, offset: int):
    params: dict[str, object] = {
        "q": query.text,
        "release": release_id,
        "anesthesia": query.anesthesia,
    }
    text_rows, synonym_rows, candidates = _candidates(query, params)
    sql = RANKED_SQL.format(
        text_rows=text_rows,
        synonym_rows=synonym_rows,
        candidates=" UNION ALL ".join(candidates),
        descriptor_score=DESCRIPTOR_SCORE,
        prior=PRIOR,
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
    # Candidates come from the indexes: (code_id, tier, every term found, full text matched the
    # descriptors, synonym, its score). Tier 3 is the exact code, 2 a code prefix, 1 a text match.
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
        candidates.append("SELECT id, 1, true, true, NULL::text, NULL::float8 FROM text_row")
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
            f"""SELECT cc.code_id, 1, {SYNONYMS_VECTOR} @@ to_tsquery('english', %(tsq)s),
                      false, best.line, best.score
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
    """The exact code, then the code prefix's family in code order, then text matches ranked
    in Python; one more query reads the page's codes."""
    in_release = Code.objects.filter(
        Exists(RelativeValue.objects.filter(code=OuterRef("pk"), release_id=release_id))
    )
    ranked: list[tuple[str, str | None]] = []  # (code, the synonym that matched)
    if query.code:
        ranked += [
            (c, None) for c in in_release.filter(code=query.code).values_list("code", flat=True)
        ]
    if query.prefix:
        family = in_release.filter(code__startswith=query.prefix).order_by("code")
        ranked += [(c, None) for c in family.values_list("code", flat=True)[:MAX_RESULTS]]
    if query.words:
        ranked += _text_matches(query, in_release, release_id)
    listed: dict[str, str | None] = {}
    for code, synonym in ranked:
        listed.setdefault(code, synonym)
    ordered = list(listed.items())[:MAX_RESULTS]
    page = ordered[offset : offset + limit]
    rows = {
        row[0]: row
        for row in Code.objects.filter(code__in=[code for code, _ in page]).values_list(
            "code", "kind", "category", "short_descriptor", "long_descriptor"
        )
    }
    return [Hit(*rows[code], synonym=synonym) for code, synonym in page], len(ordered)


def _text_matches(query: Query, codes, release_id: int) -> list[tuple[str, str | None]]:
    """Codes whose descriptors or synonyms hold every term, best first, with the synonym line
    that matched."""
    terms = query.terms
    match = search_rank.TextMatch(terms, query.text)
    row = RelativeValue.objects.filter(code=OuterRef("pk"), release_id=release_id)
    row = row.order_by("modifier")  # the global row first
    found = codes.filter(_contains_terms(terms)).annotate(
        status=Subquery(row.values("status")[:1]), work=Subquery(row.values("work_rvu")[:1])
    )
    scored = []
    for code, kind, category, short, long, synonyms, status, work in found.values_list(
        "code", "kind", "category", "short_descriptor", "long_descriptor", "content__synonyms",
        "status", "work",
    ):  # fmt: skip
        described = match.descriptor_score(short, long)
        lines = [line.strip() for line in (synonyms or "").splitlines() if line.strip()]
        synonym, named = match.best_synonym(lines)
        if described is None and named is None:
            continue
        score = max(s for s in (described, named) if s is not None) + search_rank.prior(
            kind=kind, category=category, status=status, work_rvu=work,
            curated=synonyms is not None, anesthesia=query.anesthesia,
        )  # fmt: skip
        scored.append((-score, code, synonym))
    return [(code, synonym) for _, code, synonym in sorted(scored)]


def _contains_terms(terms: tuple[search_terms.Term, ...]) -> Q:
    """Every term, any of its phrasings, every word of a phrasing (or a short form) somewhere in
    a descriptor or the synonyms: a coarse filter the text score then checks word by word."""
    every_term = Q()
    for term in terms:
        any_phrasing = Q()
        for phrasing in term:
            every_word = Q()
            for word in phrasing:
                spelling = Q()
                for text in (word.stem, *word.short_forms):
                    spelling |= (
                        Q(short_descriptor__icontains=text)
                        | Q(long_descriptor__icontains=text)
                        | Q(content__synonyms__icontains=text)
                    )
                every_word &= spelling
            any_phrasing |= every_word
        every_term &= any_phrasing
    return every_term


def release_vocabulary(release_id: int) -> search_terms.Vocabulary:
    """The words of the release's descriptors and synonyms, built once per release and version
    of the editorial content (in this process: building it reads every code's text once)."""
    content = CodeContent.objects.aggregate(count=Count("pk"), updated=Max("updated_at"))
    return _vocabulary(release_id, content["count"], content["updated"])


@functools.lru_cache(maxsize=4)
def _vocabulary(release_id: int, content_count: int, content_updated) -> search_terms.Vocabulary:
    texts = (
        Code.objects.filter(rvus__release_id=release_id)
        .distinct()
        .values_list("short_descriptor", "long_descriptor", "content__synonyms")
    )
    return search_terms.Vocabulary(text for row in texts.iterator() for text in row if text)
