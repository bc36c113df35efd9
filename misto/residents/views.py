"""Pages: the resident's cabinet, sign-in, the staff register, public extract checks."""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from misto.core.permissions import can
from misto.core.registry import workspace_for
from misto.residents import (
    auth,
    codes,
    identity,
    levels,
    outbox,
    passkeys,
    services,
    throttle,
)
from misto.residents.models import CorrectionRequest, LocalMessage, Person

MAX_PDF = 5 * 1024 * 1024
EXTRACT_CODE = re.compile(r"[A-Z0-9-]+")


def _next_url(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


# --- The cabinet -----------------------------------------------------------------------


@login_required
@require_GET
def cabinet(request: HttpRequest) -> HttpResponse:
    person = services.person_of(request.user)
    context: dict[str, Any] = {
        "panels": services.cabinet_panels(request),
        "person": person,
        "correctable": [(name, services.field_label(name)) for name in services.CORRECTABLE],
        "sessions": services.sessions_of(request.user),
        "current_session": request.session.session_key,
        "passkeys": passkeys.of(request.user),
    }
    if person is not None:
        context.update(
            profile=[(services.field_label(name), value) for name, value in
                     services.read_personal(person, actor=request.user, reason="").items()
                     if value],
            benefits=services.active_benefits(person),
            access_log=person.access_log.all()[:100],
            corrections=person.corrections.all()[:50],
            extracts=person.extracts.order_by("-issued_at")[:10],
        )
    return render(request, "residents/cabinet.html", context)


def with_own_person(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Call ``view(request, person, ...)`` with the resident's own record; a 404 that says
    why when their account has none."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            person = services.access_own_person(request.user)
        except services.ResidentsError as error:
            return HttpResponse(error.message, status=error.status)
        return view(request, person, *args, **kwargs)

    return wrapped


@levels.level_required(levels.VERIFIED)
@require_GET
@with_own_person
def export(request: HttpRequest, person: Person) -> HttpResponse:
    body = json.dumps(services.export_data(person), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="misto-my-data.json"'
    return response


@levels.level_required(levels.VERIFIED)
@require_POST
@with_own_person
def correction(request: HttpRequest, person: Person) -> HttpResponse:
    try:
        services.request_correction(
            person, field=request.POST.get("field", ""), value=request.POST.get("value", ""),
            comment=request.POST.get("comment", ""), by=request.user)
    except services.ResidentsError as error:
        messages.error(request, " ".join([error.message, *error.errors.values()]))
        return redirect(reverse("residents:cabinet") + "#privacy")
    messages.success(request, _("Your request was sent to a clerk."))
    return redirect(reverse("residents:cabinet") + "#privacy")


@login_required
@require_POST
def end_sessions(request: HttpRequest) -> HttpResponse:
    count = services.end_other_sessions(request.user, request.session.session_key)
    messages.success(request, _("Other sessions ended: %(count)s.") % {"count": count})
    return redirect(reverse("residents:cabinet") + "#sessions")


@levels.level_required(levels.VERIFIED)
@require_POST
@with_own_person
def issue_extract(request: HttpRequest, person: Person) -> HttpResponse:
    url = request.build_absolute_uri(reverse("residents:extract-check", args=["CODE"]))
    try:
        extract, pdf = services.issue_extract(person, by=request.user,
                                              verify_url=url.replace("CODE", "{code}"))
    except services.ResidentsError as error:
        messages.error(request, error.message)
        return redirect("residents:cabinet")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="extract-{extract.code}.pdf"'
    return response


# --- Public extract checks -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def extract_check(request: HttpRequest, code: str = "") -> HttpResponse:
    code = (code or request.GET.get("code", "")).strip().upper()[:40]
    if code and not EXTRACT_CODE.fullmatch(code):
        # Refused here: such a code was never issued, and the page links back to itself.
        return HttpResponseBadRequest(_(
            "A verification code has only Latin letters, digits and dashes, like "
            "ABCD-EFGH-JKMN."))
    check = services.verify_extract(code) if code else None
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or not code:
            return HttpResponseBadRequest(_("Give the code and the PDF file to check."))
        if upload.size is None or upload.size > MAX_PDF:
            return HttpResponse(_("The file is too large for an extract."), status=413)
        check = services.verify_extract(code, upload.read())
    if check is not None and not check.found:
        status = 404
    return render(request, "residents/extract_check.html", {"code": code, "check": check},
                  status=status)


# --- Sign-in ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    """The one password form (staff: password + TOTP); Django's and the admin's redirect here."""
    error = ""
    status = 200
    wait = 0
    if request.method == "POST":
        username = request.POST.get("username", "")
        wait = throttle.signin_wait(username, throttle.client_address(request))
        user = None if wait else authenticate(
            request, username=username, password=request.POST.get("password", ""),
            totp=request.POST.get("totp", ""))
        if user is not None:
            levels.sign_in(request, user, method="password+totp", level=levels.VERIFIED)
            # Staff land on their role's workspace (declared by the modules), not the home page.
            return redirect(_next_url(request, workspace_for(user) or reverse("core:home")))
        wait = wait or throttle.signin_wait(username, throttle.client_address(request))
        if wait:
            error, status = locked_out_message(wait), 429
        else:
            error, status = _("Wrong user name, password or one-time code."), 400
    level = request.GET.get("level", "")
    response = render(request, "residents/signin.html", {
        "providers": identity.providers().values(), "error": error,
        "next": _next_url(request, ""),
        "needs_verified": level == levels.VERIFIED and not levels.has_level(request, level),
        "outbox": outbox.enabled(),
    }, status=status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


def locked_out_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many failed attempts from this device. Try again in %(minutes)s minute.",
        "Too many failed attempts from this device. Try again in %(minutes)s minutes.",
        minutes) % {"minutes": minutes}


@require_http_methods(["GET", "POST"])
def code_request(request: HttpRequest) -> HttpResponse:
    """Ask for a one-time code by e-mail or SMS (the *basic* level)."""
    channel = request.POST.get("channel", "email")
    address = request.POST.get("address", "")
    error, status, wait = "", 200, 0
    if request.method == "POST":
        try:
            row = codes.request_code(channel, address, throttle.client_address(request))
        except codes.CodeError as refused:
            error, status, wait = refused.message, refused.status, refused.retry_after
        else:
            target = reverse("residents:code-enter", args=[row.token])
            next_url = _next_url(request, "")
            return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url
                            else target)
    response = render(request, "residents/signin_code.html", {
        "channels": outbox.channels(), "channel": channel, "address": address,
        "error": error, "next": _next_url(request, ""), "outbox": outbox.enabled(),
    }, status=status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


@require_http_methods(["GET", "POST"])
def code_enter(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """Type the code that was sent; a good one signs in at the *basic* level."""
    row = codes.pending(token)
    error, status = "", 200
    if request.method == "POST":
        try:
            user = codes.sign_in_with_code(token, request.POST.get("code", ""))
        except codes.CodeError as refused:
            error, status = refused.message, refused.status
        else:
            if user is not None:
                levels.sign_in(request, user, method=f"code:{row.channel if row else 'code'}",
                               level=levels.BASIC)
                return redirect(_next_url(request, reverse("residents:cabinet")))
            error, status = _("The code does not match. Check it and try again."), 400
    elif row is None:
        error, status = _("This code has expired or was already used. Ask for a new one."), 404
    return render(request, "residents/signin_code_enter.html", {
        "error": error, "next": _next_url(request, ""), "outbox": outbox.enabled(),
        "channel": row.channel if row else "",
    }, status=status)


@require_GET
def dev_outbox(request: HttpRequest) -> HttpResponse:
    """The local outbox: e-mails and SMS that were kept instead of sent (not in production)."""
    if not outbox.enabled():
        raise Http404
    return render(request, "residents/dev_outbox.html", {
        "messages_sent": LocalMessage.objects.all()[:50]})


@require_GET
def oidc_start(request: HttpRequest, provider: str) -> HttpResponse:
    config = identity.providers().get(provider)
    if config is None:
        return HttpResponse(_("Unknown identity provider."), status=404)
    request.session["oidc_next"] = _next_url(request, reverse("residents:cabinet"))
    redirect_uri = request.build_absolute_uri(
        reverse("residents:oidc-callback", args=[provider]))
    try:
        response: HttpResponse = identity.client(config).authorize_redirect(request,
                                                                            redirect_uri)
        return response
    except Exception as error:  # the provider is down or misconfigured
        return HttpResponse(_("The identity provider is not reachable: %(error)s") % {
            "error": type(error).__name__}, status=502)


@require_GET
def oidc_callback(request: HttpRequest, provider: str) -> HttpResponse:
    config = identity.providers().get(provider)
    if config is None:
        return HttpResponse(_("Unknown identity provider."), status=404)
    if "error" in request.GET:
        return HttpResponse(_("Sign-in was cancelled: %(error)s") % {
            "error": request.GET.get("error", "")[:100]}, status=400)
    oauth = identity.client(config)
    try:
        token = oauth.authorize_access_token(request)
        claims = dict(oauth.userinfo(token=token))
        id_claims = token.get("userinfo") or {}
        if id_claims.get("sub") != claims.get("sub"):
            raise ValueError("userinfo and ID token disagree")
    except Exception as error:  # a bad state, code or token: the user starts again
        return HttpResponse(_("Sign-in failed: %(error)s") % {
            "error": type(error).__name__}, status=400)
    try:
        result = identity.sign_in_with(config, claims)
    except services.ResidentsError as error:
        return HttpResponse(error.message, status=409)
    levels.sign_in(request, result.user, method=f"oidc:{provider}", level=levels.VERIFIED)
    if not result.matched:
        messages.warning(request, _("You are signed in, but we did not find you in the "
                                    "register. A clerk at the administrative services "
                                    "centre can add you."))
    return redirect(request.session.pop("oidc_next", None) or reverse("residents:cabinet"))


# --- Passkeys ---------------------------------------------------------------------------

PASSKEY_CHALLENGE = "passkey_challenge"
MAX_CREDENTIAL = 64 * 1024


def _take_challenge(request: HttpRequest) -> str:
    """The session's pending challenge, spent on first use (no replay)."""
    return str(request.session.pop(PASSKEY_CHALLENGE, "") or "")


def _credential(request: HttpRequest) -> str | None:
    body = request.body
    return body.decode("utf-8", "replace") if 0 < len(body) <= MAX_CREDENTIAL else None


@levels.level_required(levels.BASIC)
@require_POST
def passkey_register_options(request: HttpRequest) -> HttpResponse:
    options, request.session[PASSKEY_CHALLENGE] = passkeys.registration_options(request.user)
    return HttpResponse(options, content_type="application/json")


@levels.level_required(levels.BASIC)
@require_POST
def passkey_register(request: HttpRequest) -> HttpResponse:
    """Keep the passkey the browser made; it signs in at this session's level later."""
    credential = _credential(request)
    if credential is None:
        return JsonResponse({"error": _("Send the passkey as JSON.")}, status=400)
    try:
        passkeys.register(request.user, credential, _take_challenge(request),
                          level=levels.level_of(request) or levels.BASIC,
                          name=request.headers.get("X-Passkey-Name", ""))
    except passkeys.PasskeyError as error:
        return JsonResponse({"error": error.message}, status=400)
    messages.success(request, _("The passkey was added. Next time sign in with it."))
    return JsonResponse({"redirect": reverse("residents:cabinet") + "#passkeys"}, status=201)


@levels.level_required(levels.BASIC)
@require_POST
def passkey_remove(request: HttpRequest, passkey_id: int) -> HttpResponse:
    if not passkeys.remove(request.user, passkey_id):
        raise Http404
    messages.success(request, _("The passkey was removed."))
    return redirect(reverse("residents:cabinet") + "#passkeys")


@require_POST
def passkey_signin_options(request: HttpRequest) -> HttpResponse:
    options, request.session[PASSKEY_CHALLENGE] = passkeys.authentication_options()
    return HttpResponse(options, content_type="application/json")


@require_POST
def passkey_signin(request: HttpRequest) -> HttpResponse:
    """Sign in with a passkey, at the level it was registered with; answers where to go."""
    credential = _credential(request)
    if credential is None:
        return JsonResponse({"error": _("Send the passkey as JSON.")}, status=400)
    try:
        key = passkeys.authenticate(credential, _take_challenge(request))
    except passkeys.PasskeyError as error:
        return JsonResponse({"error": error.message}, status=400)
    levels.sign_in(request, key.user, method="passkey", level=key.level)
    return JsonResponse({"redirect": _next_url(request, reverse("residents:cabinet"))})


# --- Staff -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def staff_totp(request: HttpRequest) -> HttpResponse:
    """A staff member sets up (or replaces) their TOTP secret; the first good code confirms."""
    if not auth.is_staff_member(request.user):
        raise PermissionDenied("staff only")
    error = ""
    if request.method == "POST" and request.POST.get("action") == "confirm":
        if auth.check_totp(request.user, request.POST.get("totp")):
            request.session.pop("totp_uri", None)
            messages.success(request, _("Two-step sign-in is on."))
            return redirect("residents:staff-register")
        error = _("The code does not match. Check the clock of your device and try again.")
    elif request.method == "POST":
        if auth.has_confirmed_totp(request.user) and not auth.check_totp(
                request.user, request.POST.get("current")):
            error = _("Give a current code of your existing authenticator to replace it.")
        else:
            request.session["totp_uri"] = auth.enrol_totp(request.user)
    uri = request.session.get("totp_uri", "")
    qr = segno.make(uri, error="m").svg_inline(scale=4, title=_("QR code for the authenticator")
                                               ) if uri else ""
    return render(request, "residents/staff_totp.html", {
        "uri": uri, "qr": qr, "error": error,
        "confirmed": auth.has_confirmed_totp(request.user)}, status=400 if error else 200)



@login_required
@require_http_methods(["GET", "POST"])
def staff_register(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "residents.person.list"):
        raise PermissionDenied("residents.person.list")
    context: dict[str, object] = {"corrections": services.pending_corrections(request.user)}
    status = 200
    if request.method == "POST" and request.POST.get("action") == "add":
        fields = ("last_name", "first_name", "patronymic", "birth_date", "rnokpp", "document",
                  "phone", "email", "address")
        try:
            services.register_person({name: request.POST.get(name, "") for name in fields},
                                     by=request.user, basis=request.POST.get("basis", ""))
        except services.ResidentsError as error:
            context["add_errors"] = [(services.field_label(name) if name != "basis" else name,
                                      reason) for name, reason in error.errors.items()]
            context["add_error"] = error.message
            status = 400
        except PermissionDenied:
            context["add_error"] = _("This address is outside your scope.")
            status = 403
        else:
            messages.success(request, _("The person was added to the register."))
            return redirect("residents:staff-register")
    elif request.method == "POST":
        number = request.POST.get("rnokpp", "")
        reason = request.POST.get("reason", "")
        context.update(rnokpp=number, reason=reason)
        # Refused before the look-up: the same answer whether the number exists or not.
        if not can(request.user, "residents.person.view_personal"):
            context["error"] = _("You may not open this person's personal data.")
            status = 403
        else:
            try:
                person = services.access_person(request.user, number)
                data = services.read_personal(person, actor=request.user, reason=reason)
            except services.ResidentsError as error:
                context["error"], status = error.message, error.status
            else:
                context.update(
                    person=person,
                    profile=[(services.field_label(name), value)
                             for name, value in data.items() if value],
                    benefits=services.active_benefits(person),
                    household=person.household.select_related("member"),
                    history=services.history(person),
                )
    return render(request, "residents/staff_register.html", context, status=status)


@login_required
@require_GET
def staff_audit(request: HttpRequest) -> HttpResponse:
    username = request.GET.get("user", "").strip()
    rows = services.audit_log(request.user, username=username)
    return render(request, "residents/staff_audit.html", {"rows": rows, "username": username})


@login_required
@require_POST
def staff_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        correction = services.access_correction(request.user, request_id)
    except services.ResidentsError as error:
        raise Http404(error.message) from error
    try:
        row = services.decide_correction(
            correction.pk, approve=request.POST.get("decision") == "approve",
            reason=request.POST.get("reason", ""), by=request.user)
    except services.ResidentsError as error:
        messages.error(request, error.message)
        return redirect("residents:staff-register")
    messages.success(request, _("Request %(id)s: %(status)s.") % {
        "id": row.pk, "status": CorrectionRequest.Status(row.status).label})
    return redirect("residents:staff-register")
