"""The words on a code's page: editorial text where people wrote it, sentences from the data
everywhere else, so every code has a complete page.

Pure functions over plain values (no ORM): codes.selectors gathers the rows and calls them.
Each indicator sentence follows the CMS readme (RVU25D.pdf, "Global Surgery" to "Team Surgery"
and Attachment A); the glossary anchors point at /resources/glossary/.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rvuedge import rounding

from . import categories, indicators
from .pricing import PRICED_STATUSES, RESTRICTED_COVERAGE

GLOSSARY_URL = "/resources/glossary/"

# Codes whose payment the fee schedule does not compute, and how they are paid instead.
HOW_PAID_INSTEAD = {
    "J Codes (Drugs)": (
        "Drugs given by a clinician are paid from Medicare's average sales price (ASP) files, "
        "usually ASP plus 6%, or by the payer's own drug fee schedule or contract."
    ),
    "Durable Medical Equipment": (
        "Durable medical equipment is paid from the DMEPOS fee schedule through the DME MAC."
    ),
    "Orthotics and Prosthetics": "Orthotics and prosthetics are paid from the DMEPOS fee schedule.",
    "Transportation, Medical and Surgical Supplies": (
        "Ambulance services are paid from the ambulance fee schedule; supplies from the DMEPOS "
        "fee schedule or bundled into the service they are used in."
    ),
    "Pathology and Laboratory": (
        "Clinical laboratory tests are paid from the Clinical Laboratory Fee Schedule (CLFS)."
    ),
    "Dental": "Dental services are mostly excluded from Medicare; dental plans set their own fees.",
}


@dataclass(frozen=True)
class Faq:
    question: str
    answer: str


@dataclass(frozen=True)
class Indicator:
    """One payment-policy indicator of a code, explained in a sentence."""

    name: str
    value: str
    meaning: str
    sentence: str
    glossary: str  # anchor in the glossary page

    @property
    def glossary_url(self) -> str:
        return f"{GLOSSARY_URL}#{self.glossary}"

    @property
    def applies(self) -> bool:
        """False when CMS's value says the concept does not apply to the code (global period
        XXX, policy indicators 9, no endoscopy family): such rows are shown folded away."""
        return self.value not in NOT_APPLICABLE_VALUES


# Indicator values meaning "the concept does not apply" (RVU25D readme): global days XXX,
# indicator 9 of the multiple-procedure, bilateral, assistant, co-surgery, team and PC/TC columns.
NOT_APPLICABLE_VALUES = frozenset({"XXX", "9", "n/a", ""})


@dataclass(frozen=True)
class Facts:
    """What the fee schedule says about a code, as the sentences below need it."""

    code: str
    kind_label: str
    category: str
    descriptor: str  # the best descriptor we may show ("" when AMA text is hidden)
    in_fee_schedule: bool
    release: str = ""
    status: str = ""
    global_days: str = ""
    pctc: str = ""
    bilateral: str = ""
    assistant: str = ""
    co_surgery: str = ""
    multiple_procedure: str = ""
    endoscopic_base: str = ""
    work_rvu: Decimal | None = None
    national_non_facility: Decimal | None = None
    national_facility: Decimal | None = None
    no_amount_reason: str = ""
    has_26_tc: bool = False


@dataclass(frozen=True)
class PageContent:
    synonyms: tuple[str, ...]
    summary: str
    plain_language: str
    clinical_context: str
    billing_notes: str
    billing_facts: tuple[str, ...]  # rules from the fee schedule, always shown
    faqs: tuple[Faq, ...]
    sources: dict[str, str] = field(default_factory=dict)  # part -> "code", "category", "data"


def status_words(status: str) -> str:
    """The status indicator in plain words ("Active code, paid separately ...")."""
    return indicators.STATUS_CODES.get(status, f"Status {status}")


def is_add_on(global_days: str) -> bool:
    return global_days == "ZZZ"


def global_badge(global_days: str) -> str:
    """Short badge text: "90-day global", "Add-on code", "" when no global period applies."""
    return {
        "000": "0-day global",
        "010": "10-day global",
        "090": "90-day global",
        "MMM": "Maternity global",
        "YYY": "Global set by MAC",
        "ZZZ": "Add-on code",
    }.get(global_days, "")


def how_paid_instead(category: str, status: str) -> str:
    """Where payment comes from for a code the fee schedule does not price."""
    if status == "C":
        return (
            "The Medicare Administrative Contractor (MAC) for the region sets the amount, often "
            "after reviewing the documentation; commercial payers price it by contract."
        )
    if status == "J":
        return (
            "Anesthesia is paid as (base units + time units) x the anesthesia conversion factor "
            "of the locality, not from these RVUs."
        )
    if status in ("B", "P"):
        return "Its payment is included in the payment for the services it is billed with."
    if category in HOW_PAID_INSTEAD:
        return HOW_PAID_INSTEAD[category]
    if status == "I":
        return "Medicare pays a different code (often a HCPCS G code) for this service."
    if status == "M":
        return "It is reported for quality programs (MIPS) and carries no payment."
    return "Other payers set their own amounts, by fee schedule or contract."


# --- Indicators -----------------------------------------------------------------------------------

_GLOBAL_SENTENCES = {
    "000": (
        "Related care on the day of the procedure is in its payment; an E/M visit that day is "
        "generally not paid separately, and later visits are."
    ),
    "010": (
        "Related care on the day of the procedure and for 10 days after it is in its payment; "
        "E/M visits in that period are generally not paid separately."
    ),
    "090": (
        "A major procedure: the day before, the day of and 90 days of related postoperative "
        "care are paid as one package."
    ),
    "MMM": "A maternity code: the usual global surgery period does not apply.",
    "XXX": "The global surgery concept does not apply: no pre- or postoperative care is bundled.",
    "YYY": "The Medicare contractor decides whether a global period applies and sets it.",
    "ZZZ": (
        "An add-on code: reported only with its primary procedure and always inside that "
        "procedure's global period."
    ),
}

_MULTIPLE_SENTENCES = {
    "0": "No multiple-procedure reduction: paid at its full amount alongside other procedures.",
    "1": "Pre-1995 rules: ranked with other procedures and paid 100%, 50%, then 25% each.",
    "2": (
        "Standard rule (modifier 51): ranked by fee schedule amount with other procedures the "
        "same day; the highest is paid 100%, the others 50%."
    ),
    "3": (
        "Endoscopy rule: with another endoscopy of the same family, it is paid its value minus "
        "the base endoscopy's value{base}."
    ),
    "4": (
        "Imaging rule: in a session with other imaging, the technical component is reduced 50% "
        "after the first of the same family, and the professional component (which carries the "
        "work RVU) 5% after the first."
    ),
    "5": "Therapy rule: the practice expense of subsequent therapy services is reduced 50%.",
    "6": (
        "Cardiovascular rule: the technical component of the second and later diagnostic "
        "cardiovascular services is reduced 25%."
    ),
    "7": (
        "Ophthalmology rule: the technical component of the second and later diagnostic "
        "ophthalmology services is reduced 20%."
    ),
    "9": "Multiple-procedure rules do not apply to this code.",
}

_BILATERAL_SENTENCES = {
    "0": "Bilateral (modifier 50): not adjusted; both sides together are paid 100% of one side.",
    "1": (
        "Bilateral (modifier 50 on one line, RT and LT lines, or 2 units): paid at 150% of one "
        "side, before any multiple-procedure rule."
    ),
    "2": (
        "Already valued as bilateral: both sides together (modifier 50, RT and LT lines, or 2 "
        "units) are paid 100%."
    ),
    "3": (
        "Each side is paid at 100% (200% for both, however reported), typical of radiology and "
        "diagnostic tests."
    ),
    "9": "The bilateral concept does not apply.",
}

_ASSISTANT_SENTENCES = {
    "0": "An assistant at surgery is paid only when documentation shows it was necessary.",
    "1": "An assistant at surgery may not be paid (statutory restriction).",
    "2": (
        "An assistant at surgery may be paid: 16% of the amount (modifiers 80, 81, 82), 13.6% "
        "for a PA, NP or CNS (modifier AS)."
    ),
    "9": "The assistant-at-surgery concept does not apply.",
}

_CO_SURGERY_SENTENCES = {
    "0": "Co-surgeons (modifier 62) are not permitted.",
    "1": "Co-surgeons (modifier 62) may be paid with documentation; each gets 62.5%.",
    "2": "Co-surgeons (modifier 62) of two specialties are permitted; each gets 62.5%.",
    "9": "The co-surgery concept does not apply.",
}

_TEAM_SENTENCES = {
    "0": "Team surgery (modifier 66) is not permitted.",
    "1": "Team surgery (modifier 66) may be paid with documentation, priced by report.",
    "2": "Team surgery (modifier 66) is permitted, priced by report.",
    "9": "The team surgery concept does not apply.",
}

_PCTC_SENTENCES = {
    "0": "A physician service: it cannot be split, so modifiers 26 and TC do not apply.",
    "1": (
        "A diagnostic test with two parts: bill -26 for the interpretation (it carries the work "
        "RVU), -TC for equipment and staff, or no modifier for both."
    ),
    "2": "The professional part of a test, billed on its own; modifiers 26 and TC do not apply.",
    "3": "The technical part of a test only (no physician work); modifiers 26 and TC do not apply.",
    "4": (
        "The whole test only: its professional and technical parts have codes of their own, so "
        "modifiers 26 and TC do not apply."
    ),
    "5": (
        "An incident-to service by auxiliary staff under direct supervision; not payable for "
        "hospital patients."
    ),
    "6": "A laboratory interpretation by a physician; the test itself is paid from the lab fees.",
    "7": ("A therapy service not payable when an independent therapist treats a hospital patient."),
    "8": "A physician's interpretation of an abnormal smear for a hospital inpatient.",
    "9": "The professional/technical split does not apply.",
}


def _pct(share: Decimal) -> str:
    return f"{rounding.whole(share * 100 if share <= 1 else share)}%"


def _split_care_sentence(row) -> str:
    """What 54, 55 and 56 are paid (and credited: codes.credit applies the same shares)."""
    pre, intra, post = _pct(row.pre_op), _pct(row.intra_op), _pct(row.post_op)
    return (
        f"Of the package, {pre} is preoperative care, {intra} the procedure and hospital care, "
        f"{post} office follow-up. Modifier 54 (surgical care only) pays the preoperative and "
        f"intraoperative shares, {_pct(row.pre_op + row.intra_op)}; 55 (postoperative care "
        f"only) the postoperative share, {post}, prorated by the days of care given; 56 "
        f"(preoperative care only) the preoperative share, {pre}. 54 and 55 on one line pay "
        "the whole package."
    )


# (label, RelativeValue field, meanings, sentences, anchor prefix) of the policy columns shown as
# they are; the multiple-procedure sentence may name the endoscopic base ({base}).
_POLICY_COLUMNS = (
    (
        "Multiple procedures (51)",
        "multiple_procedure",
        indicators.MULTIPLE_PROCEDURE,
        _MULTIPLE_SENTENCES,
        "mult-proc",
    ),
    (
        "Bilateral (50)",
        "bilateral_surgery",
        indicators.BILATERAL_SURGERY,
        _BILATERAL_SENTENCES,
        "bilat-surg",
    ),
    (
        "Assistant at surgery (80/81/82/AS)",
        "assistant_surgery",
        indicators.ASSISTANT_SURGERY,
        _ASSISTANT_SENTENCES,
        "asst-surg",
    ),
    ("Co-surgery (62)", "co_surgery", indicators.CO_SURGERY, _CO_SURGERY_SENTENCES, "co-surg"),
    ("Team surgery (66)", "team_surgery", indicators.TEAM_SURGERY, _TEAM_SENTENCES, "team-surg"),
    ("PC/TC indicator", "pctc_indicator", indicators.PCTC_INDICATORS, _PCTC_SENTENCES, "pctc-ind"),
)


def indicator_rows(row) -> list[Indicator]:
    """The payment-policy indicators of a RelativeValue-like row, each with its sentence."""
    rows = [
        Indicator(
            "Global period",
            row.global_days,
            indicators.GLOBAL_DAYS.get(row.global_days, ""),
            _GLOBAL_SENTENCES.get(row.global_days, ""),
            f"global-days-{row.global_days.lower()}",
        )
    ]
    if row.pre_op or row.intra_op or row.post_op:
        rows.append(
            Indicator(
                "Pre / intra / post-op split",
                f"{_pct(row.pre_op)} / {_pct(row.intra_op)} / {_pct(row.post_op)}",
                "Shares of the global package",
                _split_care_sentence(row),
                "pre-intra-post-op-percentages",
            )
        )
    base = f" ({row.endoscopic_base})" if row.endoscopic_base else ""
    for label, name, meanings, sentences, anchor in _POLICY_COLUMNS:
        value = getattr(row, name)
        sentence = sentences.get(value, "").replace("{base}", base)
        rows.append(Indicator(label, value, meanings.get(value, ""), sentence, f"{anchor}-{value}"))
    rows.append(_endoscopy_indicator(row))
    return rows


def _endoscopy_indicator(row) -> Indicator:
    return Indicator(
        "Endoscopic base code",
        row.endoscopic_base or "n/a",
        "Base endoscopy of its family" if row.endoscopic_base else "Not an endoscopy family",
        (
            f"{row.endoscopic_base} is the diagnostic endoscopy this code builds on; it is "
            "not paid separately when billed with this code."
            if row.endoscopic_base
            else "The code belongs to no endoscopy family, so the endoscopy rule does not apply."
        ),
        "endo-base",
    )


# --- Editorial text with fallbacks ----------------------------------------------------------------


def _money(value: Decimal | None) -> str:
    return rounding.money(value) if value is not None else ""


def _rvu(value: Decimal | None) -> str:
    """An RVU as a sentence says it: two places ("19.11"); "no" when there is none."""
    return rounding.fixed(value, 2) if value is not None else "no"


def computed_summary(facts: Facts) -> str:
    what = f"{facts.code} is a {facts.kind_label} code in {facts.category}"
    what += f" for {_lower_first(facts.descriptor)}." if facts.descriptor else "."
    if not facts.in_fee_schedule:
        return what + " It is not on the current Medicare physician fee schedule."
    if facts.status in PRICED_STATUSES and facts.work_rvu:
        return what + f" It carries {_rvu(facts.work_rvu)} work RVUs in {facts.release}."
    if facts.status in PRICED_STATUSES:
        return what + " Medicare pays it under the physician fee schedule."
    return what + f" Fee schedule status {facts.status}: {status_words(facts.status).lower()}."


def computed_plain_language(facts: Facts, template: str) -> str:
    if template and facts.descriptor:
        start = template.lstrip().startswith("{descriptor}")
        descriptor = facts.descriptor if start else _lower_first(facts.descriptor)
        return template.replace("{descriptor}", descriptor)
    if facts.descriptor:
        return f"This code reports {_lower_first(facts.descriptor)}."
    return f"This code reports a service in the {facts.category} section of the code set."


def computed_clinical_context(facts: Facts) -> str:
    sentences = [f"{facts.code} sits in the {facts.category} section of the {facts.kind_label}"]
    sentences[0] += " code set."
    if facts.global_days in _GLOBAL_SENTENCES and facts.global_days != "XXX":
        sentences.append(_GLOBAL_SENTENCES[facts.global_days])
    if facts.pctc == "1":
        sentences.append(
            "As a diagnostic test, it is often split between the physician who interprets it "
            "and the facility that owns the equipment."
        )
    if facts.status == "I":
        sentences.append("Medicare does not accept it; check which code Medicare uses instead.")
    return " ".join(sentences)


def billing_facts(facts: Facts) -> list[str]:
    """Billing rules that follow from the fee schedule row (true for every code)."""
    if not facts.in_fee_schedule:
        return [
            "Not listed in the current Medicare physician fee schedule file: check the payer's "
            "own fee schedule or policy before billing it."
        ]
    out = [f"Status {facts.status}: {status_words(facts.status)}."]
    if facts.status not in PRICED_STATUSES:
        out.append(how_paid_instead(facts.category, facts.status))
    if facts.status == "R":
        out.append(RESTRICTED_COVERAGE)
    if is_add_on(facts.global_days):
        out.append(
            "Add-on code: report it with its primary procedure on the same claim; it is never "
            "reduced by the multiple-procedure rule."
        )
    if facts.pctc == "1":
        out.append("Use modifier 26 for the interpretation only and TC for the technical part.")
    if facts.bilateral == "1":
        out.append("For both sides, report it once with modifier 50 (paid at 150%).")
    if facts.multiple_procedure == "3" and facts.endoscopic_base:
        out.append(
            f"Do not bill the base endoscopy {facts.endoscopic_base} in addition when this "
            "code is billed."
        )
    if facts.global_days in ("010", "090"):
        days = int(facts.global_days)
        out.append(
            f"Visits for the same problem within {days} days after it are in the package; an "
            "unrelated visit needs modifier 24, the decision for surgery modifier 57."
        )
    if facts.global_days == "000":
        out.append(
            "A separately identifiable E/M on the same day needs modifier 25 and its own "
            "documentation."
        )
    return out


def computed_faqs(facts: Facts) -> list[Faq]:
    code = facts.code
    faqs = []
    if facts.in_fee_schedule and facts.status in PRICED_STATUSES:
        amounts = []
        if facts.national_non_facility is not None:
            amounts.append(f"{_money(facts.national_non_facility)} in an office (non-facility)")
        if facts.national_facility is not None:
            amounts.append(f"{_money(facts.national_facility)} in a facility")
        if amounts:
            faqs.append(
                Faq(
                    f"How much does Medicare pay for {code}?",
                    f"The {facts.release} national amount is {' and '.join(amounts)}, before "
                    "the geographic adjustment of your locality (GPCI). Pick a locality on this "
                    "page to see its amount.",
                )
            )
        faqs.append(
            Faq(
                f"How many work RVUs is {code}?",
                f"{code} carries {_rvu(facts.work_rvu)} work RVUs in {facts.release}. Work RVU "
                "credit is the work RVU times units; the geographic index is never applied to it.",
            )
        )
    elif facts.in_fee_schedule:
        faqs.append(
            Faq(
                f"Why does {code} have no Medicare fee schedule amount?",
                f"Its status is {facts.status} ({status_words(facts.status).lower()}). "
                + how_paid_instead(facts.category, facts.status),
            )
        )
    if is_add_on(facts.global_days):
        faqs.append(
            Faq(
                f"Is {code} an add-on code?",
                f"Yes. Its global period is ZZZ: {code} is reported only with a primary "
                "procedure and is paid at 100%, never reduced as a multiple procedure.",
            )
        )
    elif facts.global_days in ("000", "010", "090"):
        faqs.append(
            Faq(
                f"What is the global period of {code}?",
                f"{int(facts.global_days)} days. " + _GLOBAL_SENTENCES[facts.global_days],
            )
        )
    if facts.has_26_tc:
        faqs.append(
            Faq(
                f"Can {code} be billed with modifier 26 or TC?",
                "Yes. The professional component (-26) carries the whole work RVU and pays the "
                "interpretation; the technical component (-TC) pays equipment and staff.",
            )
        )
    return faqs


def compose(*, facts: Facts, own=None, own_faqs=(), category_default=None) -> PageContent:
    """Editorial text for the code where written, else the category's, else computed sentences.

    `own` is a CodeContent (or None), `own_faqs` its CodeFaq rows, `category_default` a
    CategoryContent (or None).
    """
    sources = {}

    def pick(part, *candidates):
        for source, text in candidates:
            if text and text.strip():
                sources[part] = source
                return text.strip()
        return ""

    summary = pick("summary", ("code", own and own.summary), ("data", computed_summary(facts)))
    plain = pick(
        "plain_language",
        ("code", own and own.plain_language),
        (
            "category",
            category_default
            and category_default.plain_language_template
            and facts.descriptor
            and computed_plain_language(facts, category_default.plain_language_template),
        ),
        ("data", computed_plain_language(facts, "")),
    )
    clinical = pick(
        "clinical_context",
        ("code", own and own.clinical_context),
        ("category", category_default and category_default.clinical_context),
        ("data", computed_clinical_context(facts)),
    )
    billing = pick(
        "billing_notes",
        ("code", own and own.billing_notes),
        ("category", category_default and category_default.billing_notes),
    )
    faqs = [Faq(f.question, f.answer) for f in own_faqs]
    if not any(f.question.lower().startswith(f"what is {facts.code.lower()}") for f in faqs):
        faqs.insert(0, Faq(f"What is {_code_name(facts)}?", summary))
    asked = " ".join(f.question.lower() for f in own_faqs)
    faqs += [f for f in computed_faqs(facts) if not _already_asked(f.question, asked)]
    return PageContent(
        synonyms=tuple(own.synonym_list) if own else (),
        summary=summary,
        plain_language=plain,
        clinical_context=clinical,
        billing_notes=billing,
        billing_facts=tuple(billing_facts(facts)),
        faqs=tuple(faqs),
        sources=sources,
    )


# A computed question is left out when the written FAQ already asks about its topic.
_TOPICS = {
    "how much does medicare pay": ("pay", "reimburse", "amount"),
    "how many work rvus": ("work rvu", "wrvu", "rvus"),
    "have no medicare fee schedule amount": ("rvu", "paid", "pay", "amount"),
    "an add-on code": ("add-on",),
    "global period": ("global",),
    "modifier 26 or tc": ("26", "tc", "component"),
}


def _already_asked(question: str, asked: str) -> bool:
    question = question.lower()
    for marker, words in _TOPICS.items():
        if marker in question:
            return any(word in asked for word in words)
    return question in asked


def _code_name(facts: Facts) -> str:
    if facts.kind_label == categories.KIND_LABELS[categories.HCPCS_LEVEL_II]:
        return f"HCPCS code {facts.code}"
    return f"CPT code {facts.code}"


def _lower_first(text: str) -> str:
    """ "Total knee arthroplasty" -> "total knee arthroplasty"; keeps acronyms ("CT head")."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text
