"""The change history in words (tracking.changes): a table of before/after snapshots, as
tracking.services records them, and the phrases a person reads. Pure: no database."""

import pytest

from tracking.changes import Names, describe, entry_label, sentence, summary

NAMES = Names(
    codes={1: "27446", 2: "27447", 3: "20610"},
    locations={10: "Main OR", 11: "Clinic"},
    releases={100: "RVU25D", 101: "RVU26C"},
)
ENTRY = {
    "date": "2026-03-02",
    "code_id": 1,
    "modifiers": "",
    "units": 1,
    "setting": "facility",
    "location_id": 10,
    "role": "performed",
    "supervising_attending": "",
    "note": "",
    "release_id": 101,
    "work_rvu": "16.7000",
    "raw": "16.7000",
    "medicare": "16.7000",
    "policy": "16.7000",
}


def changed(**values):
    return ENTRY | values


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # The example: a code corrected, units, a note; the credit follows.
        (
            changed(
                code_id=2,
                units=2,
                note="converted",
                work_rvu="19.1100",
                raw="38.2200",
                medicare="28.6650",
                policy="28.6650",
            ),
            "Code 27446 → 27447; units 1 → 2; note added; raw wRVU 16.70 → 38.22; "
            "Medicare-style wRVU 16.70 → 28.67",
        ),
        # The credit moved the same way for every figure: said once.
        (
            changed(code_id=2, work_rvu="19.1100", raw="19.1100", medicare="19.11", policy="19.11"),
            "Code 27446 → 27447; Medicare-style wRVU 16.70 → 19.11",
        ),
        # An employer policy that credits differently is said beside Medicare's.
        (
            changed(units=2, raw="33.4000", medicare="33.4000", policy="30.0600"),
            "Units 1 → 2; Medicare-style wRVU 16.70 → 33.40; policy wRVU 16.70 → 30.06",
        ),
        # Trailing zeros are no change: the issue's `work_rvu: 28.6700 -> 28.67`.
        (changed(work_rvu="16.70", raw="16.7", medicare="16.700", policy="16.70000"), ""),
        (changed(location_id=10, units="1"), ""),
        # Two places where they tell the figures apart, four where two would read the same.
        (changed(medicare="16.7040", policy="16.7040"), "Medicare-style wRVU 16.7000 → 16.7040"),
        (changed(medicare="16.6950", policy="16.6950"), "Medicare-style wRVU 16.7000 → 16.6950"),
        # Modifiers added, removed, changed.
        (changed(modifiers="50"), "Modifier 50 added"),
        (changed(modifiers="26-LT"), "Modifiers 26-LT added"),
        # Date and setting, by their words.
        (
            changed(date="2026-03-01", setting="non_facility"),
            "Date of service 2026-03-02 → 2026-03-01; setting facility → non-facility (office)",
        ),
        # Locations by name; a deleted one is said to be.
        (changed(location_id=11), "Location Main OR → Clinic"),
        (changed(location_id=None), "Location Main OR removed"),
        (changed(location_id=99), "Location Main OR → a deleted location"),
        # Role and attending (names of colleagues are shown; notes are not).
        (
            changed(role="assisted", supervising_attending="Dr. Lee"),
            "Role performed → assisted; supervising attending Dr. Lee added",
        ),
        (changed(note="difficult airway"), "Note added"),
        # A re-pricing: the release by name, and the work RVU per unit (the code stayed).
        (
            changed(
                release_id=100, work_rvu="16.5000", raw="16.5000", medicare="16.5", policy="16.5"
            ),
            "Release RVU26C → RVU25D; work RVU per unit 16.70 → 16.50; "
            "Medicare-style wRVU 16.70 → 16.50",
        ),
        # Nothing but an explanation changed: nothing to say.
        (changed(explanation={"medicare": ["ranked 2nd"]}), ""),
    ],
)
def test_an_edit_reads_as_what_the_person_changed(after, expected):
    assert sentence(describe(ENTRY, after, NAMES)) == expected


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (changed(modifiers="50"), ENTRY, ["modifier 50 removed"]),
        (changed(modifiers="50"), changed(modifiers="RT"), ["modifiers 50 → RT"]),
        (changed(location_id=None), ENTRY, ["location set to Main OR"]),
        (changed(note="old"), changed(note="new"), ["note changed"]),
        (changed(note="old"), ENTRY, ["note removed"]),
        (
            changed(supervising_attending="Dr. A"),
            changed(supervising_attending="Dr. B"),
            ["supervising attending Dr. A → Dr. B"],
        ),
        # A snapshot of an older shape (a field missing) says nothing about that field.
        ({k: v for k, v in ENTRY.items() if k != "role"}, changed(role="assisted"), []),
    ],
)
def test_each_field_has_its_words(before, after, expected):
    assert describe(before, after, NAMES) == expected


def test_a_new_entry_and_a_deleted_one_read_as_what_they_were():
    entry = changed(code_id=2, modifiers="50", units=2, medicare="28.6650")

    assert describe(None, entry, NAMES) == [
        "27447-50 ×2 on 2026-03-02, facility, Main OR: Medicare-style wRVU 28.67 with RVU26C"
    ]
    assert describe(entry, None, NAMES) == describe(None, entry, NAMES)
    assert summary(changed(location_id=None, setting="non_facility"), NAMES) == (
        "27446 on 2026-03-02, non-facility (office): Medicare-style wRVU 16.70 with RVU26C"
    )
    assert describe(None, None, NAMES) == []


def test_codes_are_shown_by_their_code_never_their_id():
    assert entry_label(changed(code_id=3, units=2), NAMES) == "20610 ×2"
    assert entry_label(changed(code_id=404), Names()) == "a code no longer listed"
    assert "code_id" not in sentence(describe(ENTRY, changed(code_id=2), NAMES))
