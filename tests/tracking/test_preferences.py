"""Goal and pay settings: one form, one service, the tracker's card after an attending's first
entry, and the migration that brought target and pay over from the user."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from codes.wrvu import LineSpec
from tests.factories import UserFactory
from tracking import selectors, services
from tracking.forms.goals import PayPromptForm, PreferencesForm
from tracking.models import CompensationTier, Preferences

D = Decimal


def log_one(user, release):
    services.encounter_create(
        user=user,
        details=services.EntryDetails(date=timezone.localdate(), setting="facility"),
        lines=[LineSpec("99213")],
        release=release,
    )


def tracker_html(client, user):
    client.force_login(user)
    response = client.get(reverse("tracking:tracker"))
    assert response.status_code == 200
    return response.content.decode()


# The form ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_holds_every_goal_and_pay_setting(attending):
    form = PreferencesForm(
        {
            "annual_wrvu_target": "6000",
            "dollars_per_wrvu": "51.50",
            "fiscal_year_start_month": "7",
            "goal_figure": "medicare",
            "tracking_since": "2026-03-02",
            "carried_wrvu": "812.5",
        },
        instance=Preferences(user=attending),
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "annual_wrvu_target": D("6000"),
        "dollars_per_wrvu": D("51.50"),
        "fiscal_year_start_month": 7,
        "goal_figure": "medicare",
        "tracking_since": dt.date(2026, 3, 2),
        "carried_wrvu": D("812.5"),
    }
    assert dict(form.fields["fiscal_year_start_month"].choices)[7] == "July"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("annual_wrvu_target", "-1", "greater than or equal to 0"),
        ("annual_wrvu_target", "100001", "less than or equal to 100000"),
        ("dollars_per_wrvu", "1000.01", "less than or equal to 1000"),
        ("dollars_per_wrvu", "52.125", "no more than 2 decimal places"),
        ("fiscal_year_start_month", "13", "Select a valid choice"),
    ],
)
def test_the_form_refuses_values_out_of_range(attending, field, value, message):
    data = {"fiscal_year_start_month": "1", "goal_figure": "policy", field: value}

    form = PreferencesForm(data, instance=Preferences(user=attending))

    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


@pytest.mark.django_db
def test_target_and_rate_may_be_left_empty_on_goals_and_pay(attending):
    form = PreferencesForm(
        {"fiscal_year_start_month": "1", "goal_figure": "policy"},
        instance=Preferences(user=attending),
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["annual_wrvu_target"] is None


@pytest.mark.django_db
def test_the_card_asks_for_target_and_rate_only_and_not_for_nothing(attending):
    assert list(PayPromptForm().fields) == ["annual_wrvu_target", "dollars_per_wrvu"]
    assert PayPromptForm({"annual_wrvu_target": "5000"}).is_valid()

    empty = PayPromptForm({"annual_wrvu_target": "", "dollars_per_wrvu": ""})

    assert not empty.is_valid()
    assert "Enter your target, your $ per wRVU or both" in empty.non_field_errors()[0]


# The service -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_service_creates_the_settings_then_changes_only_what_it_is_given(attending):
    services.preferences_update(user=attending, data={"fiscal_year_start_month": 7})
    services.preferences_update(
        user=attending, data={"annual_wrvu_target": D("5000"), "dollars_per_wrvu": D("48.00")}
    )

    prefs = Preferences.objects.get(user=attending)
    assert (prefs.annual_wrvu_target, prefs.dollars_per_wrvu) == (D("5000"), D("48.00"))
    assert (prefs.fiscal_year_start_month, prefs.goal_figure) == (7, "policy")


@pytest.mark.django_db
def test_the_service_validates_and_saves_nothing_wrong(attending):
    with pytest.raises(ValidationError) as caught:
        services.preferences_update(user=attending, data={"dollars_per_wrvu": D("-5")})

    assert "dollars_per_wrvu" in caught.value.message_dict
    assert not Preferences.objects.filter(user=attending).exists()


@pytest.mark.django_db
def test_the_service_refuses_a_field_that_is_not_a_preference(attending):
    with pytest.raises(ValueError, match="user"):
        services.preferences_update(user=attending, data={"user": UserFactory()})


@pytest.mark.django_db
def test_standing_reads_target_and_rate_from_the_settings(attending, release):
    log_one(attending, release)
    assert selectors.standing(attending).target is None
    assert selectors.standing(attending).pay_to_date is None

    services.preferences_update(
        user=attending, data={"annual_wrvu_target": D("5000"), "dollars_per_wrvu": D("50")}
    )

    result = selectors.standing(attending)
    assert result.target == D("5000")
    assert result.pay_to_date.total == D("65.00")  # 99213: 1.30 wRVU x $50


# The Goals & pay page --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_goals_page_shows_the_saved_settings(client, attending):
    services.preferences_update(
        user=attending, data={"annual_wrvu_target": D("6200"), "dollars_per_wrvu": D("49.75")}
    )
    client.force_login(attending)

    html = client.get(reverse("tracking:goals")).content.decode()

    assert 'name="annual_wrvu_target"' in html and 'value="6200.00"' in html
    assert 'value="49.75"' in html


@pytest.mark.django_db
def test_a_wrong_value_on_the_goals_page_is_shown_and_nothing_changes(client, attending):
    client.force_login(attending)

    response = client.post(
        reverse("tracking:goals"),
        {"save_goals": "1", "annual_wrvu_target": "-3", "dollars_per_wrvu": "",
         "fiscal_year_start_month": "7", "goal_figure": "medicare"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "greater than or equal to 0" in response.content.decode()
    assert not Preferences.objects.filter(user=attending).exists()


@pytest.mark.django_db
def test_clearing_target_and_rate_on_the_goals_page(client, attending):
    services.preferences_update(
        user=attending, data={"annual_wrvu_target": D("6200"), "dollars_per_wrvu": D("49.75")}
    )
    client.force_login(attending)

    client.post(
        reverse("tracking:goals"),
        {"save_goals": "1", "annual_wrvu_target": "", "dollars_per_wrvu": "",
         "fiscal_year_start_month": "1", "goal_figure": "policy"},
    )  # fmt: skip

    prefs = Preferences.objects.get(user=attending)
    assert (prefs.annual_wrvu_target, prefs.dollars_per_wrvu) == (None, None)


@pytest.mark.django_db
def test_staff_find_a_users_target_and_rate_in_the_admin(admin_client, attending):
    services.preferences_update(
        user=attending, data={"annual_wrvu_target": D("6200"), "dollars_per_wrvu": D("49.75")}
    )

    html = admin_client.get(
        reverse("admin:tracking_preferences_changelist"), {"q": attending.email}
    ).content.decode()

    assert attending.email in html and "6200.00" in html and "49.75" in html


# The tracker's card after the first entry ------------------------------------------------------


@pytest.mark.django_db
def test_the_card_is_not_shown_before_the_first_entry(client, attending, release):
    assert 'data-testid="pay-prompt"' not in tracker_html(client, attending)


@pytest.mark.django_db
def test_the_card_is_shown_after_an_attendings_first_entry(client, attending, release):
    log_one(attending, release)

    html = tracker_html(client, attending)

    assert 'data-testid="pay-prompt"' in html
    assert f'action="{reverse("tracking:pay_prompt")}"' in html
    assert 'name="annual_wrvu_target"' in html and 'name="dollars_per_wrvu"' in html
    assert "Not now" in html


@pytest.mark.django_db
def test_the_card_appears_right_after_the_first_save(client, attending, release):
    client.force_login(attending)

    response = client.post(
        reverse("tracking:tracker"),
        {"text": "99213", "date": timezone.localdate().isoformat(), "setting": "facility"},
        follow=True,
    )

    assert "Saved 1 entry" in response.content.decode()
    assert 'data-testid="pay-prompt"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("stage", ["resident", "student"])
def test_trainees_are_not_asked(client, release, stage):
    trainee = UserFactory(career_stage=stage)
    log_one(trainee, release)

    assert 'data-testid="pay-prompt"' not in tracker_html(client, trainee)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "already",
    [
        {"annual_wrvu_target": D("5000")},
        {"dollars_per_wrvu": D("50")},
        {"pay_prompt_dismissed": True},
    ],
)
def test_the_card_is_not_shown_once_answered_or_dismissed(client, attending, release, already):
    log_one(attending, release)
    services.preferences_update(user=attending, data=already)

    assert 'data-testid="pay-prompt"' not in tracker_html(client, attending)


@pytest.mark.django_db
def test_pay_tiers_count_as_a_rate(client, attending, release):
    log_one(attending, release)
    CompensationTier.objects.create(user=attending, starts_at=D("0"), rate=D("45"))

    assert 'data-testid="pay-prompt"' not in tracker_html(client, attending)


@pytest.mark.django_db
def test_saving_the_card_sets_target_and_rate_and_the_card_goes(client, attending, release):
    log_one(attending, release)
    client.force_login(attending)

    response = client.post(
        reverse("tracking:pay_prompt"),
        {"annual_wrvu_target": "5200", "dollars_per_wrvu": "52.00", "save": "1"},
        follow=True,
    )

    html = response.content.decode()
    assert "Saved. Change them any time on Goals &amp; pay." in html
    assert 'data-testid="pay-prompt"' not in html
    prefs = Preferences.objects.get(user=attending)
    assert (prefs.annual_wrvu_target, prefs.dollars_per_wrvu) == (D("5200"), D("52.00"))


@pytest.mark.django_db
def test_a_card_sent_empty_or_wrong_says_why_and_saves_nothing(client, attending, release):
    log_one(attending, release)
    client.force_login(attending)

    empty = client.post(reverse("tracking:pay_prompt"), {"save": "1"})
    wrong = client.post(
        reverse("tracking:pay_prompt"), {"annual_wrvu_target": "lots", "dollars_per_wrvu": ""}
    )

    assert empty.status_code == wrong.status_code == 400
    assert "Enter your target, your $ per wRVU or both" in empty.content.decode()
    assert "Enter a number." in wrong.content.decode()
    assert 'data-testid="pay-prompt"' in wrong.content.decode()
    assert not Preferences.objects.filter(user=attending).exists()


@pytest.mark.django_db
def test_not_now_stops_the_asking_and_keeps_target_and_rate_empty(client, attending, release):
    log_one(attending, release)
    client.force_login(attending)

    response = client.post(reverse("tracking:pay_prompt"), {"dismiss": "1"}, follow=True)

    assert 'data-testid="pay-prompt"' not in response.content.decode()
    prefs = Preferences.objects.get(user=attending)
    assert prefs.pay_prompt_dismissed
    assert (prefs.annual_wrvu_target, prefs.dollars_per_wrvu) == (None, None)


@pytest.mark.django_db
def test_the_card_writes_only_the_signed_in_users_settings(client, attending, other_user):
    client.force_login(other_user)

    client.post(reverse("tracking:pay_prompt"), {"annual_wrvu_target": "4000"})

    assert Preferences.objects.get(user=other_user).annual_wrvu_target == D("4000")
    assert not Preferences.objects.filter(user=attending).exists()


@pytest.mark.django_db
def test_the_card_needs_sign_in_and_a_post(client, attending):
    anonymous = client.post(reverse("tracking:pay_prompt"), {"dismiss": "1"})
    client.force_login(attending)
    read = client.get(reverse("tracking:pay_prompt"))

    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("account_login"))
    assert read.status_code == 405


# The migration ---------------------------------------------------------------------------------

BEFORE = [("accounts", "0003_api_token"), ("tracking", "0005_preferences_pay_and_target")]
AFTER = [("accounts", "0004_remove_user_pay_and_target"),
         ("tracking", "0006_copy_pay_and_target_from_users")]  # fmt: skip


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_every_users_target_and_rate_into_preferences():
    old = migrate(BEFORE)
    try:
        User, Prefs = old.get_model("accounts", "User"), old.get_model("tracking", "Preferences")
        rated = User.objects.create(
            email="rated@example.com", career_stage="attending",
            annual_wrvu_target=D("6000"), dollars_per_wrvu=D("51.20"),
        )  # fmt: skip
        with_prefs = User.objects.create(
            email="july@example.com", career_stage="attending", dollars_per_wrvu=D("45.00")
        )
        Prefs.objects.create(user=with_prefs, fiscal_year_start_month=7, goal_figure="medicare")
        unset = User.objects.create(email="unset@example.com", career_stage="resident")

        new = migrate(AFTER)

        found = {
            p.user_id: (p.annual_wrvu_target, p.dollars_per_wrvu, p.fiscal_year_start_month,
                        p.goal_figure)
            for p in new.get_model("tracking", "Preferences").objects.all()
        }  # fmt: skip
        assert found == {
            rated.pk: (D("6000.00"), D("51.20"), 1, "policy"),
            with_prefs.pk: (None, D("45.00"), 7, "medicare"),
        }
        assert unset.pk not in found

        back = migrate(BEFORE)  # and back again: the values return to the users

        users = back.get_model("accounts", "User").objects.order_by("email")
        assert [(u.email, u.annual_wrvu_target, u.dollars_per_wrvu) for u in users] == [
            ("july@example.com", None, D("45.00")),
            ("rated@example.com", D("6000.00"), D("51.20")),
            ("unset@example.com", None, None),
        ]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_the_copy_runs_before_accounts_drops_the_columns():
    graph = MigrationExecutor(connection).loader.graph

    plan = graph.forwards_plan(("accounts", "0004_remove_user_pay_and_target"))

    assert ("tracking", "0006_copy_pay_and_target_from_users") in plan
