"""Coding checks on a physician's services of a day: what Medicare's edits and the global surgical
package would do to them. Pure: no database; the caller passes the services and the edits.

Each finding has a stable rule id and a plain message; `excluded` says that Medicare-style credit
leaves the line out (the package or an edit bundles it), otherwise the finding is a warning only.

Edits apply to one patient. The tracker records no patient, but an encounter is one patient on
one day (quick entry starts a new one for each patient), so the rules of a day read the lines of
the same encounter: a clinic day of twenty 99213s is not twenty duplicate visits. The global
package's days before and after a procedure cannot be inside one encounter; those read the
user's procedures on other days: such a visit is flagged (is it the same patient's?) but keeps
its credit, and the modifiers that say a visit is separate (24, 57) keep it out of the flag.

Rules (CMS NCCI and Claims Processing Manual ch. 12 section 40):
- addon-without-primary: an add-on code of a type 1 AOC edit without one of its listed primary
  codes that day; of type 2 or 3, without any primary procedure that day. Excluded.
- mue-exceeded: more units than the MUE allows: per line for MAI 1, across the encounter's lines
  of the code for MAI 2 and 3 (a day's units for the patient). A warning: the claim line would
  be denied, the credit is not changed.
- duplicate-em: more than one E/M visit in an encounter (one patient's day); all but the highest
  work RVU are excluded.
- global-package: an E/M on the day of a 000 or 010 procedure without 25, on the day before or the
  day of a 090 procedure without 57, or in the post-operative days of a procedure without 24.
  Excluded when the procedure is in the visit's encounter (the same patient); flagged only when
  it was logged on another day (it may be another patient's). The message names the procedure
  and its date.
- ptp-bundled: a column 2 code reported with its column 1 code that day, when the edit allows no
  modifier (indicator 0) or none of the bypass modifiers is on either line (indicator 1). Excluded.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

ADDON_WITHOUT_PRIMARY = "addon-without-primary"
MUE_EXCEEDED = "mue-exceeded"
DUPLICATE_EM = "duplicate-em"
GLOBAL_PACKAGE = "global-package"
PTP_BUNDLED = "ptp-bundled"
RULES = (ADDON_WITHOUT_PRIMARY, MUE_EXCEEDED, DUPLICATE_EM, GLOBAL_PACKAGE, PTP_BUNDLED)

# Modifiers that may bypass a PTP edit with indicator 1 (NCCI policy manual, chapter 1).
PTP_BYPASS = frozenset(
    {"59", "XE", "XS", "XP", "XU", "24", "25", "57", "58", "78", "79", "27", "91",
     "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9",
     "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9",
     "LT", "RT", "LC", "LD", "LM", "RC", "RI"}
)  # fmt: skip
POST_OP_DAYS = {"010": 10, "090": 90}
SAME_DAY_GLOBALS = frozenset({"000", "010"})
# The global periods of the procedures whose package can take in a visit.
PACKAGE_GLOBALS = ("000", "010", "090")


def is_em(code: str, global_days: str) -> bool:
    """An evaluation and management visit (99202 to 99499), not an add-on such as 99292."""
    return code.isdigit() and 99202 <= int(code) <= 99499 and global_days != "ZZZ"


@dataclass(frozen=True)
class Service:
    """One line of the day: typed now (`checked`) or logged before (context only)."""

    key: Hashable
    code: str
    day: dt.date
    encounter: Hashable = None  # the patient: lines of one encounter are read together
    modifiers: frozenset[str] = frozenset()
    units: int = 1
    global_days: str = ""
    work_rvu: Decimal = Decimal(0)
    checked: bool = True

    @property
    def em(self) -> bool:
        return is_em(self.code, self.global_days)

    def label(self) -> str:
        return "-".join((self.code, *sorted(self.modifiers)))


@dataclass(frozen=True)
class Edits:
    """The edits in force: MUE {code: (units, MAI)}, add-on {code: (type, primaries)} and PTP
    {(column 1, column 2): modifier indicator} (deleted edits left out by the caller)."""

    mue: dict[str, tuple[int, int]] = field(default_factory=dict)
    addons: dict[str, tuple[int, frozenset[str]]] = field(default_factory=dict)
    ptp: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    excluded: bool = False

    def as_dict(self) -> dict:
        return {"rule": self.rule, "message": self.message}


def check(services: Iterable[Service], edits: Edits) -> dict[Hashable, list[Finding]]:
    """Findings for each checked service, by key (services without findings are left out).
    `services` are the checked lines with their encounters, and the user's procedures of the
    days around them (the day after, and the 90 days before: their global periods)."""
    services = list(services)
    by_visit: dict[tuple, list[Service]] = defaultdict(list)
    for service in services:
        by_visit[(service.day, service.encounter)].append(service)
    found = {}
    for service in services:
        if not service.checked:
            continue
        day = by_visit[(service.day, service.encounter)]
        others = [s for s in day if s.key != service.key]
        findings = [rule(service, day, others, edits) for rule in (_addon, _mue, _ptp)]
        if service.em:
            findings += [_global_package(service, services), _duplicate_em(service, day)]
        if findings := [f for f in findings if f]:
            found[service.key] = findings
    return found


def _addon(service: Service, day, others, edits: Edits) -> Finding | None:
    if service.code not in edits.addons:
        return None
    edit_type, primaries = edits.addons[service.code]
    codes = {s.code for s in others}
    if edit_type == 1:
        if codes & primaries:
            return None
        listed = ", ".join(sorted(primaries)[:8]) + (" ..." if len(primaries) > 8 else "")
        return Finding(
            ADDON_WITHOUT_PRIMARY,
            f"{service.code} is an add-on code reported only with its primary codes ({listed}); "
            "none is logged with it for this patient that day, so Medicare-style credit leaves it "
            "out.",
            excluded=True,
        )
    if any(s.code not in edits.addons for s in others):
        return None
    return Finding(
        ADDON_WITHOUT_PRIMARY,
        f"{service.code} is an add-on code and no primary procedure is logged with it for this "
        "patient that day, so Medicare-style credit leaves it out.",
        excluded=True,
    )


def _mue(service: Service, day, others, edits: Edits) -> Finding | None:
    if service.code not in edits.mue:
        return None
    limit, mai = edits.mue[service.code]
    if mai == 1:
        if service.units <= limit:
            return None
        return Finding(
            MUE_EXCEEDED,
            f"{service.units} units of {service.code} on one line: the MUE allows {limit} "
            "per line (MAI 1), so Medicare would deny the line.",
        )
    units = sum(s.units for s in day if s.code == service.code)
    if units <= limit:
        return None
    kind = "policy" if mai == 2 else "clinical benchmark"
    return Finding(
        MUE_EXCEEDED,
        f"{units} units of {service.code} on {service.day:%Y-%m-%d}: the MUE allows {limit} a "
        f"day (MAI {mai}, {kind}), so Medicare would deny the units over it or the lines.",
    )


def _ptp(service: Service, day, others, edits: Edits) -> Finding | None:
    for other in others:
        indicator = edits.ptp.get((other.code, service.code))
        if indicator is None or indicator == 9:
            continue
        if indicator == 1 and (service.modifiers | other.modifiers) & PTP_BYPASS:
            continue
        how = (
            "no modifier can bypass this edit"
            if indicator == 0
            else "a modifier such as 59, XE, XS, XP or XU can bypass it when the services were "
            "distinct"
        )
        return Finding(
            PTP_BUNDLED,
            f"{service.code} is bundled into {other.code} the same day (NCCI procedure-to-"
            f"procedure edit, column 2 with column 1): {how}.",
            excluded=True,
        )
    return None


def _duplicate_em(service: Service, day) -> Finding | None:
    visits = sorted(
        (s for s in day if s.em), key=lambda s: (s.work_rvu, s.checked, str(s.key)), reverse=True
    )
    if len(visits) < 2 or visits[0].key == service.key:
        return None
    return Finding(
        DUPLICATE_EM,
        f"More than one E/M visit on {service.day:%Y-%m-%d} ({', '.join(v.code for v in visits)}): "
        f"Medicare pays one a day; {visits[0].code} is kept and {service.code} left out.",
        excluded=True,
    )


def _global_package(visit: Service, services: list[Service]) -> Finding | None:
    """The package of a procedure of the same encounter leaves the visit out. A procedure of
    another day may be another patient's (the tracker records none): the visit is flagged, for
    the physician to add 24 or 57 when it is the same patient's and unrelated, and credited."""
    for procedure in services:
        if procedure.em or procedure.global_days not in PACKAGE_GLOBALS:
            continue
        same_patient = procedure.encounter == visit.encounter
        if procedure.day == visit.day and not same_patient:
            continue  # another patient that day
        if reason := _in_package(visit, procedure):
            if not same_patient:
                reason = (
                    f"If this visit is for the patient of {procedure.label()} on "
                    f"{procedure.day:%Y-%m-%d}: {reason} It is credited, as the visit of "
                    "another patient would be."
                )
            return Finding(GLOBAL_PACKAGE, reason, excluded=same_patient)
    return None


def _in_package(visit: Service, procedure: Service) -> str:
    """Why the visit falls in the procedure's global package, or ""."""
    mods, glob = visit.modifiers, procedure.global_days
    when = f"{procedure.label()} on {procedure.day:%Y-%m-%d}"
    days_after = (visit.day - procedure.day).days
    if days_after == 0 and glob in SAME_DAY_GLOBALS and "25" not in mods:
        return (
            f"{visit.code} on the same day as {procedure.label()} ({glob}-day global) is part of "
            "its package unless it is significant and separately identifiable (modifier 25)."
        )
    if glob == "090" and days_after in (-1, 0) and "57" not in mods:
        return (
            f"{visit.code} on the day {'before' if days_after else 'of'} {when} (major surgery) "
            "is part of its package unless it is the decision for surgery (modifier 57)."
        )
    post = POST_OP_DAYS.get(glob, 0)
    if 0 < days_after <= post and "24" not in mods:
        return (
            f"{visit.code} is {days_after} day{'s' if days_after != 1 else ''} after {when}, "
            f"within its {post}-day post-operative period: part of the package unless "
            "unrelated to the surgery (modifier 24)."
        )
    return ""
