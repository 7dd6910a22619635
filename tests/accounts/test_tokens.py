import pytest
from django.urls import reverse

from accounts.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_user_creates_several_named_tokens_shown_once(client):
    user = UserFactory()
    client.force_login(user)

    first = client.post(reverse("account_tokens"), {"name": "iPhone"}).content.decode()
    client.post(reverse("account_tokens"), {"name": "Script"})

    assert "Copy your new token now" in first
    assert sorted(ApiToken.objects.filter(user=user).values_list("name", flat=True)) == [
        "Script",
        "iPhone",
    ]
    listing = client.get(reverse("account_tokens")).content.decode()
    assert "Copy your new token now" not in listing
    assert "iPhone" in listing and "Script" in listing


def test_a_token_authenticates_the_api_until_revoked(client):
    user = UserFactory()
    client.force_login(user)
    html = client.post(reverse("account_tokens"), {"name": "iPhone"}).content.decode()
    token = html.split('data-testid="new-token">')[1].split("<")[0]
    client.logout()

    api = reverse("api-logs-list")
    assert client.get(api, headers={"Authorization": f"Token {token}"}).status_code == 200

    client.force_login(user)
    key = ApiToken.objects.get(user=user).token_key
    client.post(reverse("account_token_revoke", args=[key]))
    client.logout()
    assert client.get(api, headers={"Authorization": f"Token {token}"}).status_code == 401


def test_another_user_cannot_revoke_or_see_a_token(client):
    owner, other = UserFactory(), UserFactory()
    ApiToken.objects.create(user=owner, expiry=None, name="Owner laptop")
    key = ApiToken.objects.get(user=owner).token_key
    client.force_login(other)

    assert "Owner laptop" not in client.get(reverse("account_tokens")).content.decode()
    assert client.post(reverse("account_token_revoke", args=[key])).status_code == 404
    assert ApiToken.objects.filter(user=owner).exists()


def test_token_pages_need_sign_in(client):
    response = client.get(reverse("account_tokens"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
