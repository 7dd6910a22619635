from django.urls import path

from . import views

# Included before allauth.urls, so our sign-up view answers /accounts/signup/.
urlpatterns = [
    path("signup/", views.SignupView.as_view(), name="account_signup"),
    path(
        "confirm-email/resend/",
        views.email_verification_resend,
        name="account_email_verification_resend",
    ),
    path("settings/", views.account_settings, name="account_settings"),
    path("settings/download/json/", views.account_download_json, name="account_download_json"),
    path("settings/download/csv/", views.account_download_csv, name="account_download_csv"),
    path("settings/delete/", views.account_delete, name="account_delete"),
    path("settings/tokens/", views.account_tokens, name="account_tokens"),
    path(
        "settings/tokens/<str:key>/revoke/", views.account_token_revoke, name="account_token_revoke"
    ),
]
