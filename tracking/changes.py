"""A change to an entry as a person reads it: "Code 27446 → 27447; units 1 → 2; note added;
Medicare-style wRVU 16.70 → 19.11". Pure functions over LogChange's before/after snapshots
(tracking.services._snapshot: field name -> value, decimals and dates as text, related rows as
ids), with the names of those ids given by the caller (`Names`), so no database is read here.

Only what changed is said: a value that reads the same (28.6700 and 28.67) is no change, and the
internal fields (ids, explanations) are never shown as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from codes.place_of_service import SETTING_LABELS
from rvuedge import rounding

MISSING = object()
ARROW = "→"
SETTING_WORDS = SETTING_LABELS | {"non_facility": "non-facility (office)"}


@dataclass(frozen=True)
class Names:
    """What the ids of a snapshot are called: codes by their code, locations and releases by
    their names (an id missing here was deleted since)."""

    codes: Mapping[int, str] = field(default_factory=dict)
    locations: Mapping[int, str] = field(default_factory=dict)
    releases: Mapping[int, str] = field(default_factory=dict)

    def code(self, pk) -> str:
        return self.codes.get(pk, "a code no longer listed")

    def location(self, pk) -> str:
        return self.locations.get(pk, "a deleted location")

    def release(self, pk) -> str:
        return self.releases.get(pk, "a deleted release")


def describe(before: dict | None, after: dict | None, names: Names) -> list[str]:
    """The phrases of one change, in the order a person reads an entry. A new entry (no
    `before`) or a deleted one (no `after`) is one phrase saying what it was."""
    if before is None and after is None:
        return []
    if before is None or after is None:
        return [summary(after if before is None else before, names)]
    phrases = []
    for name, phrase in PHRASES:
        old, new = before.get(name, MISSING), after.get(name, MISSING)
        if old is MISSING or new is MISSING or _same(old, new):
            continue
        text = phrase(old, new, names, before, after)
        if text:
            phrases.append(text)
    return phrases


def sentence(phrases: list[str]) -> str:
    """The phrases as one line: "Code 27446 → 27447; units 1 → 2"."""
    text = "; ".join(phrases)
    return text[:1].upper() + text[1:]


def summary(snapshot: dict, names: Names) -> str:
    """An entry in a few words: "27447-50 ×2 on 2026-03-01, facility, Main OR: Medicare-style
    wRVU 28.67 with RVU25D"."""
    line = entry_label(snapshot, names)
    where = [SETTING_WORDS.get(snapshot.get("setting"), "")]
    if snapshot.get("location_id") is not None:
        where.append(names.location(snapshot["location_id"]))
    text = f"{line} on {snapshot.get('date', '?')}"
    where = [part for part in where if part]
    if where:
        text += f", {', '.join(where)}"
    if snapshot.get("medicare") is not None:
        text += f": Medicare-style wRVU {_figure(snapshot['medicare'])}"
        if snapshot.get("release_id") is not None:
            text += f" with {names.release(snapshot['release_id'])}"
    return text


def entry_label(snapshot: dict, names: Names) -> str:
    """ "27447-50 ×2": code, modifiers and units as typed in quick entry."""
    label = "-".join(
        part for part in (names.code(snapshot.get("code_id")), snapshot.get("modifiers")) if part
    )
    units = snapshot.get("units") or 1
    return f"{label} ×{units}" if units != 1 else label


# Each field ------------------------------------------------------------------------------------


def _code(old, new, names, *_):
    return f"code {names.code(old)} {ARROW} {names.code(new)}"


def _modifiers(old, new, *_):
    old, new = old or "", new or ""
    if not old:
        return f"{_modifier_word(new)} {new} added"
    if not new:
        return f"{_modifier_word(old)} {old} removed"
    return f"modifiers {old} {ARROW} {new}"


def _modifier_word(modifiers: str) -> str:
    return "modifiers" if "-" in modifiers else "modifier"


def _units(old, new, *_):
    return f"units {old} {ARROW} {new}"


def _date(old, new, *_):
    return f"date of service {old} {ARROW} {new}"


def _setting(old, new, *_):
    return f"setting {SETTING_WORDS.get(old, old)} {ARROW} {SETTING_WORDS.get(new, new)}"


def _location(old, new, names, *_):
    if old is None:
        return f"location set to {names.location(new)}"
    if new is None:
        return f"location {names.location(old)} removed"
    return f"location {names.location(old)} {ARROW} {names.location(new)}"


def _role(old, new, *_):
    return f"role {old} {ARROW} {new}"


def _text(label: str, show: bool) -> Callable:
    """Added, removed or changed; the words themselves only where they are not free text."""

    def phrase(old, new, *_):
        if not old:
            return f"{label} {new} added" if show else f"{label} added"
        if not new:
            return f"{label} {old} removed" if show else f"{label} removed"
        return f"{label} {old} {ARROW} {new}" if show else f"{label} changed"

    return phrase


def _release(old, new, names, *_):
    return f"release {names.release(old)} {ARROW} {names.release(new)}"


def _work_rvu(old, new, names, before, after):
    # A new code explains a new work RVU; said only when the code stayed (a new release).
    if not _same(before.get("code_id"), after.get("code_id")):
        return ""
    return f"work RVU per unit {_change(old, new)}"


def _figure_phrase(label: str, *, beside_medicare: bool) -> Callable:
    """A credited figure; raw and policy only where they moved differently from Medicare's."""

    def phrase(old, new, names, before, after):
        if (
            beside_medicare
            and _same(old, before.get("medicare"))
            and _same(new, after.get("medicare"))
        ):
            return ""
        return f"{label} {_change(old, new)}"

    return phrase


PHRASES = (
    ("code_id", _code),
    ("modifiers", _modifiers),
    ("units", _units),
    ("date", _date),
    ("setting", _setting),
    ("location_id", _location),
    ("role", _role),
    ("supervising_attending", _text("supervising attending", show=True)),
    ("note", _text("note", show=False)),
    ("release_id", _release),
    ("work_rvu", _work_rvu),
    ("raw", _figure_phrase("raw wRVU", beside_medicare=True)),
    ("medicare", _figure_phrase("Medicare-style wRVU", beside_medicare=False)),
    ("policy", _figure_phrase("policy wRVU", beside_medicare=True)),
)


# Values ----------------------------------------------------------------------------------------


def _number(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _same(old, new) -> bool:
    """Equal as a person reads them: 28.6700 is 28.67, "" is no value at all."""
    if (old in (None, "")) and (new in (None, "")):
        return True
    a, b = _number(old), _number(new)
    if a is not None and b is not None and isinstance(old, str | int | float | Decimal):
        return a == b
    return old == new


def _figure(value, places: int = 2) -> str:
    number = _number(value)
    return rounding.fixed(number, places) if number is not None else str(value)


def _change(old, new) -> str:
    """ "19.11 → 20.56", with four places where two would read the same."""
    for places in (2, 4):
        text_old, text_new = _figure(old, places), _figure(new, places)
        if text_old != text_new:
            break
    return f"{text_old} {ARROW} {text_new}"
