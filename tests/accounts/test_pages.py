"""Every allauth page a person can reach renders in the site's frame, not allauth's bare one."""

import re

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def assert_in_site_frame(response):
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-label="Main navigation"' in html
    assert "CPT® is a registered trademark of the American Medical Association" in html
    assert "bootstrap.min.css" in html and "<h1" in html
    assert "Menu:" not in html  # allauth's own bare layout
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    for tag in re.findall(r"<input[^>]*>", main):
        if not re.search(r'type="(hidden|radio|checkbox)"', tag):
            assert "form-control" in tag, tag  # styled by our element templates


@pytest.mark.parametrize(
    "url_name",
    [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
        "account_email_verification_sent",
    ],
)
def test_signed_out_pages_use_the_site_frame(client, url_name):
    assert_in_site_frame(client.get(reverse(url_name)))


@pytest.mark.parametrize(
    "url_name",
    [
        "account_settings",
        "account_email",
        "account_change_password",
        "account_logout",
        "account_reauthenticate",
        "mfa_index",
        "mfa_activate_totp",
        "account_delete",
    ],
)
def test_signed_in_pages_use_the_site_frame(client, url_name):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    assert_in_site_frame(client.get(reverse(url_name)))


@pytest.mark.parametrize(
    "url_name",
    ["mfa_index", "mfa_deactivate_totp", "mfa_view_recovery_codes", "mfa_generate_recovery_codes"],
)
def test_two_factor_pages_use_the_site_frame(client, url_name):
    user = UserFactory()
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    assert_in_site_frame(client.get(reverse(url_name)))


def test_a_two_factor_user_is_asked_for_a_code_after_the_password(client):
    user = UserFactory()
    TOTP.activate(user, generate_totp_secret())

    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("mfa_authenticate")
    assert_in_site_frame(response)
    assert "_auth_user_id" not in client.session
