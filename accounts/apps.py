from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
        from .user_data import register_account_sections

        register_account_sections()


class StaffAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with accounts.admin_site.StaffAdminSite as admin.site (listed in
    INSTALLED_APPS instead of "django.contrib.admin")."""

    default = False  # the accounts app itself keeps AccountsConfig
    default_site = "accounts.admin_site.StaffAdminSite"
