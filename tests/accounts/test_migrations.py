"""Existing residents get the year their PGY-1 began, from the PGY year they gave."""

import datetime as dt

import pytest
import time_machine

from accounts.models import User
from tests.factories import UserFactory
from tests.migrations_helper import migrated_back_to

pytestmark = pytest.mark.django_db(transaction=True)


@time_machine.travel(dt.datetime(2026, 12, 1, 12, 0), tick=False)
def test_residents_get_their_residency_start_from_their_pgy_year():
    resident = UserFactory(career_stage="resident", pgy_year=3, program="Mercy")
    attending = UserFactory(career_stage="attending")
    set_already = UserFactory(career_stage="resident", pgy_year=1, program="Mercy")
    User.objects.filter(pk=set_already.pk).update(residency_start_year=2019)

    with migrated_back_to([("accounts", "0005_stage_residency_start_year")]) as apps:
        apps.get_model("accounts", "User").objects.filter(pk=resident.pk).update(
            residency_start_year=None
        )

    # December 2026 is in 2026-27: PGY-3 then began PGY-1 in July 2024.
    starts = dict(User.objects.values_list("pk", "residency_start_year"))
    assert starts == {resident.pk: 2024, attending.pk: None, set_already.pk: 2019}
