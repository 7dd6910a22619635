"""Every table that holds a user's rows is part of "download my data" (and so of deletion)."""

from django.apps import apps
from django.conf import settings

from rvuedge.user_data import (
    covered_models,
    register_user_data,
    unregister_user_data,
    user_data_contributors,
)


def models_owned_by_users() -> set[type]:
    """Models with a foreign key (or one-to-one) to the user, from every installed app."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return {
        model
        for model in apps.get_models()
        if any(
            field.is_relation and field.concrete and field.related_model is user_model
            for field in model._meta.get_fields()
        )
    } | {user_model}


def test_every_model_with_a_user_foreign_key_is_in_a_registered_section():
    missing = sorted(model._meta.label for model in models_owned_by_users() - covered_models())

    assert missing == [], f"not in any download-my-data section: {missing}"


def test_the_check_catches_a_model_that_no_section_covers():
    from support.models import Ticket

    ticket_section = next(c for c in user_data_contributors() if Ticket in c.models)
    unregister_user_data(ticket_section.name)
    try:
        assert Ticket in models_owned_by_users() - covered_models()
    finally:
        register_user_data(
            ticket_section.name,
            export=ticket_section.export,
            delete=ticket_section.delete,
            models=ticket_section.models,
        )
