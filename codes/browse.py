"""The sections of the code set that /cpt-codes/ lists: CPT sections and ranges (Surgery by body
system) and HCPCS Level II by letter. Plain data; the ranges follow the AMA CPT code set layout.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import categories


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    range_label: str  # e.g. "99202-99499"
    description: str
    category: str  # Code.category of its codes
    low: str = ""  # inclusive code bounds inside the category (five-digit codes compare as text)
    high: str = ""
    parent: str = ""  # slug of the section it belongs to

    @property
    def url(self) -> str:
        return f"/cpt-codes/browse/{self.slug}/"

    def contains(self, code: str, category: str) -> bool:
        if category != self.category:
            return False
        return not self.low or self.low <= code <= self.high


_SURGERY = [
    ("integumentary", "Integumentary system", "10004-19499", "10000", "19999",
     "Skin, subcutaneous tissue, nails and breast: repairs, excisions, grafts, biopsies."),
    ("musculoskeletal", "Musculoskeletal system", "20100-29999", "20000", "29999",
     "Bones, joints and muscles: fractures, arthroplasty, arthroscopy, spine, casts."),
    ("respiratory", "Respiratory system", "30000-32999", "30000", "32999",
     "Nose, sinuses, larynx, trachea, bronchi and lungs."),
    ("cardiovascular", "Cardiovascular system", "33016-37799", "33000", "37999",
     "Heart, valves, vessels, vascular access and interventions."),
    ("hemic-lymphatic", "Hemic and lymphatic systems", "38100-38999", "38000", "38999",
     "Spleen, bone marrow and lymph nodes."),
    ("mediastinum-diaphragm", "Mediastinum and diaphragm", "39000-39599", "39000", "39999",
     "Mediastinal and diaphragm procedures."),
    ("digestive", "Digestive system", "40490-49999", "40000", "49999",
     "Mouth to anus, liver, biliary tract, pancreas, abdomen and hernias; GI endoscopy."),
    ("urinary", "Urinary system", "50010-53899", "50000", "53999",
     "Kidneys, ureters, bladder and urethra."),
    ("male-genital", "Male genital system", "54000-55899", "54000", "55899",
     "Penis, testes, epididymis, prostate."),
    ("reproductive-intersex", "Reproductive and intersex surgery", "55920-55980", "55900", "55999",
     "Reproductive system and intersex procedures."),
    ("female-genital", "Female genital system", "56405-58999", "56000", "58999",
     "Vulva, vagina, cervix, uterus, tubes and ovaries."),
    ("maternity", "Maternity care and delivery", "59000-59899", "59000", "59999",
     "Antepartum care, delivery and postpartum care."),
    ("endocrine", "Endocrine system", "60000-60699", "60000", "60999",
     "Thyroid, parathyroid, adrenal and thymus."),
    ("nervous", "Nervous system", "61000-64999", "61000", "64999",
     "Skull, brain, spine and spinal cord, nerves; nerve blocks and neurostimulators."),
    ("eye", "Eye and ocular adnexa", "65091-68899", "65000", "68999",
     "Eye, eyelids, conjunctiva and lacrimal system."),
    ("auditory", "Auditory system", "69000-69979", "69000", "69979",
     "External, middle and inner ear."),
    ("operating-microscope", "Operating microscope", "69990", "69980", "69999",
     "The add-on code for microsurgical technique."),
]  # fmt: skip

SECTIONS: list[Section] = [
    Section(
        "evaluation-and-management",
        "Evaluation and Management (E/M)",
        "99202-99499",
        "Office, hospital, emergency, critical care, nursing facility and other visits.",
        "E/M",
    ),
    Section(
        "anesthesia",
        "Anesthesia",
        "00100-01999",
        "Anesthesia services by body region, paid with base and time units.",
        "Anesthesia",
    ),
    Section(
        "surgery",
        "Surgery",
        "10004-69990",
        "Procedures by body system, most with a global surgical package.",
        "Surgery",
    ),
    *[
        Section(slug, title, label, text, "Surgery", low, high, parent="surgery")
        for slug, title, label, low, high, text in _SURGERY
    ],
    Section(
        "radiology",
        "Radiology",
        "70010-79999",
        "Diagnostic imaging, ultrasound, nuclear medicine and radiation oncology.",
        "Radiology",
    ),
    Section(
        "pathology-and-laboratory",
        "Pathology and Laboratory",
        "80047-89398, PLA ####U",
        "Laboratory panels, chemistry, microbiology, pathology and proprietary analyses.",
        "Pathology and Laboratory",
    ),
    Section(
        "medicine",
        "Medicine",
        "90281-99199, 99500-99607",
        "Vaccines, psychiatry, dialysis, cardiology, neurology, therapy and other services.",
        "Medicine",
    ),
    Section(
        "category-ii",
        "CPT Category II",
        "####F",
        "Performance measurement codes, reported for quality programs and not paid.",
        "Category II",
    ),
    Section(
        "category-iii",
        "CPT Category III",
        "####T",
        "Temporary codes for emerging technology, services and procedures.",
        "Category III",
    ),
    *[
        Section(
            f"hcpcs-{letter.lower()}",
            name if name.startswith(f"{letter} Codes") else f"HCPCS {letter} codes: {name}",
            f"{letter}0000-{letter}9999",
            f"HCPCS Level II codes starting with {letter}.",
            name,
        )
        for letter, name in categories.LEVEL_II_CATEGORIES.items()
    ],
]
BY_SLUG = {s.slug: s for s in SECTIONS}

# The original site's category slugs, for its old addresses /cpt-codes/<slug>/.
OLD_SLUGS = {
    "em": "evaluation-and-management",
    "e-m": "evaluation-and-management",
    "evaluation-management": "evaluation-and-management",
    "j-codes": "hcpcs-j",
    "surgery": "surgery",
    "radiology": "radiology",
    "pathology": "pathology-and-laboratory",
    "lab": "pathology-and-laboratory",
    "medicine": "medicine",
    "anesthesia": "anesthesia",
}


def children(section: Section) -> list[Section]:
    return [s for s in SECTIONS if s.parent == section.slug]


def top_level() -> list[Section]:
    return [s for s in SECTIONS if not s.parent]


def section_for(code: str, kind: str) -> Section | None:
    """The most specific section a code belongs to (a Surgery subsection rather than Surgery)."""
    category = categories.code_category(code)
    found = None
    for section in SECTIONS:
        if section.contains(code, category) and (found is None or section.parent):
            found = section
    return found
