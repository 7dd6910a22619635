"""Which kind of code a HCPCS code is and which section of the code set it belongs to.

Plain functions: the kind follows the code's shape (CPT Category I codes are five digits or four
digits and a letter for PLA/MAAA/vaccine codes, Category II end in F, Category III in T, HCPCS
Level II start with a letter) and the category follows the CPT section ranges and, for Level II,
the first letter.
"""

import re

CPT_CATEGORY_I = "cpt1"
CPT_CATEGORY_II = "cpt2"
CPT_CATEGORY_III = "cpt3"
HCPCS_LEVEL_II = "hcpcs2"

KIND_LABELS = {
    CPT_CATEGORY_I: "CPT Category I",
    CPT_CATEGORY_II: "CPT Category II",
    CPT_CATEGORY_III: "CPT Category III",
    HCPCS_LEVEL_II: "HCPCS Level II",
}

CODE_PATTERN = re.compile(r"^[A-Z0-9]{4}[A-Z0-9]$")

# CPT Category I sections by numeric range (AMA CPT code set layout).
_CPT_SECTIONS = (
    (0, 99, "Medicine"),  # never issued; keeps the table total
    (100, 1999, "Anesthesia"),
    (2000, 69999, "Surgery"),
    (70000, 79999, "Radiology"),
    (80000, 89999, "Pathology and Laboratory"),
    (90000, 99199, "Medicine"),
    (99200, 99499, "E/M"),
    (99500, 99999, "Medicine"),
)

# Four digits and a letter inside Category I.
_CPT_ALPHA_SUFFIX = {
    "U": "Pathology and Laboratory",  # proprietary laboratory analyses (PLA)
    "M": "Pathology and Laboratory",  # multianalyte assays (MAAA)
    "A": "Medicine",  # vaccine and immunization administration
}

LEVEL_II_CATEGORIES = {
    "A": "Transportation, Medical and Surgical Supplies",
    "B": "Enteral and Parenteral Therapy",
    "C": "Outpatient PPS (Temporary)",
    "D": "Dental",
    "E": "Durable Medical Equipment",
    "G": "Procedures and Professional Services (Temporary)",
    "H": "Alcohol and Drug Abuse Treatment",
    "J": "J Codes (Drugs)",
    "K": "DME MAC (Temporary)",
    "L": "Orthotics and Prosthetics",
    "M": "Medical Services and Quality Measures",
    "P": "Pathology and Laboratory (Level II)",
    "Q": "Temporary Codes (Q)",
    "R": "Diagnostic Radiology Services",
    "S": "Temporary National Codes (Non-Medicare)",
    "T": "State Medicaid Agency Codes",
    "U": "Coronavirus Laboratory Tests",
    "V": "Vision, Hearing and Speech Services",
}


def code_kind(code: str) -> str:
    """CPT Category I/II/III or HCPCS Level II, from the code's shape."""
    if code[:1].isalpha():
        return HCPCS_LEVEL_II
    if code[-1] == "F":
        return CPT_CATEGORY_II
    if code[-1] == "T":
        return CPT_CATEGORY_III
    return CPT_CATEGORY_I


def code_category(code: str) -> str:
    """The section a code belongs to: "E/M", "Surgery", "J Codes (Drugs)", ..."""
    kind = code_kind(code)
    if kind == CPT_CATEGORY_II:
        return "Category II"
    if kind == CPT_CATEGORY_III:
        return "Category III"
    if kind == HCPCS_LEVEL_II:
        return LEVEL_II_CATEGORIES.get(code[0], "HCPCS Level II")
    if code.isdigit():
        number = int(code)
        for low, high, section in _CPT_SECTIONS:
            if low <= number <= high:
                return section
    return _CPT_ALPHA_SUFFIX.get(code[-1], "Other")
