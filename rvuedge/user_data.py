"""Each app's part of "download my data" and "delete my account".

The registry sits in the project package so that every app, codes and accounts included, can
register without importing another app. An app that stores something belonging to a user
registers a contributor in its AppConfig.ready(), naming the models it covers:

    from rvuedge.user_data import register_user_data

    register_user_data(
        "procedure_logs",
        export=lambda user: [log.as_export_row() for log in ProcedureLog.objects.for_user(user)],
        delete=lambda user: ProcedureLog.objects.for_user(user).delete(),
        models=(ProcedureLog, Encounter),
    )

- ``export(user) -> list[dict]``: one dict per row, values that JSON and CSV can hold (str,
  int, bool, None, Decimal, date/datetime). Never secrets. Each contributor becomes one section
  of the JSON document and one CSV file in the zip, named after ``name``.
- ``delete(user) -> None`` or ``None``: removes the app's rows for the user. It runs inside the
  account deletion's transaction, before the user row itself is deleted; rows that cascade from
  the user (ForeignKey on_delete=CASCADE) need no delete callable, but an explicit one keeps
  the order under the app's control (e.g. files on disk, rows protected by PROTECT).
- ``models``: every model whose rows the section holds. A test walks ``apps.get_models()`` and
  fails when a model with a foreign key to the user is not covered by some section.
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
    models: tuple[type, ...] = ()


_contributors: dict[str, UserDataContributor] = {}


def register_user_data(
    name: str,
    *,
    export: Callable[[Any], list[dict]],
    delete: Callable[[Any], None] | None = None,
    models: tuple[type, ...] = (),
) -> UserDataContributor:
    """Register what an app exports and deletes for a user. Names are unique section names."""
    if not NAME_PATTERN.match(name):
        raise ImproperlyConfigured(
            f"User data section {name!r} must be lower_snake_case (it names a file and a key)."
        )
    existing = _contributors.get(name)
    contributor = UserDataContributor(name=name, export=export, delete=delete, models=models)
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


def covered_models() -> set[type]:
    """Every model some section says it exports."""
    return {model for c in _contributors.values() for model in c.models}


def model_rows(queryset, *, exclude: tuple[str, ...] = ("id", "user")) -> list[dict]:
    """Each row's own fields (foreign keys as ids), for sections that export a whole model."""
    fields = [f for f in queryset.model._meta.concrete_fields if f.name not in exclude]
    return [{f.attname: getattr(row, f.attname) for f in fields} for row in queryset]
