import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


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
