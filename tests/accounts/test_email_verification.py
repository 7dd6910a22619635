import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
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


def test_the_first_click_on_the_link_confirms_signs_in_and_lands_on_the_stage_start(
    client, release
):
    signup_resident(client)
    path = confirmation_link(mail.outbox[0]).split("testserver", 1)[1]

    response = client.get(path)

    assert response.status_code == 302
    assert response.url == reverse("tracking:start")
    assert client.get(response.url).url == reverse("tracking:tracker")
    user = User.objects.get(email="resident@example.com")
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="account-menu">resident@example.com<' in home


def test_a_link_opened_in_another_browser_confirms_but_signs_no_one_in(client):
    """A forwarded link, or a mail scanner fetching it, must not open the account."""
    signup_resident(client)
    path = confirmation_link(mail.outbox[0]).split("testserver", 1)[1]
    elsewhere = Client()

    response = elsewhere.get(path)

    assert response.status_code == 302
    assert "_auth_user_id" not in elsewhere.session
    assert EmailAddress.objects.get(email="resident@example.com").verified
    # The browser that signed up, opening the link afterwards, is told to sign in.
    page = client.get(path).content.decode()
    assert "already confirmed" in page
    assert "_auth_user_id" not in client.session


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


def test_send_again_sends_a_new_link_once_the_wait_is_over(client):
    signup_resident(client)
    resend = reverse("account_email_verification_resend")

    # Right after sign-up: allauth's confirm_email limit holds the second email back.
    response = client.post(resend, follow=True)
    assert len(mail.outbox) == 1
    assert "the link we sent a moment ago still works" in response.content.decode().lower()

    with time_machine.travel(timezone.now() + timedelta(minutes=4), tick=False):
        response = client.post(resend, follow=True)

    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["resident@example.com"]
    assert "Confirm your email" in mail.outbox[1].subject
    # The new link works on its first click too.
    path = confirmation_link(mail.outbox[1]).split("testserver", 1)[1]
    assert client.get(path).url == reverse("tracking:start")


def test_send_again_without_a_sign_up_in_this_browser_asks_to_sign_in(client):
    response = client.post(reverse("account_email_verification_resend"))

    assert response.url == reverse("account_login")
    assert not mail.outbox


def test_send_again_for_a_registered_address_answers_the_same(client):
    """Signing up with an address that has an account sends that address a notice; sending
    again looks the same as for a new account, so it tells no one who is registered."""
    from tests.factories import UserFactory

    UserFactory(email="resident@example.com")
    signup_resident(client)
    with time_machine.travel(timezone.now() + timedelta(minutes=4), tick=False):
        response = client.post(reverse("account_email_verification_resend"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    assert [m.to for m in mail.outbox] == [["resident@example.com"]] * 2
    assert "Check your email" in response.content.decode()


def test_the_check_your_email_page_offers_to_send_the_link_again(client):
    signup_resident(client)

    page = client.get(reverse("account_email_verification_sent")).content.decode()

    assert f'action="{reverse("account_email_verification_resend")}"' in page
    assert "Send the link again" in page
