"""Read-side queries for the fee schedule."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ncci import selectors as ncci_selectors
from rvuedge import rounding

from . import browse, categories, content, ncci_page, pricing, related
from . import cache as codes_cache
from .localities import IndexSource, index_source
from .models import CategoryContent, Code, Locality, RelativeValue, Release


@dataclass(frozen=True)
class LocalitySet:
    """The localities to price a release with, and where they come from."""

    release: Release
    source: Release | None  # the release whose GPCI file they come from; None when there is none
    localities: QuerySet[Locality]

    @property
    def origin(self) -> IndexSource:
        return IndexSource(self.release, self.source)

    @property
    def borrowed(self) -> bool:
        """The indices are another calendar year's (no locality file of the year imported)."""
        return self.origin.borrowed

    @property
    def note(self) -> str:
        return self.origin.note


def localities_for_release(release: Release) -> LocalitySet:
    """The localities of the release's own files, else of its calendar year's, else borrowed
    from another year (codes.localities.index_source)."""
    source = index_source(release, Release.objects.locality_sources()).source
    found = source.localities.all() if source else Locality.objects.none()
    return LocalitySet(release, source, found)


def release_progress(release: Release) -> tuple[int, int]:
    """Rows loaded and rows to load: live from the cache while an import runs."""
    if release.status == Release.Status.LOADING:
        live = codes_cache.progress_get(release.pk)
        if live:
            return live
    return release.rows_loaded, release.rows_total


# --- Code pages ---------------------------------------------------------------------------------
# Everything one code page (or GET /api/v1/codes/<code>/) shows, assembled by code_page() in a
# fixed number of queries whatever the code: the per-release pieces every page shares (release
# list, localities, category distributions, category content) are cached under a data version
# that changes whenever a release or editorial content is saved (codes.cache).

RELATED_LIMIT = 8
PRICED = pricing.PRICED_STATUSES
MODIFIER_LABELS = {
    "": "Global (whole service)",
    "26": "Professional component (-26)",
    "TC": "Technical component (-TC)",
    "53": "Discontinued procedure (-53)",
}
# Where space is short (tiles, the payment card's rows): the modifier first.
SHORT_LABELS = {
    "": "Global",
    "26": "-26 professional",
    "TC": "-TC technical",
    "53": "-53 discontinued",
}


@dataclass(frozen=True)
class PageState:
    """The data version pages are cached under, with the releases every page needs."""

    version: str  # "<current release pk>.<generation>.<edit set ids>": new on every change
    current: Release | None
    loaded: tuple[Release, ...]  # the releases of Release.objects.loaded(), newest first
    # Releases holding locality files (Release.objects.locality_sources()), newest first.
    locality_sources: tuple[Release, ...] = ()
    # The NCCI edit sets in force on the day the state was made (pages show today's edits).
    edit_sets: ncci_selectors.InForce | None = None

    def outdated(self, today) -> bool:
        """Another NCCI set has come into force since the state was made (an import starts a
        new state at once: codes.models)."""
        sets = self.edit_sets
        return sets is None or bool(sets.next_change and today >= sets.next_change)


def page_state() -> PageState:
    state, generation = codes_cache.page_state_get()
    today = timezone.localdate()
    if state is None or state.outdated(today):
        imported = tuple(Release.objects.imported())  # one query for both lists below
        loaded = tuple(r for r in imported if r.prices_codes)
        current = next(
            (r for r in loaded if r.status == Release.Status.CURRENT and not r.is_qp), None
        )
        edit_sets = ncci_selectors.sets_in_force(today)
        # The generation (new on every change) makes the version, so that processes making the
        # state at once agree on it (a process warming pages under a version another has just
        # replaced would stop); the edit sets' ids are part of it: pages cached under other
        # edits are never read again.
        version = f"{current.pk if current else 0}.{generation[:12]}.{edit_sets.ids}"
        sources = tuple(r for r in imported if r.locality_count)
        state = PageState(version, current, loaded, sources, edit_sets)
        codes_cache.page_state_set(state, current.name if current else None, generation)
    return state


@dataclass(frozen=True)
class LocalityChoice:
    key: str  # "MAC-locality", stable across releases
    state: str
    name: str
    area: str
    gpci: pricing.Gpci
    anesthesia_cf: Decimal | None = None
    cms_name: str = ""  # as CMS's file spells it; `name` is its display form

    @property
    def label(self) -> str:
        return f"{self.name} ({self.state})"


def index_origin(release: Release, state: PageState | None = None) -> IndexSource:
    """Where `release`'s locality indices come from (the rule of localities_for_release)."""
    return index_source(release, (state or page_state()).locality_sources)


def locality_choices(release: Release, state: PageState | None = None) -> list[LocalityChoice]:
    """All localities `release` is priced with, by state and name (cached per data version)."""
    state = state or page_state()
    source = index_origin(release, state).source
    if source is None:
        return []

    def compute():
        return [
            LocalityChoice(
                key=f"{loc.mac}-{loc.locality_number}",
                state=loc.state,
                name=loc.display_name,
                area=loc.display_area,
                cms_name=loc.name,
                gpci=pricing.Gpci(loc.work_gpci, loc.pe_gpci, loc.mp_gpci),
                anesthesia_cf=loc.anesthesia_conversion_factor,
            )
            for loc in Locality.objects.filter(release=source).order_by("state", "name")
        ]

    return codes_cache.shared(state.version, f"localities:{source.pk}", compute)


def locality_note(release: Release, state: PageState | None = None) -> str:
    return index_origin(release, state).note


def work_rvu_distribution(release: Release, state: PageState | None = None) -> dict[str, list]:
    """Sorted work RVUs of the paid codes of each category in a release (one query, cached)."""
    state = state or page_state()

    def compute():
        by_category: dict[str, list] = {}
        rows = RelativeValue.objects.filter(
            release=release, modifier="", status__in=PRICED, work_rvu__gt=0
        ).values_list("code__category", "work_rvu")
        for category, work in rows.order_by():
            by_category.setdefault(category, []).append(work)
        for values in by_category.values():
            values.sort()
        return by_category

    return codes_cache.shared(state.version, f"work-distribution:{release.pk}", compute)


def category_content(state: PageState | None = None) -> dict:
    state = state or page_state()
    return codes_cache.shared(
        state.version,
        "category-content",
        lambda: {c.category: c for c in CategoryContent.objects.all()},
    )


@dataclass(frozen=True)
class RvuLine:
    """One PPRRVU row of the code in the current release, with what it pays."""

    modifier: str
    label: str
    status: str
    work_rvu: Decimal
    non_facility_pe_rvu: Decimal
    non_facility_na: bool
    facility_pe_rvu: Decimal
    facility_na: bool
    mp_rvu: Decimal
    non_facility_total: Decimal
    facility_total: Decimal
    conversion_factor: Decimal
    opps_non_facility_pe_rvu: Decimal  # non-zero: the OPPS imaging cap applies
    opps_mp_rvu: Decimal
    national_non_facility: pricing.Amount
    national_facility: pricing.Amount
    local_non_facility: pricing.Amount | None
    local_facility: pricing.Amount | None

    @property
    def short_label(self) -> str:
        return SHORT_LABELS.get(self.modifier, f"-{self.modifier}")


@dataclass(frozen=True)
class LineAmount:
    """What one line (global, -26, -TC) pays in one setting, nationally and in the locality."""

    line: RvuLine
    national: pricing.Amount
    local: pricing.Amount | None

    @property
    def chosen(self) -> pricing.Amount:
        """The locality's amount when one is chosen, else the national one."""
        return self.local if self.local is not None else self.national


@dataclass(frozen=True)
class SettingAmounts:
    """A setting's amounts, the global service's first and its components' beside it, as the
    tiles and the payment card show them (CMS's look-up tool lists -26 and -TC the same way)."""

    key: str  # "non_facility" or "facility"
    label: str  # "Office" or "Facility"
    where: str  # "non-facility" or "hospital, ASC"
    rows: list[LineAmount]

    @property
    def main(self) -> LineAmount | None:
        """The global service's amounts (None for a code that has component rows only)."""
        return self.rows[0] if self.rows and self.rows[0].line.modifier == "" else None

    @property
    def components(self) -> list[LineAmount]:
        return [row for row in self.rows if row.line.modifier != ""]


SETTINGS = (("non_facility", "Office", "non-facility"), ("facility", "Facility", "hospital, ASC"))


def _line_amount(line: RvuLine, setting: str) -> LineAmount:
    return LineAmount(line, getattr(line, f"national_{setting}"), getattr(line, f"local_{setting}"))


@dataclass(frozen=True)
class HistoryPoint:
    release: str
    status: str
    work_rvu: Decimal
    conversion_factor: Decimal
    non_facility: Decimal | None  # national amount; None when not payable
    facility: Decimal | None
    # The national office fee schedule amount the OPPS imaging cap lowered `non_facility` from.
    non_facility_before_cap: Decimal | None = None

    @property
    def priced(self) -> bool:
        return self.status in PRICED


@dataclass(frozen=True)
class Comparison:
    category: str
    percentile: int  # share of the category's paid codes with a lower work RVU
    count: int
    median: Decimal
    highest: Decimal


@dataclass(frozen=True)
class RelatedCode:
    code: str
    descriptor: str
    work_rvu: Decimal | None
    relation: str = ""  # "Add-on code", "Primary procedure", ... ("" for the same family)


RELATION_LABELS = {
    related.BASE_ENDOSCOPY: "Base endoscopy",
    related.ADD_ON_CODE: "Add-on code",
    related.PRIMARY_CODE: "Primary procedure",
    related.CATCH_ALL_CODE: "Unlisted / not classified",
    related.FAMILY: "",
}


@dataclass(frozen=True)
class CodePage:
    code: str
    kind: str
    kind_label: str
    category: str
    section: browse.Section | None
    descriptor: str  # what the page may show as the descriptor ("" when AMA text is hidden)
    long_descriptor: str
    ama_hidden: bool
    release: Release | None
    in_fee_schedule: bool
    status: str
    status_words: str
    global_badge: str
    add_on: bool
    lines: list[RvuLine]
    indicators: list[content.Indicator]
    no_amount_reason: str
    how_paid_instead: str
    locality: LocalityChoice | None
    locality_note: str
    localities: list[LocalityChoice]
    locality_origin: IndexSource | None
    # Status C imaging: the OPPS cap on the contractor's office price (national, locality).
    carrier_price_cap: tuple[Decimal | None, Decimal | None] | None
    history: list[HistoryPoint]
    comparison: Comparison | None
    related: list[RelatedCode]
    text: content.PageContent
    terminated_on: object = None
    global_days: str = ""  # the main row's GLOB DAYS ("" without a row)
    # The NCCI edits in force today: MUE, add-on code edits, PTP pairs (none before an import).
    edits: ncci_page.CodingEdits | None = None

    @property
    def title(self) -> str:
        return (
            f"{self.code} {self.descriptor}"
            if self.descriptor
            else f"{self.code} {self.heading_fallback}"
        )

    @property
    def heading_fallback(self) -> str:
        return f"({self.kind_label}, {self.category})"

    @property
    def main_line(self) -> RvuLine | None:
        return self.lines[0] if self.lines and self.lines[0].modifier == "" else None

    @property
    def has_national_amount(self) -> bool:
        return self.status in PRICED

    @property
    def settings(self) -> list[SettingAmounts]:
        """Office and facility amounts of every line, for the tiles and the payment card."""
        return [
            SettingAmounts(key, label, where, [_line_amount(line, key) for line in self.lines])
            for key, label, where in SETTINGS
        ]

    @property
    def indicators_applying(self) -> list[content.Indicator]:
        return [i for i in self.indicators if i.applies]

    @property
    def indicators_not_applying(self) -> list[content.Indicator]:
        return [i for i in self.indicators if not i.applies]

    @property
    def coverage_note(self) -> str:
        """Status R: priced like A, with a note that coverage is restricted."""
        return pricing.RESTRICTED_COVERAGE if self.status == "R" else ""

    @property
    def national_anesthesia_cf(self) -> Decimal | None:
        """The national anesthesia CF of the year whose locality files price the release."""
        source = self.locality_origin.source if self.locality_origin else None
        return source.anesthesia_conversion_factor if source else None

    def to_dict(self) -> dict:
        """Everything on the page as JSON-ready values (Decimals as strings), for the API."""
        return _jsonable(
            {
                "code": self.code,
                "kind": self.kind_label,
                "category": self.category,
                "descriptor": self.descriptor,
                "long_descriptor": self.long_descriptor,
                "release": self.release.name if self.release else None,
                "in_fee_schedule": self.in_fee_schedule,
                "status": self.status,
                "status_description": self.status_words,
                "add_on": self.add_on,
                "rvus": [_line_dict(line) for line in self.lines],
                "indicators": [
                    {
                        "name": i.name,
                        "value": i.value,
                        "meaning": i.meaning,
                        "explanation": i.sentence,
                    }
                    for i in self.indicators
                ],
                "no_amount_reason": self.no_amount_reason or None,
                "how_paid_instead": self.how_paid_instead or None,
                "locality": _locality_dict(self.locality, self.locality_origin),
                "locality_note": self.locality_note or None,
                "carrier_price_cap": (
                    {"national": self.carrier_price_cap[0], "locality": self.carrier_price_cap[1]}
                    if self.carrier_price_cap
                    else None
                ),
                "history": [vars(p) for p in self.history],
                "comparison": vars(self.comparison) if self.comparison else None,
                "related": [vars(r) for r in self.related],
                "ncci": (self.edits or ncci_page.CodingEdits(self.code)).as_dict(),
                "content": {
                    "synonyms": list(self.text.synonyms),
                    "summary": self.text.summary,
                    "plain_language": self.text.plain_language,
                    "clinical_context": self.text.clinical_context,
                    "billing_notes": self.text.billing_notes,
                    "billing_facts": list(self.text.billing_facts),
                    "faqs": [{"question": f.question, "answer": f.answer} for f in self.text.faqs],
                },
            }
        )


def amount_dict(amount: pricing.Amount | None) -> dict | None:
    """An amount as the API shows it (the price and detail endpoints share it)."""
    if amount is None:
        return None
    return {
        "amount": amount.amount,
        "payable": amount.payable,
        "reason": amount.reason,
        "non_participating": amount.non_participating,
        "limiting_charge": amount.limiting_charge,
        "fee_schedule_amount": amount.fee_schedule_amount,
        "opps_cap_applied": amount.capped,
        "notes": [line for line in (amount.cap_line, amount.note) if line],
    }


def origin_dict(origin: IndexSource | None) -> dict:
    """Where locality indices come from, as the API shows it beside a locality."""
    source = origin.source if origin else None
    return {
        "gpci_release": source.name if source else None,
        "gpci_year": source.year if source else None,
        "gpci_borrowed": bool(origin and origin.borrowed),
        "gpci_note": (origin.note if origin else "") or None,
    }


def _line_dict(line: RvuLine) -> dict:
    data = {k: v for k, v in vars(line).items() if not isinstance(v, pricing.Amount | type(None))}
    for name in (
        "national_non_facility",
        "national_facility",
        "local_non_facility",
        "local_facility",
    ):
        data[name] = amount_dict(getattr(line, name))
    return data


def _locality_dict(locality: LocalityChoice | None, origin: IndexSource | None):
    if locality is None:
        return None
    return {
        "key": locality.key,
        "state": locality.state,
        "name": locality.cms_name,
        "display_name": locality.name,
        "work_gpci": locality.gpci.work,
        "pe_gpci": locality.gpci.pe,
        "mp_gpci": locality.gpci.mp,
        "anesthesia_conversion_factor": locality.anesthesia_cf,
        **origin_dict(origin),
    }


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _line(row, locality: LocalityChoice | None) -> RvuLine:
    local = locality.gpci if locality else None
    return RvuLine(
        modifier=row.modifier,
        label=MODIFIER_LABELS.get(row.modifier, f"Modifier {row.modifier}"),
        status=row.status,
        work_rvu=row.work_rvu,
        non_facility_pe_rvu=row.non_facility_pe_rvu,
        non_facility_na=row.non_facility_na,
        facility_pe_rvu=row.facility_pe_rvu,
        facility_na=row.facility_na,
        mp_rvu=row.mp_rvu,
        non_facility_total=row.non_facility_total,
        facility_total=row.facility_total,
        conversion_factor=row.conversion_factor,
        opps_non_facility_pe_rvu=row.opps_non_facility_pe_rvu,
        opps_mp_rvu=row.opps_mp_rvu,
        national_non_facility=pricing.row_payment(row, "non_facility", pricing.NATIONAL),
        national_facility=pricing.row_payment(row, "facility", pricing.NATIONAL),
        local_non_facility=pricing.row_payment(row, "non_facility", local) if local else None,
        local_facility=pricing.row_payment(row, "facility", local) if local else None,
    )


def _comparison(category: str, work: Decimal, distribution: dict) -> Comparison | None:
    values = distribution.get(category) or []
    if not work or len(values) < 2:
        return None
    below = bisect.bisect_left(values, work)
    return Comparison(
        category=category,
        percentile=rounding.whole(Decimal(below * 100) / len(values)),
        count=len(values),
        median=values[len(values) // 2],
        highest=values[-1],
    )


def _related(code: Code, release: Release | None, base: str, curated: list[str]):
    """Clinically related codes (codes.related), read in one query: the code's family (same
    category and first three characters), its endoscopy family, the codes an editor chose, and
    the catch-all codes (unlisted, unclassified) of its family or, for a catch-all, its category.
    Codes without a row in the release are left out unless they are active Level II codes."""
    catch_all = _CATCH_ALL_Q
    own_catch_all = related.CATCH_ALL.search(f"{code.short_descriptor} {code.long_descriptor}")
    pool = Q(code__startswith=code.code[:3], category=code.category) | Q(code__in=curated)
    pool |= (
        Q(category=code.category)
        & catch_all
        & (Q() if own_catch_all else Q(code__startswith=code.code[:2]))
    )
    if base:
        pool |= Q(code=base) | Q(
            pk__in=RelativeValue.objects.filter(release=release, endoscopic_base=base).values(
                "code_id"
            )
        )
    rows = RelativeValue.objects.filter(code=OuterRef("pk"), release=release, modifier="")
    found = (
        Code.objects.filter(pool)
        .annotate(
            work_rvu=Subquery(rows.values("work_rvu")[:1]),
            global_days=Subquery(rows.values("global_days")[:1]),
        )
        .order_by("code")
        .values_list(
            "code", "short_descriptor", "long_descriptor", "kind", "hcpcs_terminated_on",
            "work_rvu", "global_days",
        )[:600]
    )  # fmt: skip
    candidates, shown = [], {}
    for c, short, long, kind, ended, work, days in found:
        if days is None and (release is not None and (kind != categories.HCPCS_LEVEL_II or ended)):
            continue  # not in the release (deleted or not yet valid), nor an active Level II code
        work = rounding.hundredths(work) if work is not None else None
        candidates.append(related.Candidate(c, short, days or "", work, long))
        hide = not settings.SHOW_AMA_DESCRIPTORS and kind != categories.HCPCS_LEVEL_II
        shown[c] = "" if hide else short
    me = related.Candidate(
        code.code, code.short_descriptor, _own_days(candidates, code), None, code.long_descriptor
    )
    return [
        RelatedCode(
            r.candidate.code,
            shown[r.candidate.code],
            r.candidate.work_rvu,
            RELATION_LABELS[r.relation],
        )
        for r in related.related_codes(me, candidates, curated=curated, endoscopic_base=base)
    ]


# The catch-all codes (codes.related.CATCH_ALL) as a database filter both databases read alike:
# "Unlisted px femur/knee", "Drugs unclassified injection", "Compounded drug, noc",
# "Noc drugs, inhalation solution ...", "... not otherwise classified".
_CATCH_ALL_Q = (
    Q(short_descriptor__icontains="unlisted")
    | Q(short_descriptor__icontains="unclassified")
    | Q(long_descriptor__icontains="unclassified")
    | Q(long_descriptor__icontains="not otherwise classified")
    | Q(short_descriptor__iendswith=" noc")
    | Q(long_descriptor__istartswith="noc ")
)


def _own_days(candidates, code: Code) -> str:
    return next((c.global_days for c in candidates if c.code == code.code), "")


ROW_ORDER = ("", "26", "TC", "53")  # the global row first, then its components


def code_page(
    code: str, *, locality_key: str | None = None, release: Release | None = None
) -> CodePage | None:
    """Everything a code's page shows, for the current release (or `release`); None if unknown.
    `locality_key` ("MAC-locality") adds that locality's amounts; an unknown key is ignored."""
    state = page_state()
    release = release or state.current
    found = Code.objects.select_related("content").prefetch_related("content__faqs")
    found = found.filter(code=code.strip().upper()).first()
    if found is None:
        return None
    rows, current_rows, main = _rows(found, release, state)
    localities = locality_choices(release, state) if release else []
    locality = next((loc for loc in localities if loc.key == locality_key), None)
    lines = [_line(r, locality) for r in current_rows]
    ama_hidden = not settings.SHOW_AMA_DESCRIPTORS and found.kind != categories.HCPCS_LEVEL_II
    status = main.status if main else ""
    reason = "" if not main or status in PRICED else pricing.NO_NATIONAL_AMOUNT.get(status, "")
    facts = _facts(found, main, release, lines, current_rows, reason, ama_hidden)
    own = getattr(found, "content", None)
    return CodePage(
        code=found.code,
        kind=found.kind,
        kind_label=facts.kind_label,
        category=found.category,
        section=browse.section_for(found.code, found.kind),
        descriptor="" if ama_hidden else found.short_descriptor,
        long_descriptor=found.long_descriptor,
        ama_hidden=ama_hidden,
        release=release,
        in_fee_schedule=main is not None,
        status=status,
        status_words=content.status_words(status) if status else "",
        global_badge=content.global_badge(main.global_days) if main else "",
        add_on=bool(main and content.is_add_on(main.global_days)),
        lines=lines,
        indicators=content.indicator_rows(main) if main else [],
        no_amount_reason=reason,
        how_paid_instead=content.how_paid_instead(found.category, status) if reason else "",
        locality=locality,
        locality_note=locality_note(release, state) if release else "",
        localities=localities,
        locality_origin=index_origin(release, state) if release else None,
        carrier_price_cap=_carrier_price_cap(main, current_rows, locality),
        history=_history(rows, {r.pk: r for r in state.loaded}),
        comparison=_comparison_for(found, main, release, state),
        related=_related(
            found, release, main.endoscopic_base if main else "", own.related_list if own else []
        ),
        text=content.compose(
            facts=facts,
            own=own,
            own_faqs=list(own.faqs.all()) if own else (),
            category_default=_category_default(found, category_content(state)),
        ),
        terminated_on=found.hcpcs_terminated_on,
        global_days=main.global_days if main else "",
        edits=_coding_edits(found.code, state),
    )


def _coding_edits(code: str, state: PageState) -> ncci_page.CodingEdits:
    """The code's NCCI edits in force today, with the descriptors of the codes they name (one
    query for each kind of edit imported, and one for the descriptors)."""
    sets = state.edit_sets
    if sets is None or not (sets.mue or sets.aoc or sets.ptp):
        return ncci_page.CodingEdits(code)
    edits = ncci_selectors.code_edits(code, sets.day, sets=sets)
    known = {}
    if names := ncci_page.named_codes(edits):
        rows = Code.objects.filter(code__in=names).values_list("code", "short_descriptor", "kind")
        for other, short, kind in rows:
            hidden = not settings.SHOW_AMA_DESCRIPTORS and kind != categories.HCPCS_LEVEL_II
            known[other] = "" if hidden else short
    return ncci_page.compose(code, edits, known)


def _rows(found, release, state) -> tuple[list, list, RelativeValue | None]:
    """The code's rows in every loaded release (one query); the release's rows, global first;
    and the row the page is about (the global row, or the first component)."""
    rows = (
        list(RelativeValue.objects.filter(code=found, release__in=[r.pk for r in state.loaded]))
        if state.loaded
        else []
    )
    current_rows = sorted(
        (r for r in rows if release and r.release_id == release.pk),
        key=lambda r: ROW_ORDER.index(r.modifier) if r.modifier in ROW_ORDER else 9,
    )
    main = next(
        (r for r in current_rows if r.modifier == ""), current_rows[0] if current_rows else None
    )
    return rows, current_rows, main


def _facts(found, main, release, lines, current_rows, reason, ama_hidden) -> content.Facts:
    """What the page's words are composed from."""
    national = lines[0] if lines else None
    descriptor = "" if ama_hidden else found.short_descriptor
    return content.Facts(
        code=found.code,
        kind_label=categories.KIND_LABELS.get(found.kind, found.kind),
        category=found.category,
        descriptor=(found.long_descriptor or descriptor) if not ama_hidden else "",
        in_fee_schedule=main is not None,
        release=release.name if release else "",
        status=main.status if main else "",
        global_days=main.global_days if main else "",
        pctc=main.pctc_indicator if main else "",
        bilateral=main.bilateral_surgery if main else "",
        assistant=main.assistant_surgery if main else "",
        co_surgery=main.co_surgery if main else "",
        multiple_procedure=main.multiple_procedure if main else "",
        endoscopic_base=main.endoscopic_base if main else "",
        work_rvu=main.work_rvu if main else None,
        national_non_facility=national.national_non_facility.amount if national else None,
        national_facility=national.national_facility.amount if national else None,
        no_amount_reason=reason,
        has_26_tc=any(r.modifier in ("26", "TC") for r in current_rows),
    )


def _history(rows, releases_by_pk) -> list[HistoryPoint]:
    """The global row's national amounts in every loaded release, oldest first."""
    history = []
    global_rows = (r for r in rows if r.modifier == "")
    for row in sorted(global_rows, key=lambda r: releases_by_pk[r.release_id].sort_key()):
        nf = pricing.row_payment(row, "non_facility", pricing.NATIONAL)
        f = pricing.row_payment(row, "facility", pricing.NATIONAL)
        history.append(
            HistoryPoint(
                release=releases_by_pk[row.release_id].name,
                status=row.status,
                work_rvu=row.work_rvu,
                conversion_factor=row.conversion_factor,
                non_facility=nf.amount,
                facility=f.amount,
                non_facility_before_cap=nf.fee_schedule_amount if nf.capped else None,
            )
        )
    return history


def _comparison_for(found, main, release, state):
    if main and main.status in PRICED and main.work_rvu:
        return _comparison(found.category, main.work_rvu, work_rvu_distribution(release, state))
    return None


def _carrier_price_cap(main, rows, locality: LocalityChoice | None):
    """For a carrier-priced imaging row, the OPPS amounts its price may not exceed."""
    if main is None or main.status != "C":
        return None
    professional = next((r.work_rvu for r in rows if r.modifier == "26"), None)
    caps = [
        pricing.opps_amount(main, gpci, professional_work_rvu=professional) if gpci else None
        for gpci in (pricing.NATIONAL, locality.gpci if locality else None)
    ]
    if caps[0] is None:
        return None
    return tuple(pricing.cents(cap) if cap is not None else None for cap in caps)


def _category_default(code: Code, by_category: dict):
    """The category's content, or for Level II codes the Level II default ("HCPCS Level II")."""
    found = by_category.get(code.category)
    if found is None and code.kind == categories.HCPCS_LEVEL_II:
        found = by_category.get(categories.KIND_LABELS[categories.HCPCS_LEVEL_II])
    return found


def nearest_codes(text: str, *, limit: int = 6) -> list[Code]:
    """Codes close to what was typed, for a "did you mean" list: same prefix, else descriptor."""
    text = text.strip().upper()
    if not text:
        return []
    for length in (4, 3, 2):
        prefix = text[:length]
        if len(prefix) < length:
            continue
        candidates = list(Code.objects.filter(code__startswith=prefix).order_by("code")[:200])
        if candidates:
            codes = [c.code for c in candidates]
            # Nearest in code order to where the typed code would sit.
            at = bisect.bisect_left(codes, text)
            return sorted(candidates, key=lambda c: abs(codes.index(c.code) - at))[:limit]
    words = [w for w in text.split() if len(w) > 2]
    if not words:
        return []
    query = Code.objects.all()
    for word in words:
        query = query.filter(short_descriptor__icontains=word)
    return list(query.order_by("code")[:limit])


def section_counts(state: PageState | None = None) -> dict[str, int]:
    """How many codes each browse section holds (one query, cached per data version)."""
    state = state or page_state()

    def compute():
        counts: dict[str, int] = {}
        by_category: dict[str, list[str]] = {}
        for code, category in Code.objects.values_list("code", "category").order_by():
            by_category.setdefault(category, []).append(code)
        for section in browse.SECTIONS:
            codes = by_category.get(section.category, [])
            if section.low:
                codes = [c for c in codes if section.low <= c <= section.high]
            counts[section.slug] = len(codes)
        return counts

    return codes_cache.shared(state.version, "section-counts", compute)
