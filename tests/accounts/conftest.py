import pytest
from django.urls import reverse

from rvuedge.user_data import register_user_data, unregister_user_data
from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def reauthenticated_client(client, user):
    """A client signed in that has just confirmed its password, as deletion requires."""
    client.force_login(user)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    return client


@pytest.fixture
def throwaway_section():
    """A contributor standing in for another app: its rows name their owner, and it records
    every delete call, so tests can prove accounts calls registered contributors."""
    deleted_for = []
    register_user_data(
        "throwaway_notes",
        export=lambda user: [{"owner": user.email, "note": f"note of {user.pk}"}],
        delete=lambda user: deleted_for.append(user.pk),
    )
    yield deleted_for
    unregister_user_data("throwaway_notes")
