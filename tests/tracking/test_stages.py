"""A tracker that fits the career stage: where each stage starts, the pay pages only attendings
see, the case-log roles residents choose (remembered from the previous case), the case log by
PGY year and category, and a student's codes seen per rotation."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from codes.wrvu import LineSpec
from tests.factories import UserFactory
from tracking import selectors, services
from tracking.models import CompensationTier, CreditPolicy, Location, Preferences, ProcedureLog

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def student(db):
    return UserFactory(career_stage="student", specialty="undecided")


@pytest.fixture
def users(attending, resident, student):
    return {"attending": attending, "resident": resident, "student": student}


def log(user, release, code="47562", day=None, **details):
    return services.encounter_create(
        user=user,
        details=services.EntryDetails(
            date=day or timezone.localdate(), setting="facility", **details
        ),
        lines=[LineSpec(code)],
        release=release,
    )


def quick_entry(client, text="47562", **fields):
    data = {"text": text, "date": timezone.localdate().isoformat(), "setting": "facility"}
    return client.post(reverse("tracking:tracker"), data | fields)


# Where each stage starts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "start"),
    [
        ("attending", "tracking:tracker"),
        ("resident", "tracking:tracker"),
        ("student", "tracking:learning"),
    ],
)
def test_each_stage_starts_on_its_own_page(client, users, release, stage, start):
    client.force_login(users[stage])

    assert client.get(reverse("tracking:start")).url == reverse(start)


def test_before_any_fee_schedule_the_log_cannot_price_so_the_start_explains(client, resident):
    client.force_login(resident)

    assert client.get(reverse("tracking:start")).url == reverse("tracking:dashboard")


def test_the_start_needs_sign_in(client):
    assert client.get(reverse("tracking:start")).url.startswith(reverse("account_login"))


@pytest.mark.parametrize("stage", ["attending", "resident", "student"])
def test_a_first_steps_checklist_until_the_first_entry(client, users, release, stage):
    user = users[stage]
    client.force_login(user)

    assert 'data-testid="first-steps"' in client.get(reverse("tracking:tracker")).content.decode()
    log(user, release, role="observed" if stage == "student" else "performed")
    html = client.get(reverse("tracking:tracker")).content.decode()
    assert 'data-testid="first-steps"' not in html


def test_log_is_in_the_top_navigation_when_signed_in(client, student):
    assert 'data-testid="nav-log"' not in client.get(reverse("home")).content.decode()
    client.force_login(student)

    html = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("tracking:tracker")}" data-testid="nav-log">Log</a>' in html


# Pay pages are the attendings' -------------------------------------------------------------------

PAY_PAGES = ["tracking:goals", "tracking:policy", "tracking:reprice"]


@pytest.mark.parametrize("stage", ["resident", "student"])
@pytest.mark.parametrize("name", PAY_PAGES)
def test_trainees_are_sent_from_pay_pages_with_a_reason(client, users, stage, name):
    client.force_login(users[stage])

    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url == reverse(
        "tracking:learning" if stage == "student" else "tracking:tracker"
    )
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "is for attendings paid by the wRVU" in message
    assert "change your career stage in account settings" in message


@pytest.mark.parametrize("stage", ["resident", "student"])
def test_a_trainees_post_to_pay_pages_saves_nothing(client, users, stage):
    user = users[stage]
    tier = CompensationTier.objects.create(user=user, starts_at=D("0"), rate=D("45"))
    client.force_login(user)

    client.post(
        reverse("tracking:goals"),
        {"save_goals": "1", "annual_wrvu_target": "6000", "fiscal_year_start_month": "1",
         "goal_figure": "policy"},
    )  # fmt: skip
    client.post(reverse("tracking:pay_prompt"), {"dollars_per_wrvu": "50", "save": "1"})
    client.post(reverse("tracking:policy"), {"multiple_procedure": "on"})
    client.post(reverse("tracking:tier_delete", args=[tier.pk]))

    assert not Preferences.objects.filter(user=user).exists()
    assert not CreditPolicy.objects.filter(user=user).exists()
    assert CompensationTier.objects.filter(pk=tier.pk).exists()


@pytest.mark.parametrize("name", PAY_PAGES)
def test_attendings_keep_the_pay_pages(client, attending, release, name):
    client.force_login(attending)

    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize(
    ("stage", "shown", "hidden"),
    [
        ("attending", ["Goals &amp; pay", "Credit policy", "Re-price"], ["Case log", "Learning"]),
        ("resident", ["Case log"], ["Goals &amp; pay", "Credit policy", "Re-price", "Learning"]),
        ("student", ["Case log", "Learning"], ["Goals &amp; pay", "Credit policy", "Re-price"]),
    ],
)
def test_the_tracker_menu_fits_the_stage(client, users, release, stage, shown, hidden):
    client.force_login(users[stage])

    html = client.get(reverse("tracking:history")).content.decode()
    menu = html.split('aria-label="Tracker sections"', 1)[1].split("</nav>", 1)[0]

    for label in shown:
        assert f">{label}</a>" in menu
    for label in hidden:
        assert f">{label}</a>" not in menu


@pytest.mark.parametrize("stage", ["resident", "student"])
def test_a_trainees_dashboard_has_no_goal_or_pay(client, users, release, stage):
    user = users[stage]
    log(user, release, role="observed")
    client.force_login(user)

    html = client.get(reverse("tracking:dashboard")).content.decode()

    for text in ("Goal and pace", "Estimated compensation", "Set a target", "Goal and pay count"):
        assert text not in html
    assert "Open the case log" in html


def test_a_trainees_locations_carry_no_pay_rate(client, resident):
    client.force_login(resident)

    assert "$ per wRVU" not in client.get(reverse("tracking:locations")).content.decode()
    client.post(reverse("tracking:locations"), {"name": "Mercy", "default_setting": "facility",
                                                "dollars_per_wrvu": "60"})  # fmt: skip
    assert Location.objects.get(user=resident, name="Mercy").dollars_per_wrvu is None


# Roles, and the previous case remembered -------------------------------------------------------


def test_residents_choose_among_the_case_log_roles(client, resident, release):
    client.force_login(resident)

    html = client.get(reverse("tracking:tracker")).content.decode()

    assert '<optgroup label="Case log roles">' in html
    for label in ("Surgeon chief", "Surgeon junior", "Teaching assistant", "First assistant"):
        assert f">{label}</option>" in html
    assert '<option value="" selected>Choose your role</option>' in html


def test_a_resident_without_a_role_is_asked_and_nothing_is_saved(client, resident, release):
    client.force_login(resident)

    response = quick_entry(client, supervising_attending="Dr. Rivera")

    assert response.status_code == 400
    assert "Choose your role in this case." in response.content.decode()
    assert "Dr. Rivera" in response.content.decode()  # what was typed stays
    assert not ProcedureLog.objects.exists()


def test_the_next_case_starts_from_the_previous_role_and_attending(client, resident, release):
    client.force_login(resident)
    quick_entry(client, role="first_assistant", supervising_attending="Dr. Rivera")
    quick_entry(client, "44970", role="surgeon_junior", supervising_attending="Dr. Okafor")

    form = client.get(reverse("tracking:tracker")).context["form"]

    assert form["role"].value() == "surgeon_junior"
    assert form["supervising_attending"].value() == "Dr. Okafor"
    assert [
        (log.role, log.supervising_attending) for log in ProcedureLog.objects.order_by("pk")
    ] == [
        ("first_assistant", "Dr. Rivera"),
        ("surgeon_junior", "Dr. Okafor"),
    ]


def test_attendings_already_entered_are_offered_most_recent_first(
    client, resident, other_user, release
):
    log(resident, release, supervising_attending="Dr. Lee", role="surgeon_junior")
    log(resident, release, supervising_attending="Dr. Rivera", role="surgeon_junior")
    log(resident, release, supervising_attending="Dr. Lee", role="surgeon_junior")
    log(resident, release, supervising_attending="", role="surgeon_junior")
    log(other_user, release, supervising_attending="Dr. Someone Else")
    client.force_login(resident)

    html = client.get(reverse("tracking:tracker")).content.decode()

    assert selectors.attending_names(resident) == ["Dr. Lee", "Dr. Rivera"]
    assert 'list="attending-names"' in html
    assert (
        '<datalist id="attending-names"><option value="Dr. Lee"></option>'
        '<option value="Dr. Rivera"></option></datalist>'
    ) in html
    assert "Dr. Someone Else" not in html
    # The previous case had no attending: the box starts empty, the list still offers them.
    assert (
        client.get(reverse("tracking:tracker")).context["form"]["supervising_attending"].value()
        == ""
    )


def test_attendings_get_no_role_memory(client, attending, release):
    log(attending, release, role="assisted", supervising_attending="Dr. Lee")
    client.force_login(attending)

    response = client.get(reverse("tracking:tracker"))

    assert response.context["form"]["role"].value() == "performed"
    assert "attending-names" not in response.content.decode()


def test_a_student_logs_an_observed_case_by_default(client, student, release):
    client.force_login(student)

    response = quick_entry(client, "99213", note="#medicine")

    assert response.status_code == 302
    assert ProcedureLog.objects.get(user=student).role == "observed"


# The case log by PGY year and category --------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 9, 1, 12, 0), tick=False)
def test_the_case_log_groups_by_pgy_year_and_category(client, resident, release):
    resident.residency_start_year = 2025  # PGY-1 from July 2025
    resident.save()
    for day, code, role in (
        (dt.date(2025, 3, 3), "99213", "observed"),  # medical school
        (dt.date(2025, 9, 2), "47562", "surgeon_junior"),
        (dt.date(2026, 8, 3), "47562", "surgeon_chief"),
        (dt.date(2026, 8, 4), "44970", "surgeon_chief"),
    ):
        log(resident, release, code, day, role=role, supervising_attending="Dr. Rivera")
    client.force_login(resident)

    response = client.get(reverse("tracking:case_log"))
    html = response.content.decode()

    assert [label for _year, label in response.context["years"]] == [
        "PGY-2 (2026-27)",
        "PGY-1 (2025-26)",
        "Before residency (2024-25)",
    ]
    assert response.context["year_labels"] == [
        "Before residency (2024-25)",
        "PGY-1 (2025-26)",
        "PGY-2 (2026-27)",
    ]
    by_year = {row["category"]: row["counts"] for row in response.context["by_year"]}
    assert sum(sum(counts) for counts in by_year.values()) == 4
    assert [sum(column) for column in zip(*by_year.values(), strict=True)] == [1, 1, 2]
    assert ">Surgeon chief<" in html and ">Surgeon junior<" in html
    assert "PGY years count from July 2025" in html

    chosen = client.get(reverse("tracking:case_log"), {"year": "2026-27"})
    assert chosen.context["total"] == 2
    assert {row["role_label"] for row in chosen.context["rows"]} == {"Surgeon chief"}

    body = b"".join(client.get(reverse("tracking:case_log_csv")).streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(row["academic_year"], row["pgy"], row["role"]) for row in rows] == [
        ("2024-25", "", "observed"),
        ("2025-26", "1", "surgeon_junior"),
        ("2026-27", "2", "surgeon_chief"),
        ("2026-27", "2", "surgeon_chief"),
    ]


def test_signing_up_as_a_resident_sets_the_residency_start(client):
    with time_machine.travel(dt.datetime(2026, 9, 1, 12, 0), tick=False):
        client.post(
            reverse("account_signup"),
            {"career_stage": "resident", "specialty": "general_surgery", "pgy_year": "2",
             "program": "Mercy", "email": "new@example.com", "password1": "a-long-pass-phrase-9",
             "password2": "a-long-pass-phrase-9"},
        )  # fmt: skip

    user = UserFactory._meta.model.objects.get(email="new@example.com")
    assert (user.pgy_year, user.residency_start_year) == (2, 2025)


# A student's learning view -----------------------------------------------------------------------


def test_a_student_sees_codes_per_rotation_linked_to_their_pages(
    client, student, other_user, release
):
    mercy = Location.objects.create(user=student, name="Mercy Hospital")
    log(student, release, "99213", dt.date(2026, 3, 2), role="observed", location=mercy)
    log(student, release, "47562", dt.date(2026, 3, 9), role="observed", location=mercy,
        note="first scrub #surgery")  # fmt: skip
    log(student, release, "47562", dt.date(2026, 3, 10), role="assisted", note="#surgery")
    log(other_user, release, "27447", dt.date(2026, 3, 10), note="#surgery")
    client.force_login(student)

    response = client.get(reverse("tracking:learning"))
    html = response.content.decode()

    rotations = response.context["rotations"]
    assert [(r.name, r.entries) for r in rotations] == [("Surgery", 2), ("Mercy Hospital", 1)]
    [surgery_code] = rotations[0].code_rows
    assert (surgery_code["code"], surgery_code["times"]) == ("47562", 2)
    assert surgery_code["roles"] == ["Assisted", "Observed"]
    assert 'href="/cpt-codes/47562/#plain-heading"' in html
    assert 'href="/cpt-codes/99213/#plain-heading"' in html
    assert "27447" not in html


def test_a_new_students_learning_page_says_where_to_start(client, student):
    client.force_login(student)

    html = client.get(reverse("tracking:learning")).content.decode()

    assert 'data-testid="learning-start"' in html
    assert "Log a case I observed" in html


# Career-stage pages for signed-in visitors -----------------------------------------------------


def test_a_signed_in_student_sees_a_next_step_not_a_sign_up(client, student):
    client.force_login(student)

    html = client.get("/medical-students/").content.decode()

    assert "Sign up as a student" not in html
    assert 'data-testid="stage-signup' not in html
    assert (
        f'href="{reverse("tracking:start")}" data-testid="stage-next-step">Open what I have seen'
        in html
    )


def test_a_signed_in_visitor_of_another_stage_is_offered_to_change_it(client, student):
    client.force_login(student)

    html = client.get("/residents/").content.decode()

    assert "Sign up as a resident" not in html
    assert "Change your career stage" in html
    assert "Go to my log" in html


def test_anonymous_visitors_still_see_sign_up(client):
    html = client.get("/attendings/").content.decode()

    assert "Sign up as an attending" in html
    assert "stage-next-step" not in html
