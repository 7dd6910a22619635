"""What a reconciliation reads: the user's entries around the statement's period (through
tracking.selectors), and what the explanations try them with: the fee schedule rows of every
loaded release, the work GPCIs of the localities, and the coding edits in force. Then the
results, filtered, and the history of statements."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from codes import releases
from codes.credit import Policy
from codes.models import LocalityPreference, RelativeValue, Release
from codes.selectors import localities_for_release
from codes.wrvu import LineSpec, fee_rows
from ncci import checks
from ncci.models import AddOnEdit, EditSet, PtpEdit
from ncci.selectors import edit_set_for
from statements.explain import Context, Encounter
from statements.matching import Logged
from statements.models import Statement, StatementLine
from tracking.selectors import entry_lines
from tracking.services import user_policy

ZERO = Decimal(0)
ONE_DAY = dt.timedelta(days=1)
# Procedures whose post-operative days may hold the period's visits (the longest global).
GLOBAL_REACH = dt.timedelta(days=90)


@dataclass(frozen=True)
class Window:
    """The entries a statement is matched against (the period and a day either side), and the
    entries around them the coding checks read (the 90 days before: post-operative periods)."""

    entries: list[Logged]
    around: list[dict]  # tracking.selectors.entry_lines values
    period: tuple[dt.date, dt.date]


def window(user, period_from: dt.date, period_to: dt.date) -> Window:
    around = entry_lines(user, period_from - GLOBAL_REACH, period_to + ONE_DAY)
    start = period_from - ONE_DAY
    entries = [
        Logged(
            id=line["id"],
            date=line["date"],
            code=line["code__code"],
            modifiers=tuple(m for m in line["modifiers"].split("-") if m),
            units=line["units"],
            policy=line["policy"],
            medicare=line["medicare"],
            release=line["release__name"],
            encounter=line["encounter_id"],
            in_period=period_from <= line["date"] <= period_to,
        )
        for line in around
        if line["date"] >= start
    ]
    return Window(entries, around, (period_from, period_to))


def explain_context(user, found: Window) -> Context:
    """The explanations' Context for the window's entries."""
    lines = [line for line in found.around if line["id"] in {e.id for e in found.entries}]
    codes = {line["code__code"] for line in lines}
    loaded = [r for r in Release.objects.loaded().defer("change_summary") if not r.is_qp]
    by_name = {r.name: r for r in loaded}
    rows = {r.name: fee_rows(r, codes) for r in loaded} if codes else {}
    start = found.period[0]
    nearest = sorted(loaded, key=lambda r: abs((releases.effective_on(r) - start).days))
    own = _most_used(lines)
    return Context(
        encounters=_encounters(lines),
        rows=rows,
        policy=user_policy(user) or Policy.medicare(),
        releases=tuple(r.name for r in nearest),
        gpcis=_gpcis(user, by_name.get(own)) if own else (),
        findings=_findings(found),
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
    for members in grouped.values():
        members.sort(key=lambda line: line["id"])
        first = members[0]
        encounter = Encounter(
            release=first["release__name"],
            setting=first["setting"],
            lines=tuple(
                (
                    line["id"],
                    LineSpec(
                        line["code__code"],
                        tuple(m for m in line["modifiers"].split("-") if m),
                        line["units"],
                    ),
                )
                for line in members
            ),
        )
        by_entry |= {line["id"]: encounter for line in members}
    return by_entry


def _gpcis(user, release: Release | None) -> tuple[tuple[str, object], ...]:
    """(locality, work GPCI) of the localities pricing `release`, the user's own first."""
    if release is None:
        return ()
    preferred = (
        LocalityPreference.objects.filter(user=user).values_list("locality_key", flat=True).first()
    )
    found = [
        (f"{loc.mac}-{loc.locality_number}", f"{loc.display_name} ({loc.state})", loc.work_gpci)
        for loc in localities_for_release(release).localities.order_by("state", "name")
    ]
    found.sort(key=lambda item: item[0] != preferred)
    return tuple((name, gpci) for _, name, gpci in found)


def _findings(found: Window) -> dict[int, tuple[checks.Finding, ...]]:
    """The coding checks (ncci.checks) on the window's entries, with the 90 days before them as
    context: the global surgical package and the NCCI edits in force at the period's end."""
    lines = found.around
    if not lines:
        return {}
    globals_ = _global_days(lines)
    checked = {entry.id for entry in found.entries}
    services = [
        checks.Service(
            key=line["id"],
            code=line["code__code"],
            day=line["date"],
            modifiers=frozenset(m for m in line["modifiers"].split("-") if m),
            units=line["units"],
            global_days=globals_.get((line["release_id"], line["code__code"]), ""),
            work_rvu=line["work_rvu"],
            checked=line["id"] in checked,
        )
        for line in lines
    ]
    edits = edits_for({line["code__code"] for line in lines}, found.period[1])
    return {key: tuple(items) for key, items in checks.check(services, edits).items()}


def _global_days(lines: list[dict]) -> dict[tuple[int, str], str]:
    pairs = RelativeValue.objects.filter(
        release_id__in={line["release_id"] for line in lines},
        code__code__in={line["code__code"] for line in lines},
        modifier="",
    ).values_list("release_id", "code__code", "global_days")
    return {(release, code): days for release, code, days in pairs}


def edits_for(codes: set[str], day: dt.date) -> checks.Edits:
    """The add-on and procedure-to-procedure edits in force on `day` between `codes` (the MUE
    only warns, so it is not read)."""
    addons: dict[str, tuple[int, set[str]]] = {}
    if aoc := edit_set_for(EditSet.Kind.AOC, day):
        for addon, edit_type, primary in _live(
            AddOnEdit.objects.filter(edit_set=aoc, addon__in=codes), day
        ).values_list("addon", "edit_type", "primary"):
            addons.setdefault(addon, (edit_type, set()))[1].add(primary)
    ptp = {}
    if ptp_set := edit_set_for(EditSet.Kind.PTP, day):
        edits = PtpEdit.objects.filter(edit_set=ptp_set, column1__in=codes, column2__in=codes)
        found = _live(edits, day).values_list("column1", "column2", "modifier")
        ptp = {(column1, column2): modifier for column1, column2, modifier in found}
    return checks.Edits(
        addons={code: (kind, frozenset(primaries)) for code, (kind, primaries) in addons.items()},
        ptp=ptp,
    )


def _live(queryset: QuerySet, day: dt.date) -> QuerySet:
    return queryset.exclude(deleted_on__lte=day)


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
