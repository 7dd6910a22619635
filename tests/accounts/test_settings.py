import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from accounts.models import CareerStage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PER_USER_URLS = [
    "account_settings",
    "account_download_json",
    "account_download_csv",
    "account_delete",
]


@pytest.mark.parametrize("url_name", PER_USER_URLS)
def test_anonymous_visitors_are_sent_to_sign_in(client, url_name):
    url = reverse(url_name)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"


def profile(**overrides):
    data = {
        "first_name": "",
        "last_name": "",
        "career_stage": "student",
        "specialty": "",
        "pgy_year": "",
        "program": "",
        "practice_setting": "",
    }
    data.update(overrides)
    return data


def test_the_settings_page_shows_the_profile_security_data_and_delete_sections(client):
    user = UserFactory(career_stage="resident", pgy_year=3, program="Mercy IM")
    client.force_login(user)

    response = client.get(reverse("account_settings"))

    html = response.content.decode()
    assert response.context["form"]["program"].value() == "Mercy IM"
    for text in [
        "Profile and career stage",
        "Sign-in and security",
        "Download my data",
        "Delete my account",
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("mfa_activate_totp"),
        reverse("account_download_json"),
        reverse("account_download_csv"),
        reverse("account_delete"),
        reverse("account_tokens"),
    ]:
        assert text in html, text
    assert "profile, email addresses, two factor" in html


def test_saving_the_profile_updates_specialty_and_name(client):
    user = UserFactory(career_stage="student", specialty="")
    client.force_login(user)

    response = client.post(
        reverse("account_settings"),
        profile(first_name="Ada", specialty="neurology"),
        follow=True,
    )

    assert "Your profile is saved." in response.content.decode()
    user.refresh_from_db()
    assert (user.first_name, user.specialty) == ("Ada", "neurology")


def test_a_student_becoming_a_resident_keeps_the_same_account_and_its_data(client):
    user = UserFactory(career_stage="student", specialty="undecided")
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    joined = user.date_joined

    client.post(
        reverse("account_settings"),
        profile(
            career_stage="resident",
            specialty="general_surgery",
            pgy_year="1",
            program="State University",
        ),
    )

    user.refresh_from_db()
    assert user.career_stage == CareerStage.RESIDENT
    assert (user.pgy_year, user.program) == (1, "State University")
    assert user.date_joined == joined
    assert EmailAddress.objects.filter(user=user, verified=True).count() == 1
    assert Authenticator.objects.filter(user=user).count() == 1
    assert client.session["_auth_user_id"] == str(user.pk)


def test_changing_stage_requires_the_new_stages_fields(client):
    user = UserFactory(career_stage="student", specialty="")
    client.force_login(user)

    response = client.post(reverse("account_settings"), profile(career_stage="attending"))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"specialty", "practice_setting"}
    user.refresh_from_db()
    assert user.career_stage == "student"


def test_a_resident_becoming_an_attending_drops_the_residency_fields(client):
    user = UserFactory(career_stage="resident", pgy_year=5, program="Mercy")
    client.force_login(user)

    client.post(
        reverse("account_settings"),
        profile(
            career_stage="attending",
            specialty="cardiology",
            pgy_year="5",
            program="Mercy",
            practice_setting="academic",
        ),
    )

    user.refresh_from_db()
    assert user.career_stage == "attending"
    assert (user.pgy_year, user.program) == (None, "")
    assert user.practice_setting == "academic"


def test_the_form_edits_only_the_signed_in_user(client):
    user, other = UserFactory(), UserFactory(specialty="urology")
    client.force_login(user)

    client.post(reverse("account_settings"), profile(specialty="pathology"))

    other.refresh_from_db()
    assert other.specialty == "urology"
    user.refresh_from_db()
    assert user.specialty == "pathology"


def test_the_page_says_whether_two_factor_is_on(client):
    user = UserFactory()
    client.force_login(user)
    assert ">Off<" in client.get(reverse("account_settings")).content.decode()

    TOTP.activate(user, generate_totp_secret())

    html = client.get(reverse("account_settings")).content.decode()
    assert ">On<" in html and reverse("mfa_index") in html
