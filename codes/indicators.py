"""The PPRRVU indicator values and what they mean, as the CMS readme (RVU25D.pdf) documents them.

Plain data with no ORM, shared by the parser (to reject values the readme does not know), the
models (as choices) and the pages (to explain a value).
"""

STATUS_CODES = {
    "A": "Active code, paid separately under the fee schedule",
    "B": "Bundled into payment for other services",
    "C": "Contractor (MAC) priced",
    "D": "Deleted code",
    "E": "Excluded from the fee schedule by regulation",
    "F": "Deleted, no grace period",
    "G": "Not valid for Medicare, grace period",
    "H": "Deleted modifier",
    "I": "Not valid for Medicare, another code is used",
    "J": "Anesthesia service",
    "M": "Measurement code, for reporting only",
    "N": "Not covered by Medicare",
    "P": "Bundled or excluded",
    "R": "Restricted coverage",
    "T": "Paid only if no other service is paid that day",
    "X": "Statutory exclusion",
}

PCTC_INDICATORS = {
    "0": "Physician service: professional/technical split does not apply",
    "1": "Diagnostic test with professional and technical components",
    "2": "Professional component only",
    "3": "Technical component only",
    "4": "Global test only",
    "5": "Incident-to service",
    "6": "Laboratory physician interpretation",
    "7": "Physical therapy service not payable in a hospital setting",
    "8": "Physician interpretation of an abnormal smear",
    "9": "Concept does not apply",
}

GLOBAL_DAYS = {
    "000": "Endoscopic or minor procedure, day of procedure only",
    "010": "Minor procedure with a 10-day postoperative period",
    "090": "Major surgery with a 90-day postoperative period",
    "MMM": "Maternity: the usual global period does not apply",
    "XXX": "Global concept does not apply",
    "YYY": "Carrier sets the global period",
    "ZZZ": "Add-on code, in another service's global period",
}

MULTIPLE_PROCEDURE = {
    "0": "No multiple procedure reduction",
    "1": "Pre-1995 multiple procedure rules",
    "2": "Standard multiple procedure rules",
    "3": "Multiple endoscopy rules",
    "4": "Diagnostic imaging family rules",
    "5": "Therapy practice expense reduction",
    "6": "Diagnostic cardiovascular technical component reduction",
    "7": "Diagnostic ophthalmology technical component reduction",
    "9": "Concept does not apply",
}

BILATERAL_SURGERY = {
    "0": "150% bilateral adjustment does not apply",
    "1": "150% bilateral adjustment applies",
    "2": "Already priced as bilateral",
    "3": "Each side paid at 100%",
    "9": "Concept does not apply",
}

ASSISTANT_SURGERY = {
    "0": "Assistant payable with documentation",
    "1": "Assistant at surgery may not be paid",
    "2": "Assistant at surgery may be paid",
    "9": "Concept does not apply",
}

CO_SURGERY = {
    "0": "Co-surgeons not permitted",
    "1": "Co-surgeons with documentation",
    "2": "Co-surgeons permitted",
    "9": "Concept does not apply",
}

TEAM_SURGERY = {
    "0": "Team surgeons not permitted",
    "1": "Team surgeons with documentation, by report",
    "2": "Team surgeons permitted, by report",
    "9": "Concept does not apply",
}

NA_INDICATOR = {"": "Payable in this setting", "NA": "Not payable in this setting"}


def choices(values: dict[str, str]) -> list[tuple[str, str]]:
    """Django `choices` from one of the tables above, the code shown before its meaning."""
    return [(code, f"{code} - {label}" if code else label) for code, label in values.items()]
