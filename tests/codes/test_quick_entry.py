"""Quick entry reads what clinicians type; codes are checked against the real RVU25D file."""

import pytest

from codes.quick_entry import Ambiguity, parse_quick_entry
from tests.cms_files import pprrvu_records

MODIFIERS = {
    "22",
    "25",
    "26",
    "50",
    "51",
    "52",
    "53",
    "54",
    "55",
    "56",
    "59",
    "62",
    "66",
    "76",
    "78",
    "79",
    "80",
    "81",
    "82",
    "AS",
    "LT",
    "RT",
    "TC",
    "XS",
    "X2",
}
CODES = {code for code, _ in pprrvu_records("RVU25D")}


def parse(text):
    return parse_quick_entry(text, is_code=CODES.__contains__, modifiers=MODIFIERS)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("99213", ["99213"]),
        ("27447-50", ["27447-50"]),
        ("47562-62", ["47562-62"]),
        ("20610 x2", ["20610 x2"]),
        ("20610x2", ["20610 x2"]),
        ("20610 *3", ["20610 x3"]),
        ("99213 99214 27447-50", ["99213", "99214", "27447-50"]),
        ("99213, 99214,27447-50", ["99213", "99214", "27447-50"]),
        ("99213\n27447-50-LT\n\n20610 x2", ["99213", "27447-50-LT", "20610 x2"]),
        ("  j3490 ", ["J3490"]),
        ("27447 50", ["27447-50"]),
        ("27447-XS", ["27447-XS"]),
        ("27447-X2", ["27447-X2"]),
        ("992135243644", ["99213-52", "43644"]),
        ("2744750", ["27447-50"]),
        ("9921399214", ["99213", "99214"]),
        ("0001F", ["0001F"]),
        # Units however they are typed: x, *, × attached, or with a space before the number.
        ("99213 x 2", ["99213 x2"]),
        ("99213 x2", ["99213 x2"]),
        ("99213 * 2", ["99213 x2"]),
        ("99213 X 2", ["99213 x2"]),
        ("99213×2", ["99213 x2"]),
        ("99213 x 2, 20610 *3", ["99213 x2", "20610 x3"]),
        # X6 is not a modifier, so a capital X is units beyond doubt.
        ("20610 X6", ["20610 x6"]),
    ],
)
def test_it_reads_what_clinicians_type(typed, expected):
    result = parse(typed)

    assert result.ok, result.items
    assert [str(line) for line in result.lines] == expected


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("99999", "99999 is not a code in this fee schedule release."),
        ("27447-ZZ", "ZZ is not a modifier."),
        ("27447-50-50", "Modifier 50 is given twice."),
        ("27447-22-50-51-59-62", "At most 4 modifiers per line."),
        ("20610 x0", "Units must be between 1 and 99."),
        ("20610 x100", "Units must be between 1 and 99."),
        ("x2", "units must follow a code."),
        ("hello", "“HELLO” is not a CPT or HCPCS code"),
        ("27447-", "is not a code, modifier or units."),
        ("123456789", "does not read as codes of this release."),
        ("99213 #!", "#! is not a modifier."),
        ("99213 #!?", "is not a code, modifier or units."),
    ],
)
def test_malformed_input_is_marked_with_the_reason(typed, error):
    result = parse(typed)

    assert not result.ok
    errors = [e for line in result.lines for e in line.errors]
    assert any(error in e for e in errors), errors


def test_two_readings_are_both_offered():
    # "274475099226" reads as 27447-50 + 99226, or as 27447 + 50992-26 when both are codes.
    codes = {"27447", "99226", "50992"}
    result = parse_quick_entry("274475099226", is_code=codes.__contains__, modifiers=MODIFIERS)

    assert not result.ok
    (item,) = result.items
    assert isinstance(item, Ambiguity)
    readings = sorted([str(line) for line in reading] for reading in item.readings)
    assert readings == [["27447", "50992-26"], ["27447-50", "99226"]]


def test_empty_input_is_not_ok():
    assert not parse("  ,  ").ok


@pytest.mark.parametrize(
    ("typed", "asked", "readings"),
    [
        # X2 is a modifier (continuous or focused services) as well as "times 2": ask.
        ("20610 X2", "20610 X2", [["20610 x2"], ["20610-X2"]]),
        ("20610X2", "20610X2", [["20610 x2"], ["20610-X2"]]),
        ("99213 27447-50 X2", "27447-50 X2", [["27447-50 x2"], ["27447-50-X2"]]),
        ("27447 50 X2", "27447 50 X2", [["27447-50 x2"], ["27447-50-X2"]]),
    ],
)
def test_a_capital_x_that_may_be_a_modifier_is_asked_not_guessed(typed, asked, readings):
    result = parse(typed)

    assert not result.ok
    item = result.items[-1]
    assert isinstance(item, Ambiguity)
    assert item.text == asked  # as typed, for the page to replace with the reading chosen
    assert [[str(line) for line in reading] for reading in item.readings] == readings


def test_a_modifier_reading_that_cannot_be_is_not_offered():
    # Four modifiers already: X2 can only be units.
    result = parse("27447-22-51-59-62 X2")

    assert result.ok, result.items
    assert [str(line) for line in result.lines] == ["27447-22-51-59-62 x2"]


def test_lines_read_from_an_unseparated_run_keep_it():
    result = parse("992135243644 99214")

    assert [(str(line), line.run) for line in result.lines] == [
        ("99213-52", "992135243644"),
        ("43644", "992135243644"),
        ("99214", ""),
    ]


def test_a_run_with_units_is_asked_as_a_whole_word():
    codes = {"27447", "99226", "50992"}
    result = parse_quick_entry("274475099226x2", is_code=codes.__contains__, modifiers=MODIFIERS)

    (item,) = result.items
    assert item.text == "274475099226x2"
    assert sorted(str(reading[-1]) for reading in item.readings) == ["50992-26 x2", "99226 x2"]


@pytest.mark.parametrize(
    ("typed", "per_patient", "encounters"),
    [
        # One patient: spaces, commas and single new lines separate lines, not patients.
        ("99213 20610", False, [["99213", "20610"]]),
        ("99213, 20610\n99214", False, [["99213", "20610", "99214"]]),
        # A semicolon or a slash, spaced or not, starts the next patient.
        ("99213 20610 ; 99214 20610", False, [["99213", "20610"], ["99214", "20610"]]),
        ("99213 20610 / 99214", False, [["99213", "20610"], ["99214"]]),
        ("99213/99214;99215", False, [["99213"], ["99214"], ["99215"]]),
        ("27447 50 ; 20610 x2", False, [["27447-50"], ["20610 x2"]]),
        # So does a blank line (spaces on it, Windows line ends, several of them).
        ("99213\n20610\n\n99214\n20610", False, [["99213", "20610"], ["99214", "20610"]]),
        ("99213\r\n\r\n99214", False, [["99213"], ["99214"]]),
        ("99213\n   \n\n\n99214", False, [["99213"], ["99214"]]),
        # Separators with nothing between them make no empty patient.
        ("; 99213 ;; , ; / 99214 ;", False, [["99213"], ["99214"]]),
        # Each line a separate patient: a list of single-code visits.
        ("99213\n99214\n20610 x2", True, [["99213"], ["99214"], ["20610 x2"]]),
        ("99213 20610\n99214", True, [["99213", "20610"], ["99214"]]),
        ("99213 ; 99214\n\n99215", True, [["99213"], ["99214"], ["99215"]]),
        ("99213 99214", True, [["99213", "99214"]]),
    ],
)
def test_separators_start_a_new_encounter(typed, per_patient, encounters):
    result = parse_quick_entry(
        typed, is_code=CODES.__contains__, modifiers=MODIFIERS, per_patient=per_patient
    )

    assert result.ok, result.items
    assert [[str(line) for line in items] for items in result.encounters] == encounters
    assert [str(line) for line in result.lines] == [line for e in encounters for line in e]


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        # Units and modifiers never reach across a separator into the previous patient.
        ("20610 / x2", "units must follow a code."),
        ("20610 ;\n x2", "units must follow a code."),
        ("27447 ; 50", "“50” is not a CPT or HCPCS code"),
    ],
)
def test_nothing_reaches_across_a_separator(typed, error):
    result = parse(typed)

    assert not result.ok
    assert len(result.encounters) == 2
    assert [line.ok for line in result.encounters[0]] == [True]
    assert any(error in e for line in result.encounters[1] for e in line.errors)
