"""accounts' own sections of "download my data", and the JSON and CSV renderings of the whole.

Secrets never leave: no password hash, no TOTP secret, no recovery codes, no session keys.
"""

import csv
import io
import json
import zipfile

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import LogEntry
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from rvuedge.spreadsheets import safe_cell
from rvuedge.user_data import register_user_data, user_data_contributors

from .models import ApiToken, LoginSession, User

PROFILE_EXPORT_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "career_stage",
    "specialty",
    "pgy_year",
    "residency_start_year",
    "program",
    "practice_setting",
    "date_joined",
    "last_login",
)


def export_profile(user):
    return [{field: getattr(user, field) for field in PROFILE_EXPORT_FIELDS}]


def export_email_addresses(user):
    return [
        {"email": address.email, "verified": address.verified, "primary": address.primary}
        for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    ]


def export_two_factor(user):
    return [
        {
            "type": authenticator.type,
            "created_at": authenticator.created_at,
            "last_used_at": authenticator.last_used_at,
        }
        for authenticator in Authenticator.objects.filter(user=user).order_by("created_at")
    ]


def export_sign_ins(user):
    # Session keys are secrets: only when each sign-in started.
    return [{"signed_in_at": row.created_at} for row in LoginSession.objects.for_user(user)]


def export_admin_actions(user):
    """What a staff member changed in the admin (Django's own log of admin actions)."""
    return [
        {"when": entry.action_time, "object": entry.object_repr, "change": str(entry)}
        for entry in LogEntry.objects.filter(user=user).order_by("action_time")
    ]


def register_account_sections():
    # The user row's own cascade removes these, so they need no delete callable.
    register_user_data("profile", export=export_profile, models=(User,))
    register_user_data("email_addresses", export=export_email_addresses, models=(EmailAddress,))
    register_user_data("two_factor", export=export_two_factor, models=(Authenticator,))
    register_user_data("api_tokens", export=export_api_tokens, models=(ApiToken,))
    register_user_data("sign_ins", export=export_sign_ins, models=(LoginSession,))
    register_user_data("admin_actions", export=export_admin_actions, models=(LogEntry,))


def export_api_tokens(user):
    return [
        {
            "name": token.name,
            "starts_with": token.token_key,
            "created": token.created,
            "expires": token.expiry,
        }
        for token in ApiToken.objects.filter(user=user)
    ]


def user_data_collect(*, user):
    """Every registered section for the user: {section name: [row dicts]}."""
    return {c.name: list(c.export(user)) for c in user_data_contributors()}


def user_data_filename(*, extension):
    return f"rvuedge-my-data-{timezone.localdate():%Y-%m-%d}.{extension}"


def user_data_json(*, user):
    """One JSON document with every section. Decimals are strings, so no money turns float."""
    document = {
        "exported_at": timezone.now(),
        "account": user.email,
        "sections": user_data_collect(user=user),
    }
    return json.dumps(document, cls=DjangoJSONEncoder, indent=2).encode()


def _csv_value(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def user_data_csv_zip(*, user):
    """A zip holding one CSV per section (a header row, then one row per record)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, rows in user_data_collect(user=user).items():
            columns = list(dict.fromkeys(key for row in rows for key in row))
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\r\n")
            if columns:
                writer.writeheader()
            for row in rows:
                writer.writerow({key: safe_cell(_csv_value(value)) for key, value in row.items()})
            archive.writestr(f"{name}.csv", text.getvalue())
    return buffer.getvalue()
