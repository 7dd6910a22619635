"""Which imported locality files (GPCI, LOCCO, ANES) price a release: pure, no ORM.

GPCIs, locality definitions and anesthesia conversion factors belong to a calendar year, so
every release of a year is priced with that year's files unless it ships its own (DOMAIN.md).
RVU26C, imported without locality files, is priced with CY2026's from RVU26A. Only when no
file of the year has been imported are another year's indices borrowed, and then every surface
says so (`IndexSource.note`, the API's `gpci_borrowed`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


class ReleaseLike(Protocol):
    pk: int
    name: str
    year: int
    is_qp: bool

    def sort_key(self) -> tuple: ...


@dataclass(frozen=True)
class IndexSource:
    """Where the locality indices of `release` come from (`source` None: nowhere yet)."""

    release: ReleaseLike
    source: ReleaseLike | None

    @property
    def borrowed(self) -> bool:
        """Indices of another calendar year: say so wherever they are used."""
        return self.source is not None and self.source.year != self.release.year

    @property
    def year(self) -> int | None:
        return self.source.year if self.source else None

    @property
    def label(self) -> str:
        """ "CY2026 from RVU26A": the year of the indices and the release whose files they are."""
        return f"CY{self.source.year} from {self.source.name}" if self.source else ""

    @property
    def note(self) -> str:
        """A sentence for pages and the API when the indices are not the release's year's."""
        if self.source is None:
            return "No GPCI file has been imported; only national amounts can be shown."
        if self.borrowed:
            return (
                f"No CY{self.release.year} locality files have been imported: {self.release.name} "
                f"is priced with the CY{self.source.year} GPCIs and anesthesia conversion factors "
                f"of {self.source.name}."
            )
        return ""


def index_source(release: ReleaseLike, with_localities: Iterable[ReleaseLike]) -> IndexSource:
    """The release's own locality files; else the same year's (the nearest release not newer,
    else the nearest newer); else, borrowed, the nearest earlier year's, else a later year's.

    `with_localities` holds the releases that have imported locality files.
    """
    candidates = list(with_localities)
    if any(r.pk == release.pk for r in candidates):
        return IndexSource(release, release)
    key = release.sort_key()

    def nearest(pool):
        older = [r for r in pool if r.sort_key() <= key]
        newer = [r for r in pool if r.sort_key() > key]
        # Newest of the older ones, else oldest of the newer ones; non-QP first on a tie.
        if older:
            return max(older, key=lambda r: (r.sort_key(), not r.is_qp))
        if newer:
            return min(newer, key=lambda r: (r.sort_key(), r.is_qp))
        return None

    same_year = nearest([r for r in candidates if r.year == release.year])
    return IndexSource(release, same_year or nearest(candidates))
