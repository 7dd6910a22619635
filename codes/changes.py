"""What changed between two releases: codes added and removed, work RVUs that moved.

A plain function over (code, modifier, work RVU) rows, so it is tested without a database.
"""

from collections.abc import Iterable
from decimal import Decimal

Row = tuple[str, str, Decimal]


def summarize(*, previous_name: str, old: Iterable[Row], new: Iterable[Row], top: int) -> dict:
    """A JSON-ready summary; work RVU changes are kept for the `top` largest moves."""
    old_work = {(code, modifier): work for code, modifier, work in old}
    new_work = {(code, modifier): work for code, modifier, work in new}
    old_codes = {code for code, _ in old_work}
    new_codes = {code for code, _ in new_work}
    changes = [
        (key, old_work[key], work)
        for key, work in new_work.items()
        if key in old_work and old_work[key] != work
    ]
    changes.sort(key=lambda c: (-abs(c[2] - c[1]), c[0]))
    return {
        "previous": previous_name,
        "codes_added": sorted(new_codes - old_codes),
        "codes_removed": sorted(old_codes - new_codes),
        "work_rvu_changes": len(changes),
        "work_rvu_increased": sum(1 for _, before, after in changes if after > before),
        "work_rvu_decreased": sum(1 for _, before, after in changes if after < before),
        "largest_work_rvu_changes": [
            {"code": code, "modifier": modifier, "old": str(before), "new": str(after)}
            for (code, modifier), before, after in changes[:top]
        ],
    }
