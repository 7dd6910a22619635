import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from accounts.models import ApiToken
from rvuedge.user_data import register_user_data, user_data_contributors
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def attending():
    return UserFactory(
        email="attending@example.com",
        first_name="Grace",
        practice_setting="academic",
    )


def download_json(client):
    response = client.get(reverse("account_download_json"))
    assert response.status_code == 200
    return response, json.loads(response.content)


def download_zip(client):
    response = client.get(reverse("account_download_csv"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    tables = {
        name: list(csv.DictReader(io.StringIO(archive.read(name).decode())))
        for name in archive.namelist()
    }
    return response, tables


def test_the_json_download_holds_every_section(client, attending, throwaway_section):
    secret = generate_totp_secret()
    TOTP.activate(attending, secret)
    ApiToken.objects.create(user=attending, expiry=dt.timedelta(days=30), name="iPhone")
    client.force_login(attending)

    response, document = download_json(client)

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="rvuedge-my-data-')
    assert response["Content-Disposition"].endswith('.json"')
    assert document["account"] == "attending@example.com"
    sections = document["sections"]
    # Other apps add their sections too (tests/<app>/ check theirs).
    assert {"profile", "email_addresses", "two_factor", "api_tokens", "throwaway_notes"} <= set(
        sections
    )
    [profile] = sections["profile"]
    assert profile["first_name"] == "Grace"
    assert profile["career_stage"] == "attending"
    assert profile["practice_setting"] == "academic"
    # Target and pay are tracking's (tests/tracking/test_user_data.py), not the profile's.
    assert "dollars_per_wrvu" not in profile and "annual_wrvu_target" not in profile
    assert sections["email_addresses"] == [
        {"email": "attending@example.com", "verified": True, "primary": True}
    ]
    assert [a["type"] for a in sections["two_factor"]] == ["totp"]
    [token] = sections["api_tokens"]
    assert token["name"] == "iPhone" and token["expires"] > token["created"]
    assert sections["throwaway_notes"] == [
        {"owner": "attending@example.com", "note": f"note of {attending.pk}"}
    ]
    assert secret not in response.content.decode()
    assert "password" not in profile


def test_the_csv_download_is_a_zip_with_one_table_per_section(client, attending, throwaway_section):
    RecoveryCodes.activate(attending)
    client.force_login(attending)

    response, tables = download_zip(client)

    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].endswith('.zip"')
    assert {
        "profile.csv",
        "email_addresses.csv",
        "two_factor.csv",
        "api_tokens.csv",
        "throwaway_notes.csv",
    } <= set(tables)
    assert tables["profile.csv"][0]["email"] == "attending@example.com"
    assert tables["profile.csv"][0]["practice_setting"] == "academic"
    assert tables["profile.csv"][0]["pgy_year"] == ""
    assert tables["email_addresses.csv"] == [
        {"email": "attending@example.com", "verified": "True", "primary": "True"}
    ]
    assert tables["two_factor.csv"][0]["type"] == "recovery_codes"
    assert tables["throwaway_notes.csv"][0]["owner"] == "attending@example.com"


def test_no_secret_of_two_factor_is_exported(client, attending):
    TOTP.activate(attending, generate_totp_secret())
    codes = RecoveryCodes.activate(attending)
    client.force_login(attending)

    _, document = download_json(client)
    _, tables = download_zip(client)

    text = json.dumps(document) + json.dumps(tables)
    secrets = [a.data.get("secret") or a.data.get("seed") for a in Authenticator.objects.all()]
    assert len(secrets) == 2 and all(secrets)
    for secret in [*secrets, *codes.get_unused_codes()]:
        assert secret not in text


def test_a_user_never_downloads_someone_elses_data(client, attending, throwaway_section):
    other = UserFactory(email="someone-else@example.com", program="Other program")
    TOTP.activate(other, generate_totp_secret())
    client.force_login(attending)

    json_response, document = download_json(client)
    _, tables = download_zip(client)

    assert document["sections"]["two_factor"] == []
    assert tables["two_factor.csv"] == []
    everything = json_response.content.decode() + json.dumps(tables)
    assert "someone-else@example.com" not in everything
    assert "Other program" not in everything
    assert str(other.pk) not in json.dumps(document["sections"]["throwaway_notes"])


def test_accounts_registers_its_own_sections_first():
    names = [c.name for c in user_data_contributors()]

    assert names[:3] == ["profile", "email_addresses", "two_factor"]


@pytest.mark.parametrize("name", ["Profile", "procedure-logs", "1st", "", "a b"])
def test_section_names_must_be_lower_snake_case(name):
    with pytest.raises(ImproperlyConfigured):
        register_user_data(name, export=lambda user: [])


def test_a_section_name_cannot_be_taken_twice():
    with pytest.raises(ImproperlyConfigured):
        register_user_data("profile", export=lambda user: [])


def test_the_csv_zip_writes_formula_like_text_as_text(client, attending):
    attending.program = "=1+2"
    attending.first_name = "@SUM(A1)"
    attending.save()
    client.force_login(attending)

    _, tables = download_zip(client)

    profile = tables["profile.csv"][0]
    assert (profile["program"], profile["first_name"]) == ("'=1+2", "'@SUM(A1)")
