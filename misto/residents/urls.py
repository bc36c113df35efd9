from django.urls import path

from misto.residents import views

app_name = "residents"

urlpatterns = [
    path("", views.cabinet, name="cabinet"),
    path("my-data.json", views.export, name="export"),
    path("corrections", views.correction, name="correction"),
    path("sessions/end", views.end_sessions, name="end-sessions"),
    path("extracts/new", views.issue_extract, name="extract-new"),
    path("extracts/check/", views.extract_check, name="extract-check-form"),
    path("extracts/check/<str:code>", views.extract_check, name="extract-check"),
    path("signin/", views.signin, name="signin"),
    path("signin/code/", views.code_request, name="code-request"),
    path("signin/code/<uuid:token>/", views.code_enter, name="code-enter"),
    path("signin/passkey/options", views.passkey_signin_options, name="passkey-signin-options"),
    path("signin/passkey/", views.passkey_signin, name="passkey-signin"),
    path("dev-outbox/", views.dev_outbox, name="dev-outbox"),
    path("passkeys/options", views.passkey_register_options, name="passkey-register-options"),
    path("passkeys/", views.passkey_register, name="passkey-register"),
    path("passkeys/<int:passkey_id>/remove", views.passkey_remove, name="passkey-remove"),
    path("signin/<slug:provider>/", views.oidc_start, name="oidc-start"),
    path("signin/<slug:provider>/callback", views.oidc_callback, name="oidc-callback"),
    path("staff/register/", views.staff_register, name="staff-register"),
    path("staff/totp/", views.staff_totp, name="staff-totp"),
    path("staff/audit/", views.staff_audit, name="staff-audit"),
    path("staff/corrections/<int:request_id>", views.staff_decide, name="staff-decide"),
]
