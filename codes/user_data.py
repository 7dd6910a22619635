"""codes' section of "download my data" (rvuedge.user_data): the saved locality."""

from rvuedge.user_data import register_user_data

from .models import LocalityPreference


def export_locality(user):
    return [
        {"locality": pref.locality_key, "updated_at": pref.updated_at}
        for pref in LocalityPreference.objects.filter(user=user)
    ]


def register():
    register_user_data("saved_locality", export=export_locality, models=(LocalityPreference,))
