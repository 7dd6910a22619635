"""Place of service read from practice data: CMS POS codes and the words people use, each to the
setting the Physician Fee Schedule prices it in (Claims Processing Manual ch. 12 §20.4.2)."""

import pytest

from codes.place_of_service import PLACES, UnknownPlace, read_place

FACILITY, NON_FACILITY = "facility", "non_facility"


@pytest.mark.parametrize(
    ("text", "setting", "shown"),
    [
        # CMS POS codes, as numbers, with "POS", with their names, as a spreadsheet number
        ("11", NON_FACILITY, "11 Office → non-facility"),
        ("POS 11", NON_FACILITY, "11 Office → non-facility"),
        ("11 - Office", NON_FACILITY, "11 Office → non-facility"),
        ("11.0", NON_FACILITY, "11 Office → non-facility"),
        ("2", FACILITY, "02 Telehealth provided other than in patient's home → facility"),
        ("10", NON_FACILITY, "10 Telehealth provided in patient's home → non-facility"),
        ("12", NON_FACILITY, "12 Home → non-facility"),
        ("19", FACILITY, "19 Off campus-outpatient hospital → facility"),
        ("20", NON_FACILITY, "20 Urgent care facility → non-facility"),
        ("21", FACILITY, "21 Inpatient hospital → facility"),
        ("22", FACILITY, "22 On campus-outpatient hospital → facility"),
        ("23", FACILITY, "23 Emergency room-hospital → facility"),
        ("24", FACILITY, "24 Ambulatory surgical center → facility"),
        ("26", FACILITY, "26 Military treatment facility → facility"),
        ("31", FACILITY, "31 Skilled nursing facility → facility"),
        ("32", NON_FACILITY, "32 Nursing facility → non-facility"),
        ("34", FACILITY, "34 Hospice → facility"),
        ("41", FACILITY, "41 Ambulance-land → facility"),
        ("42", FACILITY, "42 Ambulance-air or water → facility"),
        ("49", NON_FACILITY, "49 Independent clinic → non-facility"),
        ("51", FACILITY, "51 Inpatient psychiatric facility → facility"),
        ("52", FACILITY, "52 Psychiatric facility-partial hospitalization → facility"),
        ("53", FACILITY, "53 Community mental health center → facility"),
        ("56", FACILITY, "56 Psychiatric residential treatment center → facility"),
        ("61", FACILITY, "61 Comprehensive inpatient rehabilitation facility → facility"),
        ("62", NON_FACILITY, "62 Comprehensive outpatient rehabilitation facility → non-facility"),
        ("99", NON_FACILITY, "99 Other place of service → non-facility"),
        # words
        ("Office", NON_FACILITY, "Office (POS 11) → non-facility"),
        ("clinic", NON_FACILITY, "clinic (POS 11) → non-facility"),
        ("Physician office", NON_FACILITY, "Physician office (POS 11) → non-facility"),
        ("Physician's Office", NON_FACILITY, "Physician's Office (POS 11) → non-facility"),
        ("Hospital", FACILITY, "Hospital (POS 21) → facility"),
        ("INPATIENT", FACILITY, "INPATIENT (POS 21) → facility"),
        ("Outpatient", FACILITY, "Outpatient (POS 22) → facility"),
        ("Outpatient hospital", FACILITY, "Outpatient hospital (POS 22) → facility"),
        ("ASC", FACILITY, "ASC (POS 24) → facility"),
        ("Ambulatory Surgery Center", FACILITY, "Ambulatory Surgery Center (POS 24) → facility"),
        ("ED", FACILITY, "ED (POS 23) → facility"),
        ("Emergency", FACILITY, "Emergency (POS 23) → facility"),
        ("Emergency department", FACILITY, "Emergency department (POS 23) → facility"),
        ("SNF", FACILITY, "SNF (POS 31) → facility"),
        ("Skilled nursing facility", FACILITY, "Skilled nursing facility (POS 31) → facility"),
        ("Nursing facility", NON_FACILITY, "Nursing facility (POS 32) → non-facility"),
        # the settings themselves
        ("facility", FACILITY, "Facility → facility"),
        ("Non-facility", NON_FACILITY, "Non-facility → non-facility"),
        ("non_facility", NON_FACILITY, "Non-facility → non-facility"),
        ("NF", NON_FACILITY, "Non-facility → non-facility"),
        ("  office  ", NON_FACILITY, "office (POS 11) → non-facility"),
    ],
)
def test_codes_and_words_read_as_the_setting_they_are_priced_in(text, setting, shown):
    reading = read_place(text)

    assert (reading.setting, str(reading)) == (setting, shown)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("moon", "“moon” is not a place of service"),
        ("30", "“30”: 30 is not a CMS place-of-service code."),
        ("112", "“112” is not a place of service"),
        ("1.5", "“1.5” is not a place of service"),
        ("POS 00", "00 is not a CMS place-of-service code"),
        ("05", "POS 05 Indian Health Service free-standing facility has no facility or"),
        ("", "“” is not a place of service"),
    ],
)
def test_a_value_that_names_no_place_is_refused_naming_it(text, message):
    with pytest.raises(UnknownPlace) as error:
        read_place(text)

    assert message in str(error.value)


def test_the_facility_codes_are_exactly_those_cms_pays_at_the_facility_rate():
    facility = sorted(code for code, place in PLACES.items() if place.setting == FACILITY)

    assert facility == [
        "02", "19", "21", "22", "23", "24", "26", "31", "34", "41", "42", "51", "52", "53", "56",
        "61",
    ]  # fmt: skip
