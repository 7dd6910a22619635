"""Quick entry: read procedures as clinicians type them. Pure Python, no ORM.

Lines (a line is a code with its modifiers and units) are separated by spaces, commas or new
lines. Encounters (one patient each, credited on their own) are separated by a blank line, a
semicolon or a slash:
  99213 20610 ; 99214 20610     two patients, each 99213/99214 with an injection
  99213 / 99214                 two patients
  99213 20610                   (a blank line between them: two patients)

  99214 20610
With `per_patient`, every typed line is its own encounter (a list of single-code visits).

Accepted forms of a line:
  99213            a code
  27447-50         a code with modifiers (up to four: 27447-50-LT)
  27447 50         a modifier typed as its own word after a code
  20610 x2         units (x2, *2, ×2, x 2, * 2), attached or as their own word
  20610 X2         asked: X2 is also a modifier (continuous or focused services). A lower-case x,
                   a star, × or a space before the number ("x2", "*2", "X 2") is read as units.
  992135243644     codes typed without separators; a two-character group after a code is a
                   modifier only when it is a valid modifier and the rest still reads as codes.
                   Where two readings remain, both are returned and the user picks one. Lines
                   read from such a run keep it (`ParsedLine.run`), so a surprising reading can be
                   confirmed before it is saved.
A modifier or units never reach across an encounter separator ("20610 / x2" is an error).
The caller says what a code is (`is_code`, usually "in the release") and which modifiers exist.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_MODIFIERS = 4
MAX_UNITS = 99
CODE_RE = re.compile(r"^(?:\d{4}[0-9A-Z]|[A-Z]\d{4})$")
WORD_SPLIT_RE = re.compile(r"[^\s,]+")
ENCOUNTER_SPLIT_RE = re.compile(r"[;/]")
UNIT_SIGNS = frozenset("X*×")
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
    run: str = ""  # the unseparated run of characters this line was read from, if any

    @property
    def ok(self) -> bool:
        return not self.errors

    def __str__(self) -> str:
        text = "-".join((self.code, *self.modifiers))
        return f"{text} x{self.units}" if self.units != 1 else text


@dataclass
class Ambiguity:
    """Several ways to read what was typed; each reading is a list of lines. `text` is what
    was typed, as typed, for the page to replace with the reading chosen."""

    text: str
    readings: list[list[ParsedLine]]


Item = ParsedLine | Ambiguity


@dataclass
class ParseResult:
    """What was typed, encounter by encounter (each a list of lines and questions)."""

    encounters: list[list[Item]]

    @property
    def items(self) -> list[Item]:
        """Every line and question, in the order typed."""
        return [item for encounter in self.encounters for item in encounter]

    @property
    def lines(self) -> list[ParsedLine]:
        return [item for item in self.items if isinstance(item, ParsedLine)]

    @property
    def ok(self) -> bool:
        """Nothing to fix: no errors and no reading left to choose."""
        return bool(self.items) and all(
            isinstance(item, ParsedLine) and item.ok for item in self.items
        )


@dataclass(frozen=True)
class _Word:
    raw: str  # as typed
    token: str  # upper case, "x 2" joined to "X2"
    start: int
    end: int
    spaced: bool = False  # units typed with a space ("x 2"): never a modifier


def _words(text: str) -> list[_Word]:
    """The words typed, where a lone x, * or × followed by a number is one units word."""
    words: list[_Word] = []
    for match in WORD_SPLIT_RE.finditer(text):
        raw = match.group()
        last = words[-1] if words else None
        if last and last.token in UNIT_SIGNS and raw.isdigit():
            words[-1] = _Word(
                text[last.start : match.end()], last.token + raw, last.start, match.end(), True
            )
        else:
            words.append(_Word(raw, raw.upper(), match.start(), match.end()))
    return words


def parse_quick_entry(
    text: str,
    *,
    is_code: Callable[[str], bool],
    modifiers: set[str] | frozenset[str],
    per_patient: bool = False,
) -> ParseResult:
    """Read `text` as encounters of lines; `per_patient` makes every typed line an encounter."""
    encounters = [
        _parse_lines(piece, is_code, modifiers) for piece in encounter_texts(text, per_patient)
    ]
    return ParseResult([items for items in encounters if items])


def encounter_texts(text: str, per_patient: bool = False) -> list[str]:
    """The text of each encounter, as typed: a blank line, a semicolon or a slash ends one, and
    with `per_patient` so does every line end. Pieces holding nothing are left out."""
    pieces: list[list[str]] = [[]]
    for line in text.splitlines():
        if per_patient or not line.strip():
            pieces.append([])
        if not line.strip():
            continue
        first, *others = ENCOUNTER_SPLIT_RE.split(line)
        pieces[-1].append(first)
        pieces += [[other] for other in others]
    return [joined for piece in pieces if (joined := "\n".join(piece)).strip(" \t\r\n,")]


def _parse_lines(text: str, is_code, modifiers) -> list[Item]:
    """The lines of one encounter."""
    items: list[Item] = []
    group = (0, 0)  # where the last code word's lines start: in items, and in the text
    for word in _words(text):
        token = word.token
        previous = items[-1] if items and isinstance(items[-1], ParsedLine) else None
        units = UNITS_RE.match(token)
        if units:
            if previous is None:
                items.append(ParsedLine(token, errors=[f"“{word.raw}”: units must follow a code."]))
            elif _may_be_modifier(word, 0, modifiers):
                typed = text[group[1] : word.end]
                items[group[0] :] = _units_or_modifier(typed, items[group[0] :], token, modifiers)
            else:
                _set_units(previous, units.group(1))
            continue
        if previous is not None and len(token) == 2 and not CODE_RE.match(token):
            _add_modifier(previous, token, modifiers)
            continue
        group = (len(items), word.start)
        items.extend(_read_token(word, is_code, modifiers))
    return items


def _may_be_modifier(word: _Word, at: int, modifiers) -> bool:
    """Units typed as "X2" with a capital X (not spaced) could be the modifier X2."""
    sign = word.raw[at] if at < len(word.raw) else ""
    return not word.spaced and sign == "X" and word.token[at:] in modifiers


def _units_or_modifier(typed: str, lines, token: str, modifiers) -> list[ParsedLine | Ambiguity]:
    """The lines with the last one taking `token` ("X2") as units, or as a modifier: asked,
    unless only one of the two reads."""
    as_units, as_modifier = copy.deepcopy(lines), copy.deepcopy(lines)
    _set_units(as_units[-1], token[1:])
    errors = len(as_modifier[-1].errors)
    _add_modifier(as_modifier[-1], token, modifiers)
    if len(as_modifier[-1].errors) > errors:
        return as_units
    return [Ambiguity(typed, [as_units, as_modifier])]


def _read_token(word: _Word, is_code, modifiers) -> list[ParsedLine | Ambiguity]:
    suffix = UNITS_SUFFIX_RE.match(word.token)
    if suffix is None:
        return _as_typed(word, _read_body(word.token, is_code, modifiers))
    body, units = suffix.group("body"), suffix.group("units")
    if not WORD_RE.match(body):
        return [
            ParsedLine(word.token, errors=[f"“{word.token}” is not a code, modifier or units."])
        ]
    items = _read_body(body, is_code, modifiers)
    if (
        len(items) == 1
        and isinstance(items[0], ParsedLine)
        and _may_be_modifier(word, len(body), modifiers)
    ):
        return _units_or_modifier(word.raw, items, word.token[len(body) :], modifiers)
    last = items[-1]
    for reading in last.readings if isinstance(last, Ambiguity) else [items]:
        _set_units(reading[-1], units)
    return _as_typed(word, items)


def _as_typed(word: _Word, items: list[ParsedLine | Ambiguity]) -> list[ParsedLine | Ambiguity]:
    """A question about a whole word quotes it as typed (the page replaces it)."""
    if items and isinstance(items[-1], Ambiguity):
        items[-1].text = word.raw
    return items


def _read_body(token: str, is_code, modifiers) -> list[ParsedLine | Ambiguity]:
    if not WORD_RE.match(token):
        return [ParsedLine(token, errors=[f"“{token}” is not a code, modifier or units."])]
    head, *mods = token.split("-")

    if len(head) > 5 and not mods:
        readings = _segment(head, is_code, modifiers)
        if not readings:
            return [ParsedLine(head, errors=[f"“{head}” does not read as codes of this release."])]
        for line in (line for reading in readings for line in reading):
            line.run = head
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
