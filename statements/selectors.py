"""What a reconciliation reads: the user's entries of the statement's period (through
tracking.selectors), and what the explanations try them with: the fee schedule rows of every
loaded release, the work GPCIs of the localities, and the coding edits (codes.coding_edits).
Then the results, filtered, and the history of statements."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from codes import coding_edits, releases
from codes.credit import Policy
from codes.models import LocalityPreference, Release
from codes.selectors import localities_for_release
from codes.wrvu import LineSpec, fee_rows
from statements.explain import Context, Encounter
from statements.matching import Logged
from statements.models import Statement, StatementLine
from tracking.selectors import coding_context, entry_lines
from tracking.services import user_policy

ZERO = Decimal(0)
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Window:
    """The entries a statement is matched against: the period, and a day either side."""

    entries: list[Logged]
    lines: list[dict]  # tracking.selectors.entry_lines values of the same entries
    period: tuple[dt.date, dt.date]


def window(user, period_from: dt.date, period_to: dt.date) -> Window:
    lines = entry_lines(user, period_from - ONE_DAY, period_to + ONE_DAY)
    entries = [
        Logged(
            id=line["id"],
            date=line["date"],
            code=line["code__code"],
            modifiers=_modifiers(line),
            units=line["units"],
            policy=line["policy"],
            medicare=line["medicare"],
            release=line["release__name"],
            encounter=line["encounter_id"],
            in_period=period_from <= line["date"] <= period_to,
        )
        for line in lines
    ]
    return Window(entries, lines, (period_from, period_to))


def _modifiers(line: dict) -> tuple[str, ...]:
    return tuple(m for m in line["modifiers"].split("-") if m)


def explain_context(user, found: Window) -> Context:
    """The explanations' Context for the window's entries: every loaded release's rows for
    their codes, the localities of the release most of them are priced with, and the coding
    edits of their dates with the user's services around them (codes.coding_edits)."""
    lines = found.lines
    codes = {line["code__code"] for line in lines}
    loaded = [r for r in Release.objects.loaded().defer("change_summary") if not r.is_qp]
    by_name = {r.name: r for r in loaded}
    rows = {r.name: fee_rows(r, codes) for r in loaded} if codes else {}
    start = found.period[0]
    nearest = sorted(loaded, key=lambda r: abs((releases.effective_on(r) - start).days))
    own = _most_used(lines)
    encounters = _encounters(lines)
    first = coding_edits.window(found.period[0] - ONE_DAY)[0]
    last = coding_edits.window(found.period[1] + ONE_DAY)[1]
    reader = coding_edits.Reader(codes, coding_context(user, first, last))

    def coding(encounter: Encounter, specs, release_rows):
        return reader.line_edits(
            specs=specs, rows=release_rows, day=encounter.day, encounter=encounter.key
        )

    gpcis, gpci_note = _gpcis(user, by_name.get(own) if own else None)
    return Context(
        encounters=encounters,
        rows=rows,
        policy=user_policy(user) or Policy.medicare(),
        releases=tuple(r.name for r in nearest),
        gpcis=gpcis,
        gpci_note=gpci_note,
        coding=coding,
        findings=_findings(encounters, rows, coding),
    )


def _most_used(lines: list[dict]) -> str | None:
    counts = defaultdict(int)
    for line in lines:
        counts[line["release__name"]] += 1
    return max(counts, key=counts.get, default=None)


def _encounters(lines: list[dict]) -> dict[int, Encounter]:
    """Each entry's encounter, its lines in the order they were priced (by id)."""
    grouped = defaultdict(list)
    for line in lines:
        grouped[line["encounter_id"]].append(line)
    by_entry = {}
    for key, members in grouped.items():
        members.sort(key=lambda line: line["id"])
        first = members[0]
        encounter = Encounter(
            release=first["release__name"],
            setting=first["setting"],
            lines=tuple(
                (line["id"], LineSpec(line["code__code"], _modifiers(line), line["units"]))
                for line in members
            ),
            day=first["date"],
            key=key,
        )
        by_entry |= {line["id"]: encounter for line in members}
    return by_entry


def _findings(encounters: dict[int, Encounter], rows, coding) -> dict[int, tuple]:
    """The coding edits found on each entry as logged (by entry id)."""
    found = {}
    for encounter in set(encounters.values()):
        release_rows = rows.get(encounter.release)
        if release_rows is None:
            continue
        specs = [spec for _, spec in encounter.lines]
        edits = coding(encounter, specs, release_rows)
        for (pk, _), on_line in zip(encounter.lines, edits, strict=True):
            if on_line:
                found[pk] = tuple(on_line)
    return found


def _gpcis(user, release: Release | None) -> tuple[tuple[tuple[str, object], ...], str]:
    """(locality, work GPCI) of the localities pricing `release`, the user's own first, and a
    note when they are another year's (DOMAIN: say so wherever they are used)."""
    if release is None:
        return (), ""
    preferred = (
        LocalityPreference.objects.filter(user=user).values_list("locality_key", flat=True).first()
    )
    localities = localities_for_release(release)
    found = [
        (f"{loc.mac}-{loc.locality_number}", f"{loc.display_name} ({loc.state})", loc.work_gpci)
        for loc in localities.localities.order_by("state", "name")
    ]
    found.sort(key=lambda item: item[0] != preferred)
    note = localities.note if localities.borrowed else ""
    return tuple((name, gpci) for _, name, gpci in found), note


# Results and history ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    status: str = ""
    rule: str = ""
    code: str = ""

    def apply(self, lines: QuerySet) -> QuerySet:
        if self.status:
            lines = lines.filter(status=self.status)
        if self.rule:
            lines = lines.filter(rule=self.rule)
        if self.code:
            lines = lines.filter(code=self.code.strip().upper())
        return lines

    @property
    def active(self) -> bool:
        return bool(self.status or self.rule or self.code)


def lines(statement: Statement, filters: Filters | None = None) -> QuerySet:
    found = StatementLine.objects.filter(statement=statement)
    return (filters or Filters()).apply(found)


def by_status(statement: Statement) -> list[dict]:
    """Lines and wRVU (the statement's, the log's, owed) by status, every status listed."""
    rows = (
        StatementLine.objects.filter(statement=statement)
        .values("status")
        .annotate(
            lines=Count("id"),
            statement=Sum("statement_wrvu"),
            log=Sum("log_wrvu"),
            owed=Sum("owed_wrvu"),
        )
    )
    found = {row["status"]: row for row in rows}
    return [
        {
            "status": value,
            "label": label,
            "lines": found.get(value, {}).get("lines", 0),
            **{
                name: found.get(value, {}).get(name) or ZERO
                for name in ("statement", "log", "owed")
            },
        }
        for value, label in StatementLine.Status.choices
    ]


def rules_used(statement: Statement) -> list[str]:
    return sorted(
        set(
            StatementLine.objects.filter(statement=statement)
            .exclude(rule="")
            .values_list("rule", flat=True)
        )
    )


def history(user) -> list[Statement]:
    """The user's reconciled statements, oldest period first (totals over time)."""
    return list(
        Statement.objects.for_user(user)
        .filter(status=Statement.Status.DONE)
        .defer("data")
        .order_by("period_from", "created_at")
    )
