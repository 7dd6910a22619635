"""Writes of contracts: a contract and its rows (tiers, bonuses, stipends, location rates) are
saved together, checked by the same rules the API and the forms show (contracts.engine)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction

from contracts import engine
from contracts.models import (
    Contract,
    ContractBonus,
    ContractLocationRate,
    ContractStipend,
    ContractTier,
)

MAX_ROWS = 10
ROW_MODELS = {
    "tiers": (ContractTier, "Tier"),
    "bonuses": (ContractBonus, "Bonus"),
    "stipends": (ContractStipend, "Stipend"),
    "location_rates": (ContractLocationRate, "Location rate"),
}
# engine.problems names a term; the model field (or row group) that holds it.
FIELD_OF_TERM = {"end": "end_date", "tiers": "tiers", "bonuses": "bonuses"}


@dataclass
class ContractRows:
    """The rows of a contract as plain values: tiers [{"from_wrvu", "rate"}], bonuses [{"name",
    "kind", "value", "achieved_percent"}], stipends [{"kind", "name", "annual_amount"}],
    location rates [{"location": Location, "rate"}]. Tiers keep the order they were entered in."""

    tiers: list[dict] = field(default_factory=list)
    bonuses: list[dict] = field(default_factory=list)
    stipends: list[dict] = field(default_factory=list)
    location_rates: list[dict] = field(default_factory=list)


def terms_of(contract: Contract, rows: ContractRows) -> engine.Terms:
    """The engine's terms for a contract not yet saved with these rows."""
    return engine.Terms(
        name=contract.name,
        start=contract.start_date,
        end=contract.end_date,
        base_salary=contract.base_salary,
        threshold_wrvu=contract.threshold_wrvu,
        tiers=tuple(engine.Tier(Decimal(r["from_wrvu"]), Decimal(r["rate"])) for r in rows.tiers),
        figure=contract.figure,
        bonuses=tuple(
            engine.Bonus(r["name"], r["kind"], Decimal(r["value"]), Decimal(r["achieved_percent"]))
            for r in rows.bonuses
        ),
        reconciliation=contract.reconciliation,
        draw=contract.draw,
        shortfall=contract.shortfall,
    )


def rows_problems(*, user, contract: Contract, rows: ContractRows) -> dict[str, list[str]]:
    """What is wrong with the rows, by group: a value out of range, tiers out of order, a
    threshold without a tier, a bonus over 100% of base, too many rows, a location that is not
    the user's or is given two rates."""
    errors: dict[str, list[str]] = {}
    for name, (model, label) in ROW_MODELS.items():
        values = getattr(rows, name)
        if len(values) > MAX_ROWS:
            errors.setdefault(name, []).append(f"At most {MAX_ROWS} rows.")
        for number, row in enumerate(values, start=1):
            errors.setdefault(name, []).extend(_row_errors(model, f"{label} {number}", row))
    if not any(errors.values()):
        for term, message in engine.problems(terms_of(contract, rows)):
            errors.setdefault(FIELD_OF_TERM[term], []).append(message)
    locations = [row["location"] for row in rows.location_rates]
    if any(location.user_id != user.pk for location in locations):
        errors.setdefault("location_rates", []).append("Choose one of your own locations.")
    if len({location.pk for location in locations}) != len(locations):
        errors.setdefault("location_rates", []).append("A location is given two rates.")
    return {name: messages for name, messages in errors.items() if messages}


def _row_errors(model, label: str, row: dict) -> list[str]:
    try:
        model(**row).full_clean(exclude=["contract"], validate_constraints=False)
    except ValidationError as exc:
        return [
            f"{label}: {_verbose(model, name)}{message}"
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return []


def _verbose(model, name: str) -> str:
    try:
        return f"{model._meta.get_field(name).verbose_name}: "
    except FieldDoesNotExist:  # NON_FIELD_ERRORS
        return ""


@transaction.atomic
def contract_save(*, user, contract: Contract, rows: ContractRows) -> Contract:
    """Create or update a contract with all its rows (the rows given replace the old ones).

    Raises ValidationError by field (model fields, and "tiers", "bonuses", "stipends",
    "location_rates" for the rows) and saves nothing when anything is wrong."""
    contract.user = user
    errors: dict[str, list[str]] = {}
    try:
        contract.full_clean()
    except ValidationError as exc:
        errors = {key: list(messages) for key, messages in exc.message_dict.items()}
    for key, messages in rows_problems(user=user, contract=contract, rows=rows).items():
        errors.setdefault(key, []).extend(m for m in messages if m not in errors.get(key, []))
    if errors:
        raise ValidationError(errors)
    contract.save()
    _replace_rows(contract, rows)
    return contract


def _replace_rows(contract: Contract, rows: ContractRows) -> None:
    for model in (ContractTier, ContractBonus, ContractStipend, ContractLocationRate):
        model.objects.filter(contract=contract).delete()
    for model, values in (
        (ContractTier, rows.tiers),
        (ContractBonus, rows.bonuses),
        (ContractStipend, rows.stipends),
        (ContractLocationRate, rows.location_rates),
    ):
        model.objects.bulk_create(model(contract=contract, **row) for row in values)


def contract_delete(*, contract: Contract) -> None:
    contract.delete()
