import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import LoginSession, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_deleting_asks_for_the_password_first(client, user):
    client.force_login(user)  # signed in, but not through a password just now
    url = reverse("account_delete")

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_reauthenticate')}?{urlencode({'next': url})}"
    page = client.get(response.url).content.decode()
    assert "Confirm it is you" in page

    response = client.post(response.url, {"password": PASSWORD, "next": url})

    assert response.url == url
    assert "Delete my account for good" in client.get(url).content.decode()


def test_a_wrong_confirmation_deletes_nothing(reauthenticated_client, user):
    response = reauthenticated_client.post(reverse("account_delete"), {"confirmation": "delete me"})

    assert response.status_code == 200
    assert response.context["form"].errors["confirmation"] == [
        "That is neither your email address nor DELETE; nothing was deleted."
    ]
    assert User.objects.filter(pk=user.pk).exists()


@pytest.mark.parametrize("typed", ["DELETE", "EMAIL", " email "])
def test_typing_delete_or_the_email_is_accepted(reauthenticated_client, user, typed):
    typed = typed.replace("EMAIL", user.email).replace("email", user.email.upper())

    response = reauthenticated_client.post(reverse("account_delete"), {"confirmation": typed})

    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()


def test_deleting_removes_the_user_and_everything_theirs(
    reauthenticated_client, user, throwaway_section
):
    other_device = Client()
    response = other_device.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}
    )
    assert response.url == reverse("home")
    TOTP.activate(user, generate_totp_secret())
    bystander = UserFactory()
    bystander_client = Client()
    bystander_client.force_login(bystander)
    sessions_before = Session.objects.count()
    assert LoginSession.objects.filter(user=user).count() == 2

    response = reauthenticated_client.post(
        reverse("account_delete"), {"confirmation": user.email}, follow=True
    )

    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "Your account and everything in it have been deleted." in response.content.decode()
    assert 'data-testid="account-menu"' not in response.content.decode()
    assert throwaway_section == [user.pk]
    assert not User.objects.filter(pk=user.pk).exists()
    assert not EmailAddress.objects.filter(user_id=user.pk).exists()
    assert not Authenticator.objects.filter(user_id=user.pk).exists()
    assert not LoginSession.objects.filter(user_id=user.pk).exists()
    assert Session.objects.count() == sessions_before - 2
    assert other_device.get(reverse("account_settings")).status_code == 302
    # Someone else's account is untouched.
    assert User.objects.filter(pk=bystander.pk).exists()
    assert bystander_client.get(reverse("account_settings")).status_code == 200


def test_a_failing_contributor_leaves_the_account_whole(reauthenticated_client, user):
    from rvuedge.user_data import register_user_data, unregister_user_data

    def explode(user):
        raise RuntimeError("storage is down")

    register_user_data("fragile", export=lambda user: [], delete=explode)
    try:
        with pytest.raises(RuntimeError):
            reauthenticated_client.post(reverse("account_delete"), {"confirmation": "DELETE"})
    finally:
        unregister_user_data("fragile")

    assert User.objects.filter(pk=user.pk).exists()
    assert EmailAddress.objects.filter(user=user).exists()
