import pytest
from django.test import Client
from django.urls import reverse

from accounts.known_devices import COOKIE_NAME
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


# Failed sign-ins by someone else do not lock the owner out ----------------------------------


def stranger_fails(email, times=5, address="198.51.100.66"):
    stranger = Client(REMOTE_ADDR=address)
    for _ in range(times):
        assert "not correct" in login(stranger, email, "guess").content.decode()
    return stranger


def known_browser(user, address):
    """A browser the owner has signed in on before (and signed out of)."""
    browser = Client(REMOTE_ADDR=address)
    assert login(browser, user.email, PASSWORD).status_code == 302
    browser.post(reverse("account_logout"))
    assert "_auth_user_id" not in browser.session
    assert browser.cookies[COOKIE_NAME]["httponly"]
    return browser


def test_a_strangers_failures_elsewhere_do_not_lock_out_the_owner(db):
    owner = UserFactory(email="doc@example.com")
    stranger = stranger_fails("doc@example.com")
    assert "Too many failed" in login(stranger, "doc@example.com", PASSWORD).content.decode()

    response = login(Client(REMOTE_ADDR="203.0.113.10"), "doc@example.com", PASSWORD)

    assert response.status_code == 302, "a new browser on the owner's own network"
    assert owner.pk


def test_a_strangers_failures_on_the_owners_network_do_not_lock_out_a_known_browser(db):
    owner = UserFactory(email="doc@example.com")
    browser = known_browser(owner, "203.0.113.10")
    stranger = stranger_fails("doc@example.com", address="203.0.113.10")  # the same address
    assert "Too many failed" in login(stranger, "doc@example.com", PASSWORD).content.decode()

    response = login(browser, "doc@example.com", PASSWORD)

    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(owner.pk)


def test_a_known_browser_still_has_a_limit_of_its_own(db):
    owner = UserFactory(email="doc@example.com")
    browser = known_browser(owner, "203.0.113.10")
    for _ in range(5):
        login(browser, "doc@example.com", "guess")

    response = login(browser, "doc@example.com", PASSWORD)

    assert "Too many failed login attempts" in response.content.decode()


def test_guessing_spread_over_many_addresses_meets_a_ceiling_per_account(db):
    owner = UserFactory(email="doc@example.com")
    browser = known_browser(owner, "203.0.113.10")
    for number in range(30):  # settings: 30 failures an hour per account, all addresses
        stranger_fails("doc@example.com", times=1, address=f"198.51.100.{number + 1}")

    fresh = Client(REMOTE_ADDR="192.0.2.200")
    assert "Too many failed" in login(fresh, "doc@example.com", PASSWORD).content.decode()
    assert login(browser, "doc@example.com", PASSWORD).status_code == 302


def test_a_browser_known_to_another_account_is_a_stranger_to_this_one(db):
    UserFactory(email="doc@example.com")
    attacker = UserFactory(email="attacker@example.com")
    browser = known_browser(attacker, "198.51.100.66")
    for _ in range(5):
        login(browser, "doc@example.com", "guess")

    response = login(browser, "doc@example.com", PASSWORD)

    assert "Too many failed login attempts" in response.content.decode()


def test_a_forged_device_cookie_is_ignored(db):
    UserFactory(email="doc@example.com")
    stranger = stranger_fails("doc@example.com")
    stranger.cookies[COOKIE_NAME] = "eyJkZXZpY2UiOiJ4In0:forged:signature"

    response = login(stranger, "doc@example.com", PASSWORD)

    assert "Too many failed login attempts" in response.content.decode()
