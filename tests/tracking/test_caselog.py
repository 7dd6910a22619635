"""The case log's pure rules (tracking/caselog.py) and a resident's PGY on a date."""

import datetime as dt

import pytest
import time_machine

from accounts.forms import ProfileForm
from accounts.models import User
from rvuedge.periods import academic_year, academic_year_start
from tracking.caselog import NO_ROTATION, pgy_label, rotation_of


@pytest.mark.parametrize(
    ("day", "start", "label"),
    [
        (dt.date(2025, 6, 30), 2024, "2024-25"),
        (dt.date(2025, 7, 1), 2025, "2025-26"),
        (dt.date(2026, 1, 15), 2025, "2025-26"),
        (dt.date(2099, 12, 31), 2099, "2099-00"),
    ],
)
def test_academic_years_start_on_july_1(day, start, label):
    assert academic_year_start(day) == start
    assert academic_year(day) == label


@pytest.mark.parametrize(
    ("residency_start", "day", "pgy"),
    [
        (2024, dt.date(2024, 7, 1), 1),
        (2024, dt.date(2025, 6, 30), 1),
        (2024, dt.date(2025, 7, 1), 2),
        (2024, dt.date(2027, 3, 9), 3),
        (2024, dt.date(2024, 6, 30), 0),  # medical school
        (None, dt.date(2025, 7, 1), None),
    ],
)
def test_the_pgy_of_an_entry_follows_its_academic_year(residency_start, day, pgy):
    assert User(residency_start_year=residency_start).pgy_on(day) == pgy


@pytest.mark.parametrize(
    ("pgy", "year", "label"),
    [
        (2, "2025-26", "PGY-2 (2025-26)"),
        (0, "2023-24", "Before residency (2023-24)"),
        (-1, "2022-23", "Before residency (2022-23)"),
        (None, "2025-26", "2025-26"),
    ],
)
def test_pgy_labels(pgy, year, label):
    assert pgy_label(pgy, year) == label


@pytest.mark.parametrize(
    ("location", "note", "rotation"),
    [
        ("Mercy Hospital", "", "Mercy Hospital"),
        ("Mercy Hospital", "great teaching case #surgery", "Surgery"),
        (None, "#peds-er first week", "Peds er"),
        (None, "#Internal_Medicine", "Internal Medicine"),
        ("Clinic", "#ob #gyn", "Ob"),  # the first tag
        ("  ", "", NO_ROTATION),
        (None, None, NO_ROTATION),
        ("Clinic", "room #4 and issue#5", "Clinic"),  # a number or a word's tail is no tag
        ("Clinic", "&#39; escaped", "Clinic"),
    ],
)
def test_the_rotation_of_an_entry(location, note, rotation):
    assert rotation_of(location, note) == rotation


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 9, 1, 12, 0), tick=False)
def test_the_pgy_year_given_sets_the_residency_start_and_moves_on_each_july(resident):
    data = {
        "career_stage": "resident",
        "specialty": "general_surgery",
        "pgy_year": "3",
        "program": "Mercy General Surgery",
    }
    form = ProfileForm(data, instance=resident)
    assert form.is_valid(), form.errors
    form.save()
    resident.refresh_from_db()

    assert resident.residency_start_year == 2024  # PGY-3 in 2026-27: PGY-1 began July 2024
    with time_machine.travel(dt.datetime(2027, 7, 2, 12, 0), tick=False):
        assert resident.current_pgy == 4
        assert ProfileForm(instance=resident).initial["pgy_year"] == 4


@pytest.mark.django_db
def test_leaving_residency_clears_the_start(resident):
    resident.residency_start_year = 2024
    resident.save()
    form = ProfileForm(
        {
            "career_stage": "attending",
            "specialty": "general_surgery",
            "practice_setting": "academic",
        },
        instance=resident,
    )

    assert form.is_valid(), form.errors
    form.save()
    resident.refresh_from_db()
    assert (resident.pgy_year, resident.residency_start_year) == (None, None)
