"""Modifiers a clinician may put on a line, in our own short words.

CPT modifiers are two digits (AMA); HCPCS Level II modifiers are two characters (CMS). The list
holds the ones that matter when logging professional services; the credit engine reads the
pricing ones (22, 26, 50, 52, 53, 54, 55, 56, 62, 66, 80, 81, 82, AS, TC).
"""

import re

from .quick_entry import MAX_MODIFIERS

MODIFIERS = {
    # CPT
    "22": "Increased procedural services",
    "23": "Unusual anesthesia",
    "24": "Unrelated E/M during a postoperative period",
    "25": "Significant, separately identifiable E/M on the same day",
    "26": "Professional component",
    "27": "Multiple outpatient hospital E/M encounters on the same date",
    "32": "Mandated services",
    "33": "Preventive services",
    "47": "Anesthesia by the surgeon",
    "50": "Bilateral procedure",
    "51": "Multiple procedures",
    "52": "Reduced services",
    "53": "Discontinued procedure",
    "54": "Surgical care only",
    "55": "Postoperative management only",
    "56": "Preoperative management only",
    "57": "Decision for surgery",
    "58": "Staged or related procedure during the postoperative period",
    "59": "Distinct procedural service",
    "62": "Two surgeons (co-surgery)",
    "63": "Procedure on infants less than 4 kg",
    "66": "Surgical team",
    "76": "Repeat procedure by the same physician",
    "77": "Repeat procedure by another physician",
    "78": "Unplanned return to the operating room during the postoperative period",
    "79": "Unrelated procedure during the postoperative period",
    "80": "Assistant surgeon",
    "81": "Minimum assistant surgeon",
    "82": "Assistant surgeon when no qualified resident is available",
    "90": "Reference (outside) laboratory",
    "91": "Repeat clinical diagnostic laboratory test",
    "92": "Alternative laboratory platform testing",
    "93": "Synchronous telemedicine service by audio only",
    "95": "Synchronous telemedicine service by audio and video",
    "96": "Habilitative services",
    "97": "Rehabilitative services",
    "99": "Multiple modifiers",
    # HCPCS Level II
    "AS": "Assistant at surgery by a PA, NP or CNS",
    "AI": "Principal physician of record",
    "CR": "Catastrophe or disaster related",
    "CS": "Cost-sharing waived",
    "E1": "Upper left eyelid",
    "E2": "Lower left eyelid",
    "E3": "Upper right eyelid",
    "E4": "Lower right eyelid",
    "F1": "Left hand, second digit",
    "F2": "Left hand, third digit",
    "F3": "Left hand, fourth digit",
    "F4": "Left hand, fifth digit",
    "F5": "Right hand, thumb",
    "F6": "Right hand, second digit",
    "F7": "Right hand, third digit",
    "F8": "Right hand, fourth digit",
    "F9": "Right hand, fifth digit",
    "FA": "Left hand, thumb",
    "FS": "Split or shared E/M visit",
    "FT": "Unrelated E/M visit on the same day as another E/M or during a global period",
    "GA": "Waiver of liability statement on file",
    "GC": "Service performed in part by a resident under a teaching physician",
    "GE": "Service performed by a resident without a teaching physician (primary care exception)",
    "GT": "Interactive audio and video telecommunication",
    "GY": "Statutorily excluded item or service",
    "GZ": "Expected to be denied as not reasonable and necessary",
    "JW": "Drug amount discarded",
    "JZ": "Zero drug amount discarded",
    "KX": "Requirements in the medical policy are met",
    "LC": "Left circumflex coronary artery",
    "LD": "Left anterior descending coronary artery",
    "LM": "Left main coronary artery",
    "LT": "Left side",
    "Q5": "Reciprocal billing arrangement",
    "Q6": "Fee-for-time compensation arrangement",
    "QK": "Medical direction of 2 to 4 anesthesia procedures",
    "QX": "CRNA service with medical direction",
    "QY": "Medical direction of one CRNA",
    "QZ": "CRNA service without medical direction",
    "RC": "Right coronary artery",
    "RI": "Ramus intermedius coronary artery",
    "RT": "Right side",
    "SA": "Nurse practitioner rendering service with a physician",
    "SG": "Ambulatory surgical center facility service",
    "T1": "Left foot, second digit",
    "T2": "Left foot, third digit",
    "T3": "Left foot, fourth digit",
    "T4": "Left foot, fifth digit",
    "T5": "Right foot, great toe",
    "T6": "Right foot, second digit",
    "T7": "Right foot, third digit",
    "T8": "Right foot, fourth digit",
    "T9": "Right foot, fifth digit",
    "TA": "Left foot, great toe",
    "TC": "Technical component",
    "X1": "Continuous or broad services",
    "X2": "Continuous or focused services",
    "X3": "Episodic or broad services",
    "X4": "Episodic or focused services",
    "X5": "Diagnostic services requested by another clinician",
    "XE": "Separate encounter",
    "XP": "Separate practitioner",
    "XS": "Separate structure or organ",
    "XU": "Unusual non-overlapping service",
}

VALID_MODIFIERS = frozenset(MODIFIERS)

# Between the modifiers of one line as people write them: "50-LT", "50 LT", "50, LT", "50/LT".
SEPARATORS = re.compile(r"[\s,;/\-]+")


def read_modifiers(text: str) -> tuple[tuple[str, ...], list[str]]:
    """The modifiers written in `text` (upper-cased, in order) and what is wrong with them,
    one message each: an unknown modifier (named), one given twice, more than a line takes."""
    modifiers = tuple(m for m in SEPARATORS.split(str(text or "").upper()) if m)
    errors = [f"{m} is not a modifier." for m in modifiers if m not in VALID_MODIFIERS]
    if len(set(modifiers)) != len(modifiers):
        errors.append("A modifier is given twice.")
    if len(modifiers) > MAX_MODIFIERS:
        errors.append(f"At most {MAX_MODIFIERS} modifiers per line.")
    return modifiers, errors
