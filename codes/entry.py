"""Quick entry against a release: parse what was typed, then preview each line's credit.

Shared by the tracker page, the API and the public calculator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.utils import timezone

from codes import coding_edits
from codes.credit import Policy
from codes.models import Code, RelativeValue
from codes.modifiers import VALID_MODIFIERS
from codes.quick_entry import Item, ParsedLine, parse_quick_entry
from codes.wrvu import LineSpec, PricedLine, fee_rows, price_lines, spec_problems
from ncci import checks

# A line read from an unseparated run of characters ("992135243644") is shown for a second look
# before it is saved when its work RVU is at least this. It sits above every E/M visit (critical
# care 99291, the highest, is 4.50 in RVU25D), so visit codes typed without spaces save at once,
# while a run that turns into a major procedure (43644, a gastric bypass, 29.40) is confirmed:
# one mistyped digit there costs more than twenty wRVU.
RUN_CONFIRM_WORK_RVU = Decimal("5")


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


def _totals(priced: list[PricedLine]) -> dict[str, Decimal]:
    """The sums of the lines' own figures, as stored."""
    return {
        "raw": sum((p.medicare.raw for p in priced), Decimal(0)),
        "medicare": sum((p.medicare.credited for p in priced), Decimal(0)),
        "policy": sum((p.policy.credited for p in priced), Decimal(0)),
    }


@dataclass
class EncounterPreview:
    """One encounter (one patient) of a preview: its rows in the order typed and subtotals."""

    number: int
    rows: list[tuple[Item, PricedLine | None, str | None]]
    priced: list[PricedLine]

    @property
    def totals(self):
        return _totals(self.priced)


@dataclass
class Preview:
    """What was typed, read and credited, encounter by encounter; `ok` when it can be saved as
    it is. Each encounter is credited on its own: lines rank only against their own patient's."""

    encounters: list[list[Item]]
    priced: list[PricedLine] = field(default_factory=list)
    descriptors: dict[str, str] = field(default_factory=dict)
    credit_by_line: dict[int, PricedLine] = field(default_factory=dict)
    # Readings of unseparated runs worth a second look before saving, one message per run.
    confirmations: list[str] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return [item for encounter in self.encounters for item in encounter]

    def groups(self) -> list[EncounterPreview]:
        """Each encounter with its rows (item, priced line or None, descriptor) and subtotals."""
        groups = []
        for number, items in enumerate(self.encounters, start=1):
            rows = [
                (
                    item,
                    self.credit_by_line.get(id(item)),
                    self.descriptors.get(getattr(item, "code", "")),
                )
                for item in items
            ]
            groups.append(EncounterPreview(number, rows, [p for _, p, _ in rows if p]))
        return groups

    @property
    def ok(self) -> bool:
        return bool(self.items) and all(
            isinstance(item, ParsedLine) and item.ok for item in self.items
        )

    @property
    def encounter_specs(self) -> list[list[LineSpec]]:
        """The lines to save, encounter by encounter."""
        return [
            [LineSpec(line.code, line.modifiers, line.units) for line in items]
            for items in self.encounters
        ]

    @property
    def specs(self) -> list[LineSpec]:
        return [spec for specs in self.encounter_specs for spec in specs]

    @property
    def totals(self):
        """Every encounter's lines together: the sum of the figures that will be stored."""
        return _totals(self.priced)


def preview(
    text: str,
    *,
    release,
    setting: str,
    policy: Policy | None = None,
    per_patient: bool = False,
    day: dt.date | None = None,
    context: Iterable[checks.Service] = (),
    with_edits: bool = True,
) -> Preview:
    """Read `text` (encounters separated by a blank line, ; or /; with `per_patient` every line
    is one) and credit each encounter's lines from the release, ranked within the encounter,
    with the coding edits in force on `day` (today by default); `context` is the user's logged
    services around that day (codes.coding_edits). Without `with_edits` the lines are credited
    without the coding edits: what is read, refused and confirmed is the same (the edits only
    warn and adjust credit), for a caller that saves at once, the saving applying them."""
    codes = release_codes(release)
    result = parse_quick_entry(
        text, is_code=codes.__contains__, modifiers=VALID_MODIFIERS, per_patient=per_patient
    )
    found = Preview(result.encounters)
    lines = result.lines
    known = [line.code for line in lines if line.code in codes]
    found.descriptors = dict(
        Code.objects.filter(code__in=known).values_list("code", "short_descriptor")
    )
    rows = fee_rows(release, set(known))
    for line in lines:
        if line.ok:
            spec = LineSpec(line.code, line.modifiers, line.units)
            line.errors += [problem.message for problem in spec_problems(rows, spec)]
    day = day or timezone.localdate()
    reader = coding_edits.Reader(known, context)
    # Credit the lines that read well, so the preview shows figures while others are fixed.
    for number, items in enumerate(result.encounters):
        good = [item for item in items if isinstance(item, ParsedLine) and item.ok]
        if not good:
            continue
        specs = [LineSpec(line.code, line.modifiers, line.units) for line in good]
        edits = None
        if with_edits:
            edits = reader.line_edits(specs=specs, rows=rows, day=day, encounter=("typed", number))
        priced = price_lines(
            release=release, setting=setting, specs=specs, policy=policy, rows=rows, edits=edits
        )
        found.priced += priced
        found.credit_by_line |= {id(line): p for line, p in zip(good, priced, strict=True)}
    found.confirmations = _run_confirmations(lines, found.credit_by_line)
    return found


def _run_confirmations(lines: list[ParsedLine], credit_by_line: dict[int, PricedLine]):
    """ "“992135243644” was read as 99213-52 + 43644: ..." for each run holding a line worth at
    least RUN_CONFIRM_WORK_RVU."""
    runs: dict[str, list[ParsedLine]] = {}
    for line in lines:
        if line.run:
            runs.setdefault(line.run, []).append(line)
    messages = []
    for run, members in runs.items():
        high = [
            f"{line.code} is {credit_by_line[id(line)].row.work_rvu} work RVU"
            for line in members
            if id(line) in credit_by_line
            and credit_by_line[id(line)].row.work_rvu >= RUN_CONFIRM_WORK_RVU
        ]
        if high:
            reading = " + ".join(str(line) for line in members)
            messages.append(
                f"“{run}” was read as {reading} ({'; '.join(high)}). Check this reading;"
                " if it is not what you meant, separate the codes with spaces."
            )
    return messages
