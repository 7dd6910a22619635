"""JSON backup and restore: the round trip gives identical data; restore is all or nothing."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from codes.wrvu import LineSpec
from tracking import services
from tracking.models import (
    CompensationTier,
    CreditPolicy,
    DayOff,
    Encounter,
    Favorite,
    Location,
    LogTemplate,
    LogTemplateLine,
    Preferences,
    ProcedureLog,
    RestoreJob,
)
from tracking.portability import backup

pytestmark = pytest.mark.django_db

OWNED = [
    Preferences,
    CreditPolicy,
    Location,
    DayOff,
    CompensationTier,
    Favorite,
    LogTemplate,
    LogTemplateLine,
    Encounter,
    ProcedureLog,
]


def natural(obj):
    """How the snapshot names a related row: never by its database id."""
    if isinstance(obj, Location | LogTemplate):
        return obj.name
    if isinstance(obj, Encounter):
        return (obj.date, obj.setting, natural(obj.location) if obj.location else None,
                obj.created_at)  # fmt: skip
    if hasattr(obj, "is_qp"):  # a release
        return (obj.name, obj.is_qp)
    if hasattr(obj, "short_descriptor"):  # a code
        return obj.code
    return None  # the user


def snapshot(user) -> dict:
    """Every field of every row the user owns in tracking, except surrogate ids and the user."""
    found = {}
    for model in OWNED:
        if model is LogTemplateLine:
            rows = model.objects.filter(template__user=user)
        else:
            rows = model.objects.filter(user=user)
        values = []
        for obj in rows:
            row = {}
            for field in model._meta.concrete_fields:
                if field.primary_key or field.name == "user":
                    continue
                if field.is_relation:
                    related = getattr(obj, field.name)
                    row[field.name] = natural(related) if related is not None else None
                else:
                    row[field.name] = field.value_from_object(obj)
            values.append(row)
        found[model.__name__] = sorted(values, key=repr)
    return found


@pytest.fixture
def account(attending, release, newer_release):
    """One of everything an attending keeps, with entries priced by two releases."""
    user = attending
    main = Location.objects.create(
        user=user, name="Main OR", default_setting="facility", dollars_per_wrvu=Decimal("52.50")
    )
    Location.objects.create(user=user, name="Clinic", default_setting="non_facility")
    CreditPolicy.objects.create(
        user=user, multiple_procedure=False, modifier_22_percent=Decimal("125.00")
    )
    Preferences.objects.create(
        user=user,
        fiscal_year_start_month=7,
        goal_figure="medicare",
        annual_wrvu_target=Decimal("6200"),
        dollars_per_wrvu=Decimal("51.25"),
    )
    DayOff.objects.create(user=user, date=dt.date(2026, 7, 3), label="Holiday")
    CompensationTier.objects.create(user=user, starts_at=Decimal("0"), rate=Decimal("45.00"))
    CompensationTier.objects.create(user=user, starts_at=Decimal("5000"), rate=Decimal("52.00"))
    Favorite.objects.create(user=user, code_id=code_pk("99213"))
    services.log_template_create(
        user=user, name="Knee", lines=[LineSpec("27447", ("RT",)), LineSpec("20610", (), 2)]
    )
    today = timezone.localdate()
    for days, lines, location, note in [
        (2, [LineSpec("99213"), LineSpec("20610", (), 2)], None, "first clinic day"),
        (30, [LineSpec("27447", ("50",)), LineSpec("47562", ("80",))], main, ""),
        (90, [LineSpec("45380"), LineSpec("45385")], main, "difficult prep"),
    ]:
        services.encounter_create(
            user=user,
            details=services.EntryDetails(
                date=today - dt.timedelta(days=days),
                setting="facility",
                location=location,
                note=note,
            ),
            lines=lines,
            release=release,
        )
    services.reprice_apply(
        user=user, release=newer_release, date_from=today - dt.timedelta(days=10), date_to=today
    )
    return user


def code_pk(code):
    from codes.models import Code

    return Code.objects.get(code=code).pk


def download(client, user) -> bytes:
    client.force_login(user)
    response = client.get(reverse("tracking:backup"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="rvuedge-backup-')
    return b"".join(response.streaming_content)


def upload(client, user, body: bytes, replace=False):
    client.force_login(user)
    data = {"file": io.BytesIO(body)}
    data["file"].name = "backup.json"
    if replace:
        data["replace"] = "on"
    return client.post(reverse("tracking:restore"), data)


def outcome(client, response) -> RestoreJob:
    """The restore job an upload made (run in the request: the backup is small), after checking
    that its page says how it ended."""
    assert response.status_code == 302, response.content.decode()[:2000]
    job = RestoreJob.objects.latest("pk")
    assert response["Location"] == reverse("tracking:restore_job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert job.message and job.message in page.replace("&quot;", '"').replace("&#x27;", "'")
    return job


def test_the_backup_holds_every_section_by_natural_keys(client, account):
    data = json.loads(download(client, account))

    assert (data["format"], data["version"], data["account"]) == (
        "rvuedge-tracking-backup",
        1,
        account.email,
    )
    assert sorted(loc["name"] for loc in data["locations"]) == ["Clinic", "Main OR"]
    assert data["preferences"]["fiscal_year_start_month"] == 7
    assert (data["preferences"]["annual_wrvu_target"], data["preferences"]["dollars_per_wrvu"]) == (
        "6200.00",
        "51.25",
    )
    assert data["credit_policy"]["modifier_22_percent"] == "125.00"
    assert [tier["rate"] for tier in data["compensation_tiers"]] == ["45.00", "52.00"]
    assert len(data["encounters"]) == 3
    lines = [line for enc in data["encounters"] for line in enc["lines"]]
    assert len(lines) == 6
    assert {line["release"]["name"] for line in lines} == {"RVU25D", "RVU26C"}
    assert all("id" not in line and "encounter" not in line for line in lines)


def test_restoring_after_deleting_gives_identical_data(client, account):
    before = snapshot(account)
    body = download(client, account)
    backup.tracking_data_delete(account)
    assert snapshot(account)["ProcedureLog"] == []

    job = outcome(client, upload(client, account, body))

    assert job.status == RestoreJob.Status.DONE
    assert job.message == "Restored 6 entries, 2 locations and 1 template."
    assert bytes(job.data) == b""  # the file is deleted when the job ends
    after = snapshot(account)
    for name in before:
        assert after[name] == before[name], name
    assert len(after["ProcedureLog"]) == 6


def test_restoring_into_another_empty_account_gives_identical_data(client, account, other_user):
    body = download(client, account)

    job = outcome(client, upload(client, other_user, body))

    assert job.status == RestoreJob.Status.DONE
    assert snapshot(other_user) == snapshot(account)


def test_it_refuses_to_merge_into_an_account_with_entries(client, account):
    body = download(client, account)
    before = snapshot(account)

    response = upload(client, account, body)

    assert response.status_code == 400
    assert "already has tracking data (6 entries, 2 locations" in response.content.decode()
    assert snapshot(account) == before


def test_replace_deletes_the_current_data_and_restores_the_backup(client, account, release):
    body = download(client, account)
    before = snapshot(account)
    services.encounter_create(
        user=account,
        details=services.EntryDetails(date=timezone.localdate(), setting="facility"),
        lines=[LineSpec("99291")],
        release=release,
    )
    Location.objects.create(user=account, name="Added after the backup")

    job = outcome(client, upload(client, account, body, replace=True))

    assert job.status == RestoreJob.Status.DONE
    assert snapshot(account) == before


def test_a_damaged_backup_changes_nothing_even_with_replace(client, account):
    data = json.loads(download(client, account))
    data["encounters"][-1]["lines"][-1]["units"] = 500  # out of range, in the last encounter
    before = snapshot(account)

    job = outcome(client, upload(client, account, json.dumps(data).encode(), replace=True))

    assert job.status == RestoreJob.Status.FAILED
    assert job.message.startswith("Nothing restored: The backup holds an invalid")
    assert "Ensure this value is less than or equal to 99" in job.message
    assert bytes(job.data) == b""
    assert snapshot(account) == before


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: d["encounters"][0]["lines"][0]["release"].update(name="RVU19A"), "RVU19A"),
        (lambda d: d["encounters"][0]["lines"][0].update(code="0000T"), "0000T"),
        (lambda d: d["favorites"][0].update(code="ZZZZZ"), "ZZZZZ"),
        (lambda d: d["encounters"][1].update(location="Nowhere"), "Nowhere"),
        (lambda d: d.pop("locations"), "damaged"),
    ],
)
def test_a_backup_naming_what_this_site_lacks_fails_by_name(
    client, account, other_user, damage, message
):
    data = json.loads(download(client, account))
    damage(data)

    job = outcome(client, upload(client, other_user, json.dumps(data).encode()))

    assert job.status == RestoreJob.Status.FAILED
    assert message in job.message
    assert not ProcedureLog.objects.filter(user=other_user).exists()
    assert not Location.objects.filter(user=other_user).exists()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: d.update(format="something else"), "not an RVU Edge tracking backup"),
        (lambda d: d.update(version=99), "Backup version 99 is not supported."),
    ],
)
def test_a_file_that_is_not_a_backup_is_refused_at_once(
    client, account, other_user, damage, message
):
    data = json.loads(download(client, account))
    damage(data)

    response = upload(client, other_user, json.dumps(data).encode())

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RestoreJob.objects.exists()


def test_a_backup_from_before_target_and_pay_moved_keeps_the_accounts_own(client, account):
    data = json.loads(download(client, account))
    for name in ("annual_wrvu_target", "dollars_per_wrvu", "pay_prompt_dismissed"):
        del data["preferences"][name]  # as backups made before they were preferences
    Preferences.objects.filter(user=account).update(annual_wrvu_target=Decimal("7000"))

    job = outcome(client, upload(client, account, json.dumps(data).encode(), replace=True))

    assert job.status == RestoreJob.Status.DONE
    prefs = Preferences.objects.get(user=account)
    assert (prefs.annual_wrvu_target, prefs.dollars_per_wrvu) == (Decimal("7000"), Decimal("51.25"))
    assert (prefs.fiscal_year_start_month, prefs.goal_figure) == (7, "medicare")


def test_restoring_updates_goal_settings_an_empty_account_already_has(client, account, other_user):
    body = download(client, account)
    Preferences.objects.create(user=other_user, annual_wrvu_target=Decimal("100"))

    job = outcome(client, upload(client, other_user, body))

    assert job.status == RestoreJob.Status.DONE
    assert snapshot(other_user) == snapshot(account)


def test_a_file_that_is_not_json_is_refused(client, other_user, release):
    response = upload(client, other_user, b"date,code\n2025-01-01,99213\n")

    assert response.status_code == 400
    assert "This is not a JSON file." in response.content.decode()


def test_the_service_refuses_without_replace(account):
    data = backup.backup_build(account)

    with pytest.raises(ValidationError, match="Choose “replace”"):
        backup.backup_restore(user=account, data=data)


def test_the_backup_leaves_out_other_users(client, account, other_user, release):
    services.encounter_create(
        user=other_user,
        details=services.EntryDetails(date=timezone.localdate(), setting="facility"),
        lines=[LineSpec("99291")],
        release=release,
    )

    data = json.loads(download(client, other_user))

    assert [line["code"] for enc in data["encounters"] for line in enc["lines"]] == ["99291"]
    assert data["locations"] == [] and data["credit_policy"] is None


def test_anonymous_visitors_cannot_restore(client):
    response = client.post(reverse("tracking:restore"), {})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
