"""Each app's part of "download my data" and "delete my account".

accounts knows no other app. An app that stores something belonging to a user registers a
contributor in its AppConfig.ready():

    from accounts.registry import register_user_data

    register_user_data(
        "procedure_logs",
        export=lambda user: [log.as_export_row() for log in ProcedureLog.objects.for_user(user)],
        delete=lambda user: ProcedureLog.objects.for_user(user).delete(),
    )

- ``export(user) -> list[dict]``: one dict per row, values that JSON and CSV can hold (str,
  int, bool, None, Decimal, date/datetime). Never secrets. Each contributor becomes one section
  of the JSON document and one CSV file in the zip, named after ``name``.
- ``delete(user) -> None`` or ``None``: removes the app's rows for the user. It runs inside the
  account deletion's transaction, before the user row itself is deleted; rows that cascade from
  the user (ForeignKey on_delete=CASCADE) need no delete callable, but an explicit one keeps
  the order under the app's control (e.g. files on disk, rows protected by PROTECT).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class UserDataContributor:
    name: str
    export: Callable[[Any], list[dict]]
    delete: Callable[[Any], None] | None = None


_contributors: dict[str, UserDataContributor] = {}


def register_user_data(
    name: str,
    *,
    export: Callable[[Any], list[dict]],
    delete: Callable[[Any], None] | None = None,
) -> UserDataContributor:
    """Register what an app exports and deletes for a user. Names are unique section names."""
    if not NAME_PATTERN.match(name):
        raise ImproperlyConfigured(
            f"User data section {name!r} must be lower_snake_case (it names a file and a key)."
        )
    existing = _contributors.get(name)
    contributor = UserDataContributor(name=name, export=export, delete=delete)
    if existing is not None and existing != contributor:
        raise ImproperlyConfigured(f"User data section {name!r} is registered twice.")
    _contributors[name] = contributor
    return contributor


def unregister_user_data(name: str) -> None:
    """Remove a contributor (tests register throwaway ones)."""
    _contributors.pop(name, None)


def user_data_contributors() -> list[UserDataContributor]:
    """Contributors in registration order: accounts first, then apps in INSTALLED_APPS order."""
    return list(_contributors.values())
