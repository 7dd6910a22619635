"""Sign-up answers alike for a new and a registered address: the same response, one email, and
the same slow work (one password hash), so neither the page nor its timing tells them apart."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-signup-passphrase-7"


class CountingHasher(MD5PasswordHasher):
    """The test hasher, counting how many passwords it hashes."""

    encoded = 0

    def encode(self, password, salt):
        CountingHasher.encoded += 1
        return super().encode(password, salt)


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.test_signup_enumeration.CountingHasher"]
    CountingHasher.encoded = 0
    return CountingHasher


def signup(client, email):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post(reverse("account_signup"), {**data, "career_stage": "student"})


def work_done(client, counting_hasher, email):
    counting_hasher.encoded = 0
    mail.outbox.clear()
    response = signup(client, email)
    return {
        "status": response.status_code,
        "redirect": response.url,
        "hashes": counting_hasher.encoded,
        "emails": [m.to for m in mail.outbox],
    }


def test_a_new_and_a_registered_address_cost_the_same_work(client, counting_hasher):
    UserFactory(email="taken@example.com")

    new = work_done(client, counting_hasher, "fresh@example.com")
    registered = work_done(client, counting_hasher, "taken@example.com")

    assert new == {
        "status": 302,
        "redirect": reverse("account_email_verification_sent"),
        "hashes": 1,
        "emails": [["fresh@example.com"]],
    }
    assert registered == {**new, "emails": [["taken@example.com"]]}


def test_the_registered_address_is_told_and_no_account_is_made(client):
    owner = UserFactory(email="taken@example.com")

    signup(client, "taken@example.com")

    (email,) = mail.outbox
    assert email.to == ["taken@example.com"]
    assert "already" in email.body.lower()
    owner.refresh_from_db()
    assert owner.check_password("correct-horse-battery")  # the owner's password is untouched
