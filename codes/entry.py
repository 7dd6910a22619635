"""Quick entry against a release: parse what was typed, then preview each line's credit.

Shared by the tracker page, the API and the public calculator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from codes.credit import Policy
from codes.models import Code, RelativeValue
from codes.modifiers import VALID_MODIFIERS
from codes.quick_entry import Ambiguity, ParsedLine, parse_quick_entry
from codes.wrvu import LineSpec, PricedLine, price_lines


@lru_cache(maxsize=8)
def _release_codes(release_pk: int, loaded_at) -> frozenset[str]:
    # A loaded release never changes, so its code set is cached per process.
    return frozenset(
        RelativeValue.objects.filter(release_id=release_pk)
        .values_list("code__code", flat=True)
        .distinct()
    )


def release_codes(release) -> frozenset[str]:
    return _release_codes(release.pk, release.loaded_at)


@dataclass
class Preview:
    """What was typed, read and credited; `ok` when it can be saved as it is."""

    items: list[ParsedLine | Ambiguity]
    priced: list[PricedLine] = field(default_factory=list)
    descriptors: dict[str, str] = field(default_factory=dict)
    credit_by_line: dict[int, PricedLine] = field(default_factory=dict)

    def rows(self):
        """(item, priced line or None, descriptor) in the order typed, for the preview."""
        return [
            (
                item,
                self.credit_by_line.get(id(item)),
                self.descriptors.get(getattr(item, "code", "")),
            )
            for item in self.items
        ]

    @property
    def ok(self) -> bool:
        return bool(self.items) and all(
            isinstance(item, ParsedLine) and item.ok for item in self.items
        )

    @property
    def specs(self) -> list[LineSpec]:
        return [LineSpec(line.code, line.modifiers, line.units) for line in self.items]

    @property
    def totals(self):
        return {
            "raw": sum((p.medicare.raw for p in self.priced), Decimal(0)),
            "medicare": sum((p.medicare.credited for p in self.priced), Decimal(0)),
            "policy": sum((p.policy.credited for p in self.priced), Decimal(0)),
        }


def preview(text: str, *, release, setting: str, policy: Policy | None = None) -> Preview:
    codes = release_codes(release)
    result = parse_quick_entry(text, is_code=codes.__contains__, modifiers=VALID_MODIFIERS)
    found = Preview(result.items)
    lines = [item for item in result.items if isinstance(item, ParsedLine)]
    known = [line.code for line in lines if line.code in codes]
    found.descriptors = dict(
        Code.objects.filter(code__in=known).values_list("code", "short_descriptor")
    )
    # Credit the lines that read well, so the preview shows figures while others are fixed.
    good = [line for line in lines if line.ok]
    if good:
        specs = [LineSpec(line.code, line.modifiers, line.units) for line in good]
        priced = price_lines(release=release, setting=setting, specs=specs, policy=policy)
        found.priced = priced
        found.credit_by_line = {id(line): p for line, p in zip(good, priced, strict=True)}
    return found
