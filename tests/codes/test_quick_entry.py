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
