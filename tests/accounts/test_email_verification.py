import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-signup-passphrase-7"


def signup_resident(client):
    return client.post(
        reverse("account_signup"),
        {
            "career_stage": "resident",
            "specialty": "emergency_medicine",
            "pgy_year": "1",
            "program": "County EM",
            "email": "resident@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def confirmation_link(message):
    return re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)


def test_signing_up_sends_a_confirmation_email_and_does_not_sign_in(client):
    response = signup_resident(client)

    assert response.url == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["resident@example.com"]
    assert message.subject == "[RVU Edge] Confirm your email address"
    assert "finish signing up" in message.body
    assert confirmation_link(message)
    assert "_auth_user_id" not in client.session
    page = client.get(response.url).content.decode()
    assert "Check your email" in page


def test_the_confirmation_link_verifies_the_email_signs_in_and_lands_on_home(client):
    signup_resident(client)
    link = confirmation_link(mail.outbox[0])
    path = link.split("testserver", 1)[1]

    page = client.get(path)
    assert page.status_code == 200
    assert "resident@example.com" in page.content.decode()
    response = client.post(path)

    assert response.status_code == 302
    assert response.url == reverse("home")
    user = User.objects.get(email="resident@example.com")
    assert EmailAddress.objects.get(user=user).verified
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="account-menu">resident@example.com<' in home


def test_a_used_or_wrong_link_says_it_is_not_valid(client):
    response = client.get(reverse("account_confirm_email", args=["not-a-real-key"]))

    assert "expired or is not valid" in response.content.decode()


def test_an_unverified_user_cannot_sign_in_and_gets_a_new_link(client):
    signup_resident(client)
    mail.outbox.clear()

    # Past the few minutes allauth waits before it sends another link to the same address.
    with time_machine.travel(timezone.now() + timedelta(minutes=4), tick=False):
        response = client.post(
            reverse("account_login"), {"login": "resident@example.com", "password": PASSWORD}
        )

    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["resident@example.com"]
