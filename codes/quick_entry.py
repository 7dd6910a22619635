"""Quick entry: read procedures as clinicians type them. Pure Python, no ORM.

Accepted forms, separated by spaces, commas, semicolons or new lines:
  99213            a code
  27447-50         a code with modifiers (up to four: 27447-50-LT)
  27447 50         a modifier typed as its own word after a code
  20610 x2         units (x2, X2, *2, ×2), attached or as their own word
  992135243644     codes typed without separators; a two-character group after a code is a
                   modifier only when it is a valid modifier and the rest still reads as codes.
                   Where two readings remain, both are returned and the user picks one.
The caller says what a code is (`is_code`, usually "in the release") and which modifiers exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_MODIFIERS = 4
MAX_UNITS = 99
CODE_RE = re.compile(r"^(?:\d{4}[0-9A-Z]|[A-Z]\d{4})$")
TOKEN_SPLIT_RE = re.compile(r"[\s,;]+")
UNITS_RE = re.compile(r"^(?:[X*×])\s*(\d+)$")
# Units at the end of a word ("20610x2"), but not a modifier such as X2 after a dash.
UNITS_SUFFIX_RE = re.compile(r"^(?P<body>.+?)(?<!-)[X*×](?P<units>\d{1,3})$")
WORD_RE = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")


@dataclass
class ParsedLine:
    code: str
    modifiers: tuple[str, ...] = ()
    units: int = 1
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def __str__(self) -> str:
        text = "-".join((self.code, *self.modifiers))
        return f"{text} x{self.units}" if self.units != 1 else text


@dataclass
class Ambiguity:
    """Several ways to read what was typed; each reading is a list of lines."""

    text: str
    readings: list[list[ParsedLine]]


@dataclass
class ParseResult:
    items: list[ParsedLine | Ambiguity]

    @property
    def lines(self) -> list[ParsedLine]:
        return [item for item in self.items if isinstance(item, ParsedLine)]

    @property
    def ok(self) -> bool:
        """Nothing to fix: no errors and no reading left to choose."""
        return bool(self.items) and all(
            isinstance(item, ParsedLine) and item.ok for item in self.items
        )


def parse_quick_entry(
    text: str, *, is_code: Callable[[str], bool], modifiers: set[str] | frozenset[str]
) -> ParseResult:
    items: list[ParsedLine | Ambiguity] = []
    tokens = [t for t in TOKEN_SPLIT_RE.split(text.upper().strip()) if t]
    for token in tokens:
        previous = items[-1] if items and isinstance(items[-1], ParsedLine) else None
        units = UNITS_RE.match(token)
        if units:
            if previous is None:
                items.append(ParsedLine(token, errors=[f"“{token}”: units must follow a code."]))
            else:
                _set_units(previous, units.group(1))
            continue
        if previous is not None and len(token) == 2 and not CODE_RE.match(token):
            _add_modifier(previous, token, modifiers)
            continue
        items.extend(_read_token(token, is_code, modifiers))
    return ParseResult(items)


def _read_token(token, is_code, modifiers) -> list[ParsedLine | Ambiguity]:
    suffix = UNITS_SUFFIX_RE.match(token)
    body, units = (suffix.group("body"), suffix.group("units")) if suffix else (token, None)
    if not WORD_RE.match(body):
        return [ParsedLine(token, errors=[f"“{token}” is not a code, modifier or units."])]
    head, *mods = body.split("-")

    if len(head) > 5 and not mods:
        readings = _segment(head, is_code, modifiers)
        if not readings:
            return [ParsedLine(head, errors=[f"“{head}” does not read as codes of this release."])]
        if units:
            for reading in readings:
                _set_units(reading[-1], units)
        if len(readings) == 1:
            return list(readings[0])
        return [Ambiguity(token, readings)]

    line = ParsedLine(head)
    if not CODE_RE.match(head):
        line.errors.append(f"“{head}” is not a CPT or HCPCS code (five characters, e.g. 99213).")
    elif not is_code(head):
        line.errors.append(f"{head} is not a code in this fee schedule release.")
    for modifier in mods:
        _add_modifier(line, modifier, modifiers)
    if units:
        _set_units(line, units)
    return [line]


def _segment(text: str, is_code, modifiers) -> list[list[ParsedLine]]:
    """Every way to read a run of characters as codes, each optionally followed by modifiers."""
    if not text:
        return [[]]
    code = text[:5]
    if len(code) < 5 or not CODE_RE.match(code) or not is_code(code):
        return []
    readings = []
    rest = text[5:]
    # Take 0..MAX_MODIFIERS two-character modifiers after the code, if the rest still reads.
    taken: list[str] = []
    for _ in range(MAX_MODIFIERS + 1):
        for tail in _segment(rest, is_code, modifiers):
            readings.append([ParsedLine(code, tuple(taken)), *tail])
        candidate = rest[:2]
        if len(candidate) < 2 or candidate not in modifiers:
            break
        taken.append(candidate)
        rest = rest[2:]
    return readings


def _add_modifier(line: ParsedLine, modifier: str, modifiers) -> None:
    if modifier not in modifiers:
        line.errors.append(f"{modifier} is not a modifier.")
    elif modifier in line.modifiers:
        line.errors.append(f"Modifier {modifier} is given twice.")
    elif len(line.modifiers) >= MAX_MODIFIERS:
        line.errors.append(f"At most {MAX_MODIFIERS} modifiers per line.")
    else:
        line.modifiers = (*line.modifiers, modifier)


def _set_units(line: ParsedLine, units: str) -> None:
    value = int(units)
    if not 1 <= value <= MAX_UNITS:
        line.errors.append(f"Units must be between 1 and {MAX_UNITS}.")
    else:
        line.units = value
