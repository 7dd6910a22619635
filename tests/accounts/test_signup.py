import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import CareerStage, User

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-signup-passphrase-7"


def signup(client, **fields):
    data = {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD}
    data.update(fields)
    return client.post(reverse("account_signup"), data)


def test_a_student_signs_up_without_any_stage_fields(client):
    response = signup(client, career_stage="student", specialty="undecided")

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="new@example.com")
    assert user.career_stage == CareerStage.MEDICAL_STUDENT
    assert user.specialty == "undecided"
    assert user.pgy_year is None and user.program == ""
    assert user.check_password(PASSWORD)


def test_a_student_may_leave_the_specialty_empty(client):
    response = signup(client, career_stage="student")

    assert response.status_code == 302
    assert User.objects.get(email="new@example.com").specialty == ""


def test_a_resident_signs_up_with_pgy_year_and_program(client):
    response = signup(
        client,
        career_stage="resident",
        specialty="general_surgery",
        pgy_year="2",
        program="Mercy General Surgery",
    )

    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert (user.career_stage, user.specialty) == ("resident", "general_surgery")
    assert (user.pgy_year, user.program) == (2, "Mercy General Surgery")


def test_a_resident_without_pgy_year_and_program_is_told_what_is_missing(client):
    response = signup(client, career_stage="resident", specialty="pediatrics")

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["pgy_year"] == ["Enter your PGY year (1 to 10)."]
    assert form.errors["program"] == ["Enter your residency program."]
    html = response.content.decode()
    assert 'id="id_pgy_year_error"' in html
    assert 'aria-describedby="id_pgy_year_helptext id_pgy_year_error"' in html
    assert not User.objects.exists()


def test_a_pgy_year_outside_one_to_ten_is_refused(client):
    response = signup(
        client, career_stage="resident", specialty="pediatrics", pgy_year="11", program="X"
    )

    assert response.context["form"].errors["pgy_year"] == [
        "Ensure this value is less than or equal to 10."
    ]
    assert not User.objects.exists()


def test_an_attending_signs_up_with_a_practice_setting_and_no_pay_questions(client):
    response = signup(
        client,
        career_stage="attending",
        specialty="orthopaedic_surgery",
        practice_setting="private_practice",
    )

    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert (user.career_stage, user.practice_setting) == ("attending", "private_practice")


def test_sign_up_does_not_ask_for_pay_or_target(client):
    html = client.get(reverse("account_signup"), {"stage": "attending"}).content.decode()

    assert "$ per wRVU" not in html and "wRVU target" not in html
    assert 'name="dollars_per_wrvu"' not in html and 'name="annual_wrvu_target"' not in html


def test_an_attending_without_a_setting_is_told_what_is_missing(client):
    response = signup(client, career_stage="attending", specialty="cardiology")

    errors = response.context["form"].errors
    assert errors == {"practice_setting": ["Choose your practice setting."]}
    assert not User.objects.exists()


@pytest.mark.parametrize("stage", ["resident", "attending"])
def test_residents_and_attendings_must_choose_a_specialty(client, stage):
    response = signup(client, career_stage=stage)

    assert response.context["form"].errors["specialty"] == [
        "Choose your specialty, or Other if it is not listed."
    ]


def test_undecided_is_only_for_students(client):
    response = signup(
        client, career_stage="resident", specialty="undecided", pgy_year="1", program="X"
    )

    assert response.context["form"].errors["specialty"] == [
        "Undecided is for medical students; choose your specialty."
    ]


def test_the_career_stage_is_required(client):
    response = signup(client, specialty="cardiology")

    assert response.context["form"].errors["career_stage"] == ["Choose your career stage."]
    assert not User.objects.exists()


def test_fields_of_other_stages_are_not_saved(client):
    signup(
        client,
        career_stage="student",
        pgy_year="3",
        program="Left over",
        practice_setting="academic",
    )

    user = User.objects.get(email="new@example.com")
    assert (user.pgy_year, user.program, user.practice_setting) == (None, "", "")


def test_signing_up_records_an_unverified_primary_email(client):
    signup(client, career_stage="student")

    address = EmailAddress.objects.get(email="new@example.com")
    assert address.primary and not address.verified


@pytest.mark.parametrize("stage", ["student", "resident", "attending"])
def test_the_stage_in_the_link_is_preselected(client, stage):
    response = client.get(reverse("account_signup"), {"stage": stage})

    assert response.context["form"]["career_stage"].value() == stage
    html = response.content.decode()
    assert f'value="{stage}" id="id_career_stage_' in html
    checked = [
        line for line in html.splitlines() if 'name="career_stage"' in line and "checked" in line
    ]
    assert len(checked) == 1 and f'value="{stage}"' in checked[0]


def test_an_unknown_stage_in_the_link_preselects_nothing(client):
    response = client.get(reverse("account_signup"), {"stage": "chief"})

    assert response.context["form"]["career_stage"].value() is None


def test_without_javascript_the_page_shows_every_stage_field(client):
    html = client.get(reverse("account_signup")).content.decode()

    for name in [
        "career_stage",
        "specialty",
        "pgy_year",
        "program",
        "practice_setting",
        "email",
        "password1",
        "password2",
    ]:
        assert f'name="{name}"' in html, name
    assert 'data-stage-fields="resident"' in html and 'data-stage-fields="attending"' in html
    assert " hidden" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "js/career-stage.js" in html


def test_a_form_sent_empty_says_what_each_field_needs(client):
    response = client.post(reverse("account_signup"), {})

    errors = response.context["form"].errors
    assert errors["career_stage"] == ["Choose your career stage."]
    assert errors["email"] == ["Enter your email address."]
    assert errors["password1"] == ["Choose a password."]
    assert "they are marked below" in response.content.decode()
