import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_a_user_signs_in_with_email_and_password_and_lands_on_home(client):
    user = UserFactory(email="doc@example.com")

    response = login(client, "DOC@example.com", PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_password_is_refused_with_a_message(client):
    UserFactory(email="doc@example.com")

    response = login(client, "doc@example.com", "wrong-password")

    assert response.status_code == 200
    html = response.content.decode()
    assert "The email address and/or password you specified are not correct." in html
    assert 'data-testid="form-errors"' in html
    assert "_auth_user_id" not in client.session


def test_repeated_failed_logins_are_blocked_even_with_the_right_password(client):
    UserFactory(email="doc@example.com")
    for _ in range(5):  # settings: 5 failures per 5 minutes per account
        assert "not correct" in login(client, "doc@example.com", "guess").content.decode()

    response = login(client, "doc@example.com", PASSWORD)

    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_failed_login_limit_is_per_account(client):
    UserFactory(email="doc@example.com")
    other = UserFactory(email="other@example.com")
    for _ in range(5):
        login(client, "doc@example.com", "guess")

    response = login(client, "other@example.com", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_the_login_page_links_to_sign_up_and_password_reset(client):
    html = client.get(reverse("account_login")).content.decode()

    assert reverse("account_signup") in html
    assert reverse("account_reset_password") in html
