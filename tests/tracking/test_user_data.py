import json

import pytest
from django.utils import timezone

from accounts.services import user_delete
from accounts.user_data import user_data_json
from codes.wrvu import LineSpec
from tracking import services
from tracking.models import Encounter, Location, LogChange, Preferences, ProcedureLog

pytestmark = pytest.mark.django_db


def test_download_my_data_holds_the_log_and_delete_removes_it(attending, other_user, release):
    Location.objects.create(user=attending, name="Main OR")
    services.preferences_update(
        user=attending, data={"annual_wrvu_target": "6000", "dollars_per_wrvu": "51.20"}
    )
    for user in (attending, other_user):
        services.encounter_create(
            user=user,
            details=services.EntryDetails(date=timezone.localdate(), setting="facility"),
            lines=[LineSpec("27447", ("50",))],
            release=release,
        )

    sections = json.loads(user_data_json(user=attending))["sections"]

    (entry,) = sections["procedure_logs"]
    assert (entry["code"], entry["modifiers"], entry["medicare"]) == ("27447", "50", "29.4000")
    assert entry["release"] == "RVU25D"
    assert sections["locations"] == [
        {"name": "Main OR", "default_setting": "facility", "dollars_per_wrvu": None}
    ]
    assert sections["preferences"] == [  # money stays a decimal string
        {
            "annual_wrvu_target": "6000.00",
            "dollars_per_wrvu": "51.20",
            "fiscal_year_start_month": 1,
            "goal_figure": "policy",
            "tracking_since": None,
            "carried_wrvu": None,
            "pay_prompt_dismissed": False,
        }
    ]
    assert [c["action"] for c in sections["log_changes"]] == ["create"]
    assert sections["import_jobs"] == [] and sections["import_columns"] == []

    user_delete(user=attending)

    assert not ProcedureLog.objects.filter(user_id=attending.pk).exists()
    assert not Encounter.objects.filter(user_id=attending.pk).exists()
    assert not LogChange.objects.filter(user_id=attending.pk).exists()
    assert not Preferences.objects.filter(user_id=attending.pk).exists()
    assert ProcedureLog.objects.filter(user=other_user).count() == 1
