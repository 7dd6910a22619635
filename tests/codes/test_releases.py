"""Which release to use: current, by name, and in effect on a date of service."""

import datetime as dt

import pytest

from codes import releases, selectors
from codes.models import Release
from codes.releases import Choice, Flag, choose_for_date
from codes.services import release_import
from tests.cms_files import locality_folder

D = dt.date
# Imported: RVU25D (in effect from 2025-10-01) and RVU26C (from 2026-07-01), as bundled.
BUNDLED = [("RVU25D", D(2025, 10, 1)), ("RVU26C", D(2026, 7, 1))]
SAME_YEAR_26A = (
    "RVU26A (in effect on {day}) is not imported; priced with RVU26C, the nearest imported "
    "release of 2026."
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # In effect on the day: D from October 1 until C of the next year is imported.
        (D(2025, 10, 1), Choice("RVU25D")),
        (D(2025, 11, 14), Choice("RVU25D")),
        (D(2025, 12, 31), Choice("RVU25D")),
        (D(2026, 7, 1), Choice("RVU26C")),
        (D(2026, 9, 30), Choice("RVU26C")),
        # After the newest release took effect, in its year: it stays in effect.
        (D(2026, 10, 1), Choice("RVU26C")),
        (D(2026, 12, 31), Choice("RVU26C")),
        # 2026 before July: RVU26A/B are not imported; RVU26C (same year), not RVU25D.
        (D(2026, 1, 1), Choice("RVU26C", Flag.SAME_YEAR, SAME_YEAR_26A.format(day="2026-01-01"))),
        (
            D(2026, 6, 30),
            Choice(
                "RVU26C",
                Flag.SAME_YEAR,
                "RVU26B (in effect on 2026-06-30) is not imported; priced with RVU26C, the "
                "nearest imported release of 2026.",
            ),
        ),
        # 2025 before October: RVU25D is the only release of 2025.
        (
            D(2025, 9, 30),
            Choice(
                "RVU25D",
                Flag.SAME_YEAR,
                "RVU25C (in effect on 2025-09-30) is not imported; priced with RVU25D, the "
                "nearest imported release of 2025.",
            ),
        ),
        # Before any imported year: the oldest.
        (
            D(2024, 12, 31),
            Choice(
                "RVU25D",
                Flag.BEFORE,
                "2024-12-31 is before every imported release; priced with the oldest, RVU25D.",
            ),
        ),
        # A year after the newest: the newest, flagged (another year's conversion factor).
        (
            D(2027, 1, 4),
            Choice(
                "RVU26C",
                Flag.AFTER,
                "No release of 2027 is imported yet; priced with the newest, RVU26C.",
            ),
        ),
    ],
)
def test_the_release_for_a_date_across_the_rvu25d_rvu26c_boundary(day, expected):
    assert choose_for_date(day, BUNDLED) == expected


@pytest.mark.parametrize(
    ("imported", "day", "name", "flag"),
    [
        # B is one quarter from both A and C: the earlier, A.
        (["RVU26A", "RVU26C"], D(2026, 5, 1), "RVU26A", Flag.SAME_YEAR),
        # C is two quarters from A, one from D: D.
        (["RVU26A", "RVU26D"], D(2026, 8, 1), "RVU26D", Flag.SAME_YEAR),
        # A is two quarters before C, three before D: C.
        (["RVU26C", "RVU26D"], D(2026, 2, 1), "RVU26C", Flag.SAME_YEAR),
        # A revision replaces its quarter's release.
        (["RVU24A", "RVU24AR", "RVU24B"], D(2024, 2, 1), "RVU24AR", Flag.NONE),
        (["RVU24A", "RVU24AR", "RVU24B"], D(2024, 4, 1), "RVU24B", Flag.NONE),
        # No release of 2025 between 2024 and 2026: the one in effect before, flagged.
        (["RVU24D", "RVU26A"], D(2025, 6, 1), "RVU24D", Flag.OTHER_YEAR),
        # One release only: it, whatever the date.
        (["RVU25D"], D(2025, 10, 2), "RVU25D", Flag.NONE),
        (["RVU25D"], D(2023, 1, 1), "RVU25D", Flag.BEFORE),
    ],
)
def test_the_nearest_release_of_the_year_when_the_one_in_effect_is_missing(
    imported, day, name, flag
):
    pairs = [(n, releases.effective_date(2000 + int(n[3:5]), n[5])) for n in imported]

    choice = choose_for_date(day, pairs)

    assert (choice.name, choice.flag, choice.flagged) == (name, flag, flag is not Flag.NONE)


def test_a_revision_taking_effect_mid_quarter_applies_from_its_own_date():
    # RVU24AR carried the conversion factor in force from March 9, 2024.
    pairs = [("RVU24A", D(2024, 1, 1)), ("RVU24AR", D(2024, 3, 9))]

    assert choose_for_date(D(2024, 3, 8), pairs).name == "RVU24A"
    assert choose_for_date(D(2024, 3, 9), pairs).name == "RVU24AR"


def test_no_release_no_choice():
    assert choose_for_date(D(2026, 1, 1), []) is None


@pytest.mark.parametrize(
    ("year", "quarter", "expected"),
    [
        (2026, "A", D(2026, 1, 1)),
        (2026, "B", D(2026, 4, 1)),
        (2025, "C", D(2025, 7, 1)),
        (2025, "D", D(2025, 10, 1)),
    ],
)
def test_release_quarters_take_effect_on_the_first_of_january_april_july_october(
    year, quarter, expected
):
    assert releases.effective_date(year, quarter) == expected


# --- With the database ----------------------------------------------------------------------------


def test_for_date_returns_the_imported_release_and_why_it_is_flagged(release, newer_release):
    in_effect = releases.for_date(D(2025, 11, 14))
    borrowed = releases.for_date(D(2026, 2, 1))

    assert (in_effect.release, in_effect.flagged, in_effect.note) == (release, False, "")
    assert (borrowed.release, borrowed.flag) == (newer_release, Flag.SAME_YEAR)
    assert borrowed.note.startswith("RVU26A (in effect on 2026-02-01) is not imported")


def test_for_date_gives_the_qp_file_when_asked_and_there_is_one(release, newer_release):
    qp = Release.objects.create(  # a release prices codes once it holds RVU rows
        name="RVU26C",
        year=2026,
        quarter="C",
        is_qp=True,
        status=Release.Status.READY,
        rvu_count=1,
    )

    assert releases.for_date(D(2026, 8, 1), qp=True).release == qp
    assert releases.for_date(D(2026, 8, 1)).release == newer_release
    # No QP file for 2025: the release's only file.
    assert releases.for_date(D(2025, 11, 1), qp=True).release == release


def test_a_failed_or_loading_release_is_never_chosen(release):
    Release.objects.create(name="RVU26A", year=2026, quarter="A", status=Release.Status.FAILED)

    assert releases.for_date(D(2026, 2, 1)).release == release
    assert releases.by_name("RVU26A") is None


def test_before_any_import_there_is_no_release(db):
    assert releases.for_date(D(2026, 2, 1)) is None
    assert releases.current() is None
    assert releases.current_name() is None


def test_by_name_prefers_the_file_asked_for(release, newer_release):
    qp = Release.objects.create(  # a release prices codes once it holds RVU rows
        name="RVU26C",
        year=2026,
        quarter="C",
        is_qp=True,
        status=Release.Status.READY,
        rvu_count=1,
    )

    assert releases.by_name("rvu26c ") == newer_release
    assert releases.by_name("RVU26C", qp=True) == qp
    assert releases.by_name("RVU25D", qp=True) == release
    assert releases.by_name("RVU99A") is None
    assert releases.loaded_names() == ["RVU26C", "RVU25D"]


def test_current_is_the_non_qp_current_release(release, newer_release):
    assert releases.current() == release
    assert releases.current_name() == "RVU25D"


# --- A release chosen by a person, many dates at once --------------------------------------------


def test_a_release_chosen_for_its_own_date_keeps_the_dates_flag(release, newer_release):
    borrowed = releases.for_date(D(2026, 2, 1))

    kept = releases.as_chosen(newer_release, D(2026, 2, 1), borrowed)

    assert (kept.release, kept.flag, kept.note) == (newer_release, Flag.SAME_YEAR, borrowed.note)


def test_a_release_chosen_in_place_of_the_dates_own_is_flagged_chosen(release, newer_release):
    chosen = releases.as_chosen(newer_release, D(2025, 11, 14), releases.for_date(D(2025, 11, 14)))

    assert (chosen.release, chosen.flag, chosen.flagged) == (newer_release, Flag.CHOSEN, True)
    assert chosen.note == (
        "Priced with RVU26C, chosen in place of RVU25D (the release for 2025-11-14)."
    )


def test_the_chooser_reads_the_releases_once_for_any_number_of_dates(
    release, newer_release, django_assert_num_queries
):
    with django_assert_num_queries(1):
        choose = releases.dated_chooser()
        names = {choose(D(2025, 1, 1) + dt.timedelta(days=n)).release.name for n in range(700)}

    assert names == {"RVU25D", "RVU26C"}
    assert choose(D(2026, 2, 1)) == releases.for_date(D(2026, 2, 1))


def test_pages_choose_from_the_page_state_until_a_release_changes(
    release, newer_release, django_assert_num_queries, django_capture_on_commit_callbacks
):
    state = selectors.page_state()  # what every page reads; kept in the cache
    day = D(2026, 8, 1)

    with django_assert_num_queries(0):
        cached = releases.for_date(day, cached=True)
    assert cached == releases.for_date(day)
    assert cached.release.name == "RVU26C" and state.loaded

    with django_capture_on_commit_callbacks(execute=True):  # a new release: a new state
        Release.objects.create(
            name="RVU26D", year=2026, quarter="D", status=Release.Status.READY, rvu_count=1
        )

    assert releases.for_date(D(2026, 11, 1), cached=True).release.name == "RVU26D"


def test_a_locality_only_release_never_prices_a_date(release, newer_release, tmp_path):
    """RVU26A bundled as its GPCI, LOCCO and ANES files only lends 2026 its indices: January to
    June 2026 are still priced with RVU26C, flagged."""
    release_import(source=locality_folder(tmp_path / "RVU26A"))

    chosen = releases.for_date(D(2026, 2, 1))

    assert (chosen.release, chosen.flag) == (newer_release, Flag.SAME_YEAR)


@pytest.mark.parametrize("flag", list(Flag))
def test_every_flag_has_a_label(flag):
    assert flag.label and flag.label[0].isupper()
