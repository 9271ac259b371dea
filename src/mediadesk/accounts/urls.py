from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from mediadesk.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("settings/", views.settings_index, name="settings"),
    path("settings/clients/new/", views.client_create, name="client_create"),
    path("settings/clients/<int:client_id>/", views.client_detail, name="client_detail"),
    path("settings/clients/<int:client_id>/archive/", views.client_archive, name="client_archive"),
    path("settings/clients/<int:client_id>/brands/", views.brand_add, name="brand_add"),
    path(
        "settings/clients/<int:client_id>/brands/<int:brand_id>/",
        views.brand_rename,
        name="brand_rename",
    ),
    path(
        "settings/clients/<int:client_id>/brands/<int:brand_id>/archive/",
        views.brand_archive,
        name="brand_archive",
    ),
    path("settings/clients/<int:client_id>/people/", views.person_invite, name="person_invite"),
    path(
        "settings/clients/<int:client_id>/people/<int:membership_id>/",
        views.member_role,
        name="member_role",
    ),
    path(
        "settings/clients/<int:client_id>/people/<int:membership_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("settings/clients/<int:client_id>/fx-rates/", views.fx_rate_set, name="fx_rate_set"),
    path(
        "settings/clients/<int:client_id>/fx-rates/<int:fx_rate_id>/remove/",
        views.fx_rate_remove,
        name="fx_rate_remove",
    ),
    path("settings/tokens/", views.tokens, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("settings/roles/", views.roles, name="roles"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
