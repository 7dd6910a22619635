import pytest

from tracking.phi import identifier_warnings


@pytest.mark.parametrize(
    ("note", "label"),
    [
        ("pt DOB 03/14/1962", "a date of birth"),
        ("born 1962-03-14", "a date of birth"),
        ("f/u 3/14/62", "a date of birth"),
        ("MRN 00482913", "a medical record number"),
        ("chart 4829137", "a medical record number"),
        ("ssn 123-45-6789", "a social security number"),
        ("call (617) 555-0199", "a phone number"),
        ("call 617.555.0199", "a phone number"),
        ("family: jane.doe@example.com", "an email address"),
    ],
)
def test_it_warns_about_identifiers(note, label):
    warnings = identifier_warnings(note)

    assert any(label in w for w in warnings), warnings


@pytest.mark.parametrize(
    "note",
    ["difficult airway, converted to open", "27447 right knee, 2 units", "level 3, 45 min", ""],
)
def test_clinical_notes_pass(note):
    assert identifier_warnings(note) == []
