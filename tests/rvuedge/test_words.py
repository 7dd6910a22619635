import pytest

from rvuedge.words import counted, plural


@pytest.mark.parametrize(
    ("count", "forms", "expected"),
    [
        (0, ("row",), "0 rows"),
        (1, ("row",), "1 row"),
        (2, ("row",), "2 rows"),
        (1, ("row with an error", "rows with errors"), "1 row with an error"),
        (2, ("row with an error", "rows with errors"), "2 rows with errors"),
        (1, ("entry", "entries"), "1 entry"),
        (12, ("entry", "entries"), "12 entries"),
        (1, ("encounter",), "1 encounter"),
    ],
)
def test_a_count_takes_the_word_of_its_number(count, forms, expected):
    assert counted(count, *forms) == expected


def test_the_verb_agrees_with_the_count():
    assert [plural(n, "was", "were") for n in (0, 1, 2)] == ["were", "was", "were"]
