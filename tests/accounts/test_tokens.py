import datetime as dt
import re
from urllib.parse import urlencode

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOKENS = reverse("account_tokens")
API = reverse("api-logs-list")


def new_token_text(response):
    return response.content.decode().split('data-testid="new-token">')[1].split("<")[0]


def create(client, name, expires_in="90"):
    return client.post(TOKENS, {"name": name, "expires_in": expires_in})


def test_a_user_creates_several_named_tokens_shown_once(reauthenticated_client, user):
    first = create(reauthenticated_client, "iPhone").content.decode()
    create(reauthenticated_client, "Script")

    assert "Copy your new token now" in first
    assert sorted(ApiToken.objects.filter(user=user).values_list("name", flat=True)) == [
        "Script",
        "iPhone",
    ]
    listing = reauthenticated_client.get(TOKENS).content.decode()
    assert "Copy your new token now" not in listing
    assert "iPhone" in listing and "Script" in listing


def test_a_session_alone_cannot_create_a_token(client, user):
    client.force_login(user)
    assert client.get(TOKENS).status_code == 200  # listing needs no password

    response = create(client, "Stolen laptop")

    assert response.status_code == 302
    assert response.url == f"{reverse('account_reauthenticate')}?{urlencode({'next': TOKENS})}"
    assert not ApiToken.objects.exists()


def test_after_confirming_the_password_the_token_is_created(client, user):
    client.force_login(user)
    step = create(client, "iPhone")

    response = client.post(step.url, {"password": PASSWORD}, follow=True)

    assert "Copy your new token now" in response.content.decode()
    assert ApiToken.objects.get(user=user).name == "iPhone"


def test_a_wrong_password_creates_nothing(client, user):
    client.force_login(user)
    step = create(client, "iPhone")

    client.post(step.url, {"password": "not-it"})

    assert not ApiToken.objects.exists()


def test_the_confirmation_lasts_five_minutes(reauthenticated_client, user):
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6)):
        response = create(reauthenticated_client, "Later")

    assert response.status_code == 302
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(("choice", "days"), [("30", 30), ("90", 90), ("365", 365), ("", None)])
def test_the_user_chooses_when_a_token_expires(reauthenticated_client, user, choice, days):
    create(reauthenticated_client, "iPhone", expires_in=choice)

    token = ApiToken.objects.get(user=user)
    if days is None:
        assert token.expiry is None
    else:
        expected = timezone.now() + dt.timedelta(days=days)
        assert abs(token.expiry - expected) < dt.timedelta(minutes=1)


def test_an_expired_token_no_longer_opens_the_api(reauthenticated_client, client, user):
    token = new_token_text(create(reauthenticated_client, "iPhone", expires_in="30"))
    headers = {"Authorization": f"Token {token}"}
    assert reauthenticated_client.get(API, headers=headers).status_code == 200

    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        reauthenticated_client.logout()
        assert reauthenticated_client.get(API, headers=headers).status_code == 401


def test_the_list_says_when_each_token_expires(reauthenticated_client, user):
    create(reauthenticated_client, "Forever", expires_in="")
    ApiToken.objects.create(user=user, expiry=dt.timedelta(days=-1), name="Old")

    cells = re.findall(
        r'data-testid="token-expiry">(.*?)</td>',
        reauthenticated_client.get(TOKENS).content.decode(),
    )

    assert sorted(cells) == ['<span class="badge text-bg-secondary">Expired</span>', "Never"]


def test_a_token_authenticates_the_api_until_revoked(reauthenticated_client, user):
    token = new_token_text(create(reauthenticated_client, "iPhone"))
    key = ApiToken.objects.get(user=user).token_key
    client = reauthenticated_client
    client.logout()
    assert client.get(API, headers={"Authorization": f"Token {token}"}).status_code == 200

    client.force_login(user)
    client.post(reverse("account_token_revoke", args=[key]))
    client.logout()
    assert client.get(API, headers={"Authorization": f"Token {token}"}).status_code == 401


def test_another_user_cannot_revoke_or_see_a_token(client):
    owner, other = UserFactory(), UserFactory()
    ApiToken.objects.create(user=owner, expiry=None, name="Owner laptop")
    key = ApiToken.objects.get(user=owner).token_key
    client.force_login(other)

    assert "Owner laptop" not in client.get(TOKENS).content.decode()
    assert client.post(reverse("account_token_revoke", args=[key])).status_code == 404
    assert ApiToken.objects.filter(user=owner).exists()


def test_token_pages_need_sign_in(client):
    response = client.get(TOKENS)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# A new password and the tokens made with the old one ---------------------------------------

NEW_PASSWORD = "a-brand-new-passphrase-42"


def change_password(client, **extra):
    data = {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    return client.post(reverse("account_change_password"), {**data, **extra})


def test_changing_the_password_offers_to_revoke_the_tokens_ticked(client, user):
    ApiToken.objects.create(user=user, expiry=None, name="iPhone")
    ApiToken.objects.create(user=user, expiry=None, name="Script")
    client.force_login(user)

    html = client.get(reverse("account_change_password")).content.decode()

    assert "Also revoke my 2 API tokens" in html
    assert re.search(r'<input type="checkbox" name="revoke_api_tokens"[^>]* checked', html)


def test_without_tokens_there_is_nothing_to_offer(client, user):
    client.force_login(user)

    html = client.get(reverse("account_change_password")).content.decode()

    assert "revoke_api_tokens" not in html


def test_a_password_change_revokes_the_tokens_when_chosen(client, user):
    ApiToken.objects.create(user=user, expiry=None, name="iPhone")
    client.force_login(user)

    response = change_password(client, revoke_api_tokens="on")

    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=user).exists()


def test_a_password_change_keeps_the_tokens_when_unticked(client, user):
    ApiToken.objects.create(user=user, expiry=None, name="iPhone")
    client.force_login(user)

    response = change_password(client)  # an unticked box is not sent

    assert response.status_code == 302
    assert ApiToken.objects.filter(user=user).count() == 1


def test_a_password_reset_revokes_the_tokens_when_chosen(client, user):
    ApiToken.objects.create(user=user, expiry=None, name="iPhone")
    client.post(reverse("account_reset_password"), {"email": user.email})
    link = re.search(r"https?://\S+/password/reset/key/\S+/", mail.outbox[0].body).group(0)

    form_page = client.get(link, follow=True)
    assert "Also revoke my 1 API token" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "revoke_api_tokens": "on"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not ApiToken.objects.filter(user=user).exists()
