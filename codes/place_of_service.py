"""Where a service was performed, read from practice data: a CMS place-of-service (POS) code
("11", "POS 21", "22 - On Campus-Outpatient Hospital") or the words people use ("Office", "ASC",
"ED"), and the Physician Fee Schedule setting it is priced in. Pure functions.

Sources:
- The POS code set (code and name): CMS, "Place of Service Code Set"
  (https://www.cms.gov/medicare/coding-billing/place-of-service-codes/code-sets).
- Which codes are paid at the facility rate: Medicare Claims Processing Manual (Pub. 100-04),
  chapter 12, section 20.4.2 "Site of Service Payment Differential", and chapter 26, section 10.5
  (each code with its "payment rate = facility/nonfacility"). Facility: 02, 19, 21, 22, 23, 24,
  26, 31, 34, 41, 42, 51, 52, 53, 56, 61; every other code Medicare pays is non-facility.
  POS 10 (telehealth in the patient's home) is paid at the non-facility rate from 2024.
- Codes the manual does not price under the fee schedule (Indian Health Service and tribal 638
  facilities, 05-08) have no setting here: a row naming one is an error, so a person decides.

A code, not a number: the fee schedule's figures are imported from CMS's files, never typed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .credit import Setting

FACILITY = Setting.FACILITY.value
NON_FACILITY = Setting.NON_FACILITY.value
SETTING_LABELS = {FACILITY: "facility", NON_FACILITY: "non-facility"}


@dataclass(frozen=True)
class Place:
    code: str  # two digits, "11"
    name: str  # CMS's name, "Office"
    setting: str | None  # FACILITY, NON_FACILITY, or None where the fee schedule does not apply

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


# fmt: off
PLACES = {place.code: place for place in (
    Place("01", "Pharmacy", NON_FACILITY),
    Place("02", "Telehealth provided other than in patient's home", FACILITY),
    Place("03", "School", NON_FACILITY),
    Place("04", "Homeless shelter", NON_FACILITY),
    Place("05", "Indian Health Service free-standing facility", None),
    Place("06", "Indian Health Service provider-based facility", None),
    Place("07", "Tribal 638 free-standing facility", None),
    Place("08", "Tribal 638 provider-based facility", None),
    Place("09", "Prison/correctional facility", NON_FACILITY),
    Place("10", "Telehealth provided in patient's home", NON_FACILITY),
    Place("11", "Office", NON_FACILITY),
    Place("12", "Home", NON_FACILITY),
    Place("13", "Assisted living facility", NON_FACILITY),
    Place("14", "Group home", NON_FACILITY),
    Place("15", "Mobile unit", NON_FACILITY),
    Place("16", "Temporary lodging", NON_FACILITY),
    Place("17", "Walk-in retail health clinic", NON_FACILITY),
    Place("18", "Place of employment-worksite", NON_FACILITY),
    Place("19", "Off campus-outpatient hospital", FACILITY),
    Place("20", "Urgent care facility", NON_FACILITY),
    Place("21", "Inpatient hospital", FACILITY),
    Place("22", "On campus-outpatient hospital", FACILITY),
    Place("23", "Emergency room-hospital", FACILITY),
    Place("24", "Ambulatory surgical center", FACILITY),
    Place("25", "Birthing center", NON_FACILITY),
    Place("26", "Military treatment facility", FACILITY),
    Place("27", "Outreach site/street", NON_FACILITY),
    Place("31", "Skilled nursing facility", FACILITY),
    Place("32", "Nursing facility", NON_FACILITY),
    Place("33", "Custodial care facility", NON_FACILITY),
    Place("34", "Hospice", FACILITY),
    Place("41", "Ambulance-land", FACILITY),
    Place("42", "Ambulance-air or water", FACILITY),
    Place("49", "Independent clinic", NON_FACILITY),
    Place("50", "Federally qualified health center", NON_FACILITY),
    Place("51", "Inpatient psychiatric facility", FACILITY),
    Place("52", "Psychiatric facility-partial hospitalization", FACILITY),
    Place("53", "Community mental health center", FACILITY),
    Place("54", "Intermediate care facility/individuals with intellectual disabilities",
          NON_FACILITY),
    Place("55", "Residential substance abuse treatment facility", NON_FACILITY),
    Place("56", "Psychiatric residential treatment center", FACILITY),
    Place("57", "Non-residential substance abuse treatment facility", NON_FACILITY),
    Place("58", "Non-residential opioid treatment facility", NON_FACILITY),
    Place("60", "Mass immunization center", NON_FACILITY),
    Place("61", "Comprehensive inpatient rehabilitation facility", FACILITY),
    Place("62", "Comprehensive outpatient rehabilitation facility", NON_FACILITY),
    Place("65", "End-stage renal disease treatment facility", NON_FACILITY),
    Place("71", "Public health clinic", NON_FACILITY),
    Place("72", "Rural health clinic", NON_FACILITY),
    Place("81", "Independent laboratory", NON_FACILITY),
    Place("99", "Other place of service", NON_FACILITY),
)}

# The words of practice data (letters and digits only, lower case), each to the POS code whose
# rate it means; "facility" and "non-facility" themselves name the setting without a code.
WORDS = {
    "office": "11", "physicianoffice": "11", "physiciansoffice": "11", "doctorsoffice": "11",
    "clinic": "11", "officeclinic": "11", "outpatientclinic": "11", "officevisit": "11",
    "home": "12", "urgentcare": "20",
    "hospital": "21", "inpatient": "21", "inpatienthospital": "21", "ip": "21",
    "outpatient": "22", "outpatienthospital": "22", "hospitaloutpatient": "22", "hopd": "22",
    "op": "22", "offcampusoutpatienthospital": "19", "oncampusoutpatienthospital": "22",
    "ed": "23", "er": "23", "emergency": "23", "emergencyroom": "23",
    "emergencydepartment": "23", "emergencyroomhospital": "23",
    "asc": "24", "ambulatorysurgerycenter": "24", "ambulatorysurgicalcenter": "24",
    "surgerycenter": "24", "surgicalcenter": "24",
    "snf": "31", "skillednursingfacility": "31",
    "nursingfacility": "32", "nursinghome": "32",
    "hospice": "34",
}
SETTING_WORDS = {
    "facility": FACILITY, "fac": FACILITY, "f": FACILITY,
    "nonfacility": NON_FACILITY, "nonfacilityoffice": NON_FACILITY, "nf": NON_FACILITY,
    "nonfac": NON_FACILITY,
}
# fmt: on

# "11", "POS 11", "11 - Office", "11.0" (a spreadsheet number): a POS code, perhaps with its name.
CODE_RE = re.compile(
    r"^(?:pos\s*:?\s*)?(\d{1,2})(?:\.0+)?(?:(?:\s*[-:\u2013\u2014]\s*|\s+)([^\d\s].*))?$", re.I
)


@dataclass(frozen=True)
class Reading:
    """A place as read: the setting it is priced in and how to show it ("11 Office")."""

    setting: str
    label: str

    def __str__(self) -> str:
        return f"{self.label} → {SETTING_LABELS[self.setting]}"


class UnknownPlace(ValueError):
    """The text names no place of service; the message says why, naming the text."""


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def read_place(text: str) -> Reading:
    """The setting a cell of practice data means. Raises UnknownPlace naming the text."""
    text = " ".join(str(text).split())
    match = CODE_RE.match(text)
    if match:
        return _read_code(text, match.group(1).zfill(2))
    key = _key(text)
    if key in SETTING_WORDS:
        setting = SETTING_WORDS[key]
        return Reading(setting, SETTING_LABELS[setting].capitalize())
    if key in WORDS:
        place = PLACES[WORDS[key]]
        return Reading(place.setting, f"{text} (POS {place.code})")
    raise UnknownPlace(
        f"“{text}” is not a place of service: use a POS code such as 11 or 22, or office, "
        "hospital, ASC, ED, facility or non-facility."
    )


def _read_code(text: str, code: str) -> Reading:
    place = PLACES.get(code)
    if place is None:
        raise UnknownPlace(f"“{text}”: {code} is not a CMS place-of-service code.")
    if place.setting is None:
        raise UnknownPlace(
            f"“{text}”: POS {place.label} has no facility or non-facility rate on the "
            "Physician Fee Schedule; give the setting (facility or non-facility) instead."
        )
    return Reading(place.setting, place.label)
