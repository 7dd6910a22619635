"""Coding checks, table-tested on real rows: global days and work RVUs from RVU26C's PPRRVU
file, MUE and add-on edits from the bundled NCCI files, PTP pairs from the labelled fixture."""

import datetime as dt
from functools import cache

import pytest

from ncci import checks, files
from tests.cms_files import fee_row

from .test_files import AOC_FILE, MUE_FILE, PTP_FIXTURE, bundled

DAY = dt.date(2026, 7, 14)


@cache
def real_edits() -> checks.Edits:
    mue = {r.code: (r.units, r.mai) for r in files.parse(bundled(MUE_FILE)).rows}
    addons: dict[str, tuple[int, set]] = {}
    for row in files.parse(bundled(AOC_FILE)).rows:
        if row.deleted_on is None:
            addons.setdefault(row.addon, (row.edit_type, set()))[1].add(row.primary)
    ptp = {}
    for member in files.read_source(PTP_FIXTURE):
        for row in files.parse(member).rows:
            if row.deleted_on is None:
                ptp[(row.column1, row.column2)] = row.modifier
    return checks.Edits(mue, {k: (t, frozenset(p)) for k, (t, p) in addons.items()}, ptp)


def service(key, code, *mods, day=DAY, units=1, checked=True, encounter=1):
    row = fee_row(code, release="RVU26C")
    return checks.Service(
        key,
        code,
        day,
        encounter=encounter,
        modifiers=frozenset(mods),
        units=units,
        global_days=row.global_days,
        work_rvu=row.work_rvu,
        checked=checked,
    )


def rules(*services):
    found = checks.check(services, real_edits())
    return {key: [(f.rule, f.excluded) for f in findings] for key, findings in found.items()}


def test_an_em_on_the_day_of_a_000_procedure_without_25_is_in_the_package():
    # 20610 has a 000-day global in RVU26C: 99213 that day is part of its package.
    assert fee_row("20610", release="RVU26C").global_days == "000"
    found = rules(service("em", "99213"), service("inj", "20610"))
    # The fixture's PTP pair 20610/99213 (indicator 1) bundles it as well.
    assert found["em"] == [("ptp-bundled", True), ("global-package", True)]
    assert "inj" not in found  # the procedure itself is fine


def test_modifier_25_keeps_the_em_out_of_the_package():
    found = rules(service("em", "99213", "25"), service("inj", "20610"))
    assert "em" not in found


def test_a_090_procedure_takes_the_day_before_unless_57():
    assert fee_row("27447", release="RVU26C").global_days == "090"
    surgery = service("tka", "27447", day=DAY, checked=False)
    before = service("em", "99214", day=DAY - dt.timedelta(days=1))
    assert rules(before, surgery)["em"] == [("global-package", True)]
    assert "em" not in rules(service("em", "99214", "57", day=DAY - dt.timedelta(days=1)), surgery)
    # Two days before is outside the package.
    assert "em" not in rules(service("em", "99214", day=DAY - dt.timedelta(days=2)), surgery)


@pytest.mark.parametrize(
    ("days_after", "mods", "in_package"),
    [(1, (), True), (90, (), True), (91, (), False), (30, ("24",), False)],
)
def test_post_operative_visits_of_a_090_procedure(days_after, mods, in_package):
    surgery = service("tka", "27447", day=DAY, checked=False)
    visit = service("em", "99213", *mods, day=DAY + dt.timedelta(days=days_after))
    found = checks.check([surgery, visit], real_edits())
    assert ("em" in found) is in_package
    if in_package:
        assert "27447 on 2026-07-14" in found["em"][0].message


def test_a_010_procedure_has_ten_post_operative_days():
    # 11042 (debridement) carries 000 in RVU26C; 10060 (incision and drainage) 010.
    assert fee_row("10060", release="RVU26C").global_days == "010"
    drainage = service("id", "10060", checked=False)
    assert rules(drainage, service("em", "99213", day=DAY + dt.timedelta(days=10)))["em"]
    assert not rules(drainage, service("em", "99213", day=DAY + dt.timedelta(days=11)))


def test_two_em_visits_in_a_day_keep_the_higher():
    # 99214 (1.92 wRVU in RVU26C) outranks 99213 (1.30): 99213 is left out.
    found = rules(service("a", "99213"), service("b", "99214"))
    assert found == {"a": [("duplicate-em", True)]}


def test_an_addon_without_its_listed_primary_is_left_out():
    # AOC type 1: 64484 with its primary 64483 (real edit "1, 64484, , 64483, , 2013091").
    assert rules(service("add", "64484"))["add"] == [("addon-without-primary", True)]
    assert "add" not in rules(service("add", "64484"), service("p", "64483"))
    # Another procedure that is not a listed primary does not make it reportable.
    assert rules(service("add", "64484"), service("p", "27447"))["add"] == [
        ("addon-without-primary", True)
    ]


@pytest.mark.parametrize(
    ("code", "units", "flagged"),
    [
        ("64484", 4, False),  # MUE 4, MAI 3
        ("64484", 5, True),
        ("27447", 2, True),  # MUE 1, MAI 2
        ("99213", 2, False),  # MUE 2, MAI 3
    ],
)
def test_mue_per_day(code, units, flagged):
    primary = service("p", "64483")
    found = rules(service("x", code, units=units), primary)
    assert (("mue-exceeded", False) in found.get("x", [])) is flagged


def test_mue_per_day_adds_the_lines_of_the_patients_encounter():
    # 20610: MUE 2 a day (MAI 3). One logged earlier in the encounter, two typed now: 3 > 2.
    logged = service("old", "20610", checked=False)
    found = rules(logged, service("new", "20610", "59", units=2))
    assert ("mue-exceeded", False) in found["new"]
    assert (
        "3 units of 20610 on 2026-07-14"
        in checks.check([logged, service("new", "20610", "59", units=2)], real_edits())["new"][
            0
        ].message
    )


def test_ptp_pairs_from_the_fixture():
    # Fixture: 20610/20611 indicator 0 (no bypass), 29881/29877 indicator 1.
    assert rules(service("a", "20610"), service("b", "20611"))["b"] == [("ptp-bundled", True)]
    assert rules(service("a", "20610"), service("b", "20611", "59"))["b"] == [("ptp-bundled", True)]
    assert rules(service("a", "29881"), service("b", "29877"))["b"] == [("ptp-bundled", True)]
    assert "b" not in rules(service("a", "29881"), service("b", "29877", "XS"))


def test_findings_have_a_rule_and_a_message_for_the_api():
    finding = checks.check([service("add", "64484")], real_edits())["add"][0]
    assert finding.as_dict() == {"rule": "addon-without-primary", "message": finding.message}
    assert "64483" in finding.message


def test_the_rules_of_a_day_read_one_patients_encounter():
    # A clinic day: 99213 for one patient, 99214 and 20610 for others. No duplicate visit, no
    # package: they are different patients.
    found = rules(
        service("a", "99213", encounter=1),
        service("b", "99214", encounter=2),
        service("c", "20610", encounter=3),
        service("d", "20610", units=2, encounter=4),
    )
    assert found == {}


def test_a_procedure_of_another_day_flags_the_visit_and_keeps_its_credit():
    # The surgery was logged in another encounter, on another day: it may be another patient's,
    # so the visit is flagged (is it the same patient's?) and not left out.
    surgery = service("tka", "27447", day=DAY, checked=False, encounter="surgery")
    visit = service("em", "99213", day=DAY + dt.timedelta(days=5), encounter="visit")
    assert rules(surgery, visit)["em"] == [("global-package", False)]
    (finding,) = checks.check([surgery, visit], real_edits())["em"]
    assert finding.message.startswith("If this visit is for the patient of 27447 on 2026-07-14:")
    # 24 (unrelated to the surgery) clears it.
    unrelated = service("em", "99213", "24", day=DAY + dt.timedelta(days=5), encounter="visit")
    assert "em" not in rules(surgery, unrelated)
