"""The admin: staff work in it, and the only way in is allauth's sign-in (password, then a
two-factor code for a user who has one, under the failed-login limit)."""

from urllib.parse import urlencode

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.totp.internal.auth import yield_hotp_counters_from_time as counters
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory, sign_in

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"
USERS = "/admin/accounts/user/"


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def totp_staff(staff):
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    staff.totp_secret = secret
    return staff


def totp_code(secret):
    counter = list(counters())[len(list(counters())) // 2]  # the current period
    return format_hotp_value(hotp_value(secret, counter))


def login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_the_admin_login_page_sends_people_to_allauths_sign_in_with_next(client):
    response = client.get("/admin/login/", {"next": USERS})

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?{urlencode({'next': USERS})}"


def test_the_admin_login_page_ignores_a_next_off_site(client):
    response = client.get("/admin/login/", {"next": "https://evil.example/"})

    assert response.url == f"{reverse('account_login')}?{urlencode({'next': ADMIN})}"


def test_a_password_posted_to_the_admin_login_signs_no_one_in(client, staff):
    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(ADMIN).status_code == 302


def test_staff_signed_in_through_allauth_reach_the_admin(client, staff):
    sign_in(client, staff)

    assert client.get(USERS).status_code == 200


def test_a_password_alone_does_not_open_the_admin_for_staff_with_two_factor(client, totp_staff):
    response = login(client, totp_staff.email, PASSWORD)

    assert response.url == reverse("mfa_authenticate")
    assert client.get(USERS).status_code == 302  # not signed in until the code is given

    done = client.post(reverse("mfa_authenticate"), {"code": totp_code(totp_staff.totp_secret)})

    assert done.status_code == 302
    assert client.get(USERS).status_code == 200


def test_wrong_passwords_through_the_admin_hit_the_failed_login_limit(client, staff):
    for _ in range(5):
        assert login(client, staff.email, "guess").status_code == 200

    response = login(client, staff.email, PASSWORD)

    assert "Too many failed login attempts" in response.content.decode()
    assert client.get(USERS).status_code == 302


def test_a_session_not_signed_in_through_allauth_must_confirm_the_password(client, staff):
    client.force_login(staff)

    first = client.get(USERS)
    step = client.get(first.url)

    assert step.url == f"{reverse('account_reauthenticate')}?{urlencode({'next': USERS})}"
    client.post(step.url, {"password": PASSWORD})
    assert client.get(USERS).status_code == 200


def test_staff_who_turn_two_factor_on_later_give_a_code_before_the_admin(client, staff):
    sign_in(client, staff)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)

    step = client.get(client.get(USERS).url)

    assert step.url == f"{reverse('mfa_reauthenticate')}?{urlencode({'next': USERS})}"
    client.post(step.url, {"code": totp_code(secret)})
    assert client.get(USERS).status_code == 200


def test_a_signed_in_user_who_is_not_staff_is_refused(client):
    sign_in(client, UserFactory())

    assert client.get("/admin/login/", {"next": USERS}).status_code == 403


def test_staff_list_find_and_open_users(admin_client):
    user = UserFactory(email="findme@example.com")

    listing = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "findme"})
    change = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk]))

    assert "findme@example.com" in listing.content.decode()
    assert change.status_code == 200


def test_staff_add_a_user_by_email_and_stage(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "added@example.com",
            "career_stage": "student",
            "usable_password": "true",
            "password1": "an-admin-chosen-passphrase",
            "password2": "an-admin-chosen-passphrase",
        },
    )

    assert response.status_code == 302, response.content.decode()
    assert User.objects.get(email="added@example.com").career_stage == "student"
