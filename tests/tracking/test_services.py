import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from codes.wrvu import LineSpec
from tracking import services
from tracking.models import CreditPolicy, Encounter, LogChange, ProcedureLog

D = Decimal
pytestmark = pytest.mark.django_db


def details(**overrides):
    values = {"date": timezone.localdate(), "setting": "facility"}
    return services.EntryDetails(**(values | overrides))


def log_lines(user, release, *specs, **detail_overrides):
    return services.encounter_create(
        user=user, details=details(**detail_overrides), lines=list(specs), release=release
    )


def test_an_encounter_stores_release_and_three_figures(attending, release):
    logs = log_lines(attending, release, LineSpec("19303"), LineSpec("47562", ("62",)))

    assert [(log.code.code, log.modifiers) for log in logs] == [("19303", ""), ("47562", "62")]
    assert {log.release for log in logs} == {release}
    assert [log.raw for log in logs] == [D("15.0000"), D("10.4700")]
    assert [log.medicare for log in logs] == [D("15.0000"), D("3.2719")]
    assert [log.policy for log in logs] == [D("15.0000"), D("3.2719")]
    assert "ranked 2nd by fee: 50% of 6.54" in logs[1].explanation["medicare"]
    assert Encounter.objects.count() == 1
    assert LogChange.objects.filter(action="create").count() == 2


def test_the_policy_figure_follows_the_users_switches(attending, release):
    CreditPolicy.objects.create(user=attending, multiple_procedure=False)

    logs = log_lines(attending, release, LineSpec("19303"), LineSpec("47562"))

    assert [log.medicare for log in logs] == [D("15.0000"), D("5.2350")]
    assert [log.policy for log in logs] == [D("15.0000"), D("10.4700")]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        # Tomorrow when the test runs, not when it was collected (a run may cross midnight).
        (lambda: {"date": timezone.localdate() + dt.timedelta(days=1)}, "date"),
        (lambda: {"setting": "home"}, "setting"),
        (lambda: {"role": "supervised"}, "role"),
    ],
)
def test_bad_details_are_refused_and_nothing_is_saved(attending, release, overrides, field):
    with pytest.raises(ValidationError) as error:
        log_lines(attending, release, LineSpec("99213"), **overrides())

    assert field in error.value.message_dict
    assert not ProcedureLog.objects.exists()


def test_another_users_location_is_refused(attending, other_user, release):
    from tracking.models import Location

    theirs = Location.objects.create(user=other_user, name="Their clinic")

    with pytest.raises(ValidationError):
        log_lines(attending, release, LineSpec("99213"), location=theirs)
    assert not ProcedureLog.objects.exists()


def test_unknown_code_is_refused(attending, release):
    with pytest.raises(ValidationError, match="Not in RVU25D: 99999"):
        log_lines(attending, release, LineSpec("99213"), LineSpec("99999"))
    assert not ProcedureLog.objects.exists()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (LineSpec("27447", ("TC",)), "27447-TC: Modifier TC cannot be used with 27447"),
        (LineSpec("20610", ("50",), 2), "20610-50 x2: Modifier 50 means both sides"),
    ],
)
def test_lines_the_fee_schedule_forbids_are_never_saved(attending, release, spec, message):
    # Quick entry, the API and imports refuse them first; the service is the last guard.
    with pytest.raises(ValidationError, match=message):
        log_lines(attending, release, LineSpec("99213"), spec)
    assert not ProcedureLog.objects.exists()


def test_an_edit_into_a_forbidden_line_is_refused(attending, release):
    (log,) = log_lines(attending, release, LineSpec("27447"))

    with pytest.raises(ValidationError, match="Modifier TC cannot be used with 27447"):
        services.procedure_log_update(log=log, changes={"modifiers": "TC"})
    log.refresh_from_db()
    assert (log.modifiers, log.medicare) == ("", D("19.6000"))


def test_editing_re_credits_the_encounter_and_records_the_change(attending, release):
    _first, second = log_lines(attending, release, LineSpec("19303"), LineSpec("47562"))

    services.procedure_log_update(log=second, changes={"modifiers": "62", "note": "co-surgeon"})

    second.refresh_from_db()
    assert second.medicare == D("3.2719")
    change = LogChange.objects.get(log_pk=second.pk, action="update")
    assert change.before["modifiers"] == ""
    assert change.after["modifiers"] == "62"
    assert change.before["medicare"] == "5.2350"


def test_deleting_a_line_re_ranks_the_rest(attending, release):
    first, second = log_lines(attending, release, LineSpec("47562"), LineSpec("19303"))
    assert first.medicare == D("5.2350")

    services.procedure_logs_delete(user=attending, logs=[second])

    first.refresh_from_db()
    assert first.medicare == D("10.4700")
    assert LogChange.objects.filter(log_pk=second.pk, action="delete").exists()


def test_deleting_every_line_removes_the_encounter(attending, release):
    (log,) = log_lines(attending, release, LineSpec("99213"))

    services.procedure_logs_delete(user=attending, logs=[log])

    assert not Encounter.objects.exists()


def test_repricing_previews_applies_and_undoes_exactly(attending, release, newer_release):
    today = timezone.localdate()
    logs = log_lines(attending, release, LineSpec("27447", ("50",)), LineSpec("20610"))
    original = list(
        ProcedureLog.objects.order_by("pk").values(
            "release", "work_rvu", "raw", "medicare", "policy", "explanation", "warnings"
        )
    )

    preview = services.reprice_preview(
        user=attending, release=newer_release, date_from=today, date_to=today
    )
    assert [row["after"]["medicare"] for row in preview] == ["28.6650", "0.3850"]
    assert ProcedureLog.objects.filter(release=release).count() == 2  # nothing saved

    batch = services.reprice_apply(
        user=attending, release=newer_release, date_from=today, date_to=today
    )
    assert batch.entries == 2
    assert set(ProcedureLog.objects.values_list("release", flat=True)) == {newer_release.pk}
    logs[0].refresh_from_db()
    assert logs[0].medicare == D("28.6650")  # 19.11 x 1.5 in RVU26C

    services.reprice_undo(batch=batch)

    restored = list(
        ProcedureLog.objects.order_by("pk").values(
            "release", "work_rvu", "raw", "medicare", "policy", "explanation", "warnings"
        )
    )
    assert restored == original
    with pytest.raises(ValidationError):
        services.reprice_undo(batch=batch)


def test_a_new_release_never_changes_past_entries(attending, release, newer_release):
    from codes.services import release_make_current

    (log,) = log_lines(attending, release, LineSpec("27447"))

    release_make_current(release=newer_release)

    log.refresh_from_db()
    assert (log.release, log.medicare) == (release, D("19.6000"))
