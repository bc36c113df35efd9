"""Reports' pages: submit, the public map and list, a report's page, the clerks' queue and
actions, the contact centre's phone intake, the cabinet panel. Thin: they call services."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError as PydanticValidationError

from misto import twin
from misto.core.http import see_other
from misto.core.permissions import who_can
from misto.core.photos import CONTENT_TYPES
from misto.core.ratelimit import client_address, ratelimit
from misto.reports import services
from misto.reports.api.schemas import ReportFilters
from misto.reports.errors import ReportError, ReportErrors, ReportsCode
from misto.reports.models import Category, Channel, Report, Status
from misto.reports.permissions import REPORT_CHANGE, REPORT_MODERATE
from misto.residents import codes, outbox

# The follow confirmations this browser started: {code token: report number}. A token
# opens the confirmation form only of the report it was asked for, and only here.
FOLLOW_TOKENS = "reports_follow_tokens"


def _errors(error: ReportError) -> dict[str, list[str]]:
    """Problems by form field ("" for the form as a whole)."""
    found: dict[str, list[str]] = {}
    for item in error.errors if isinstance(error, ReportErrors) else [error]:
        found.setdefault(item.field or "", []).append(item.message)
    return found


def _missing(request: HttpRequest, error: ReportError) -> HttpResponse:
    """The page of a report that is not there (or not for this visitor: the same page)."""
    return render(request, "reports/missing.html", {"message": error.message}, status=404)


def _answers(post: QueryDict, category: Category | None) -> dict[str, Any]:
    if category is None:
        return {}
    answers: dict[str, Any] = {}
    for attribute in category.attributes.filter(variable=True):
        values = [v for v in post.getlist(f"attr_{attribute.code}") if v.strip()]
        if values:
            answers[attribute.code] = values if attribute.datatype == "multivaluelist" else \
                values[0]
    return answers


def _category(code: str) -> Category | None:
    try:
        return services.get_category(code) if code else None
    except ReportError:
        return None


def _attribute_rows(category: Category | None, values: Any) -> list[tuple[Any, list[str]]]:
    """The category's questions with what was already answered (to fill the form again)."""
    if category is None:
        return []
    getlist = getattr(values, "getlist", None)
    return [(attribute, getlist(f"attr_{attribute.code}") if getlist else [])
            for attribute in category.attributes.filter(variable=True)]


def _grouped_categories() -> list[tuple[str, list[Category]]]:
    groups: dict[str, list[Category]] = {}
    for category in services.leaf_categories():
        group = services.category_title(category.parent) if category.parent else ""
        groups.setdefault(group, []).append(category)
    return list(groups.items())


def _submission(request: HttpRequest, channel: str) -> services.Submission:
    post = request.POST
    code = services.find_category(post.get("category", ""))
    category = _category(code)
    return services.Submission(
        category=code, description=post.get("description", ""),
        lon=post.get("lon") or None, lat=post.get("lat") or None,
        landmark=post.get("landmark", ""), address=post.get("address", ""),
        attributes=_answers(post, category), photos=request.FILES.getlist("photos"),
        use_photo_location=post.get("use_photo_location") == "on", channel=channel,
        author=request.user if channel == Channel.WEB else None,
        contact_name=post.get("contact_name", ""), contact_phone=post.get("contact_phone", ""),
        contact_email=post.get("contact_email", ""),
        duplicate_of=post.get("duplicate_of", ""),
        idempotency_key=services.check_idempotency_key(post.get("idempotency_key")),
    )


def _idempotency_key(request: HttpRequest) -> str:
    """The form's hidden token: the one posted (a form shown again after an error keeps
    its token, since nothing was created) unless it was malformed, or a new one."""
    posted = request.POST.get("idempotency_key", "") if request.method == "POST" else ""
    return posted if services.IDEMPOTENCY_KEY.match(posted) else secrets.token_urlsafe(24)


@ratelimit("reports.submit")
def submit(request: HttpRequest) -> HttpResponse:
    """Report a problem: category, description, photos and the place. Anyone may post, so
    posts are rate-limited per client; a retried post (same form token) finds its report."""
    form_errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            contact = (None if request.user.is_authenticated else
                       services.check_updates_contact(request.POST.get("updates_contact", "")))
            report = services.submit(_submission(request, Channel.WEB))
        except ReportError as error:
            form_errors, status = _errors(error), 400
        else:
            messages.success(request, _("Thank you! Your report number is %(id)s.")
                             % {"id": report.public_id})
            if contact is not None:
                return _ask_to_follow(request, report, contact)
            return redirect("reports:detail", public_id=report.public_id)
    values = request.POST if request.method == "POST" else request.GET
    category = _category(values.get("category", ""))
    return render(request, "reports/submit.html", {
        "groups": _grouped_categories(), "values": values, "errors": form_errors,
        "category": category, "attributes": _attribute_rows(category, values),
        "map": _map_config(), "idempotency_key": _idempotency_key(request),
    }, status=status)


def _ask_to_follow(request: HttpRequest, report: Report,
                   contact: services.UpdatesContact) -> HttpResponse:
    """Send the confirmation code and show its form (the report exists whatever happens)."""
    try:
        token = services.ask_to_follow(contact, client_address(request))
    except ReportError as error:
        messages.error(request, error.message)
        return redirect("reports:detail", public_id=report.public_id)
    request.session[FOLLOW_TOKENS] = {**request.session.get(FOLLOW_TOKENS, {}),
                                      token: report.public_id}
    return redirect("reports:follow-confirm", public_id=report.public_id, token=token)


@ratelimit("reports.follow")
@require_http_methods(["GET", "POST"])
def follow_confirm(request: HttpRequest, public_id: str, token: uuid.UUID) -> HttpResponse:
    """Type the code sent to the address left for updates; a good one follows the report."""
    tokens: dict[str, str] = request.session.get(FOLLOW_TOKENS, {})
    if tokens.get(str(token)) != public_id:
        return render(request, "reports/missing.html", {"message": _(
            "This confirmation was not started in this browser, or it is already done.")},
            status=404)
    try:
        report = services.access_report(request.user, public_id)
    except ReportError as error:
        return _missing(request, error)
    form_errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            services.confirm_follow(report, str(token), request.POST.get("code", ""))
        except ReportError as error:
            form_errors, status = _errors(error), error.status
        else:
            del tokens[str(token)]
            request.session[FOLLOW_TOKENS] = tokens
            messages.success(request, _("Confirmed: the updates on this report will come to "
                                        "the address you gave."))
            return redirect("reports:detail", public_id=public_id)
    pending = codes.pending(token)
    return render(request, "reports/follow_confirm.html", {
        "report": report, "errors": form_errors, "outbox": outbox.enabled(),
        "channel": pending.channel if pending else "",
    }, status=status)


@require_GET
def attributes(request: HttpRequest) -> HttpResponse:
    """The questions of one category (an htmx fragment of the form). The phone intake's
    typed category (``matches=1``) also gets the categories its text may mean, swapped in
    beside the field (``_category_matches.html``)."""
    text = request.GET.get("category", "")
    category = _category(services.find_category(text))
    offer = request.GET.get("matches") == "1"
    return render(request, "reports/_attributes.html", {
        "attributes": _attribute_rows(category, {}), "errors": {}, "category": category,
        "offer": offer,
        "matches": services.match_categories(text) if offer and category is None else []})


@require_GET
def nearby(request: HttpRequest) -> HttpResponse:
    """Open reports of the same category near the chosen place (an htmx fragment)."""
    params = request.GET
    found: list[tuple[Report, float]] = []
    place = None
    problem = ""
    if params.get("category") and (params.get("landmark") or params.get("lon")
                                   or params.get("address")):
        try:
            place = services.resolve_place(lon=params.get("lon"), lat=params.get("lat"),
                                           landmark=params.get("landmark", ""),
                                           address=params.get("address", ""))
            found = services.nearby_open(services.find_category(params["category"]),
                                         place.lon, place.lat)
        except ReportError as error:
            problem = error.message
    return render(request, "reports/_nearby.html", {"found": found, "place": place,
                                                    "problem": problem})


def _map_config() -> dict[str, Any]:
    return {"tiles": "/api/twin/tiles/{z}/{x}/{y}.mvt", "reports": "/api/reports/reports",
            "centre": [35.165, 47.845]}


def _filters(params: QueryDict) -> services.Filters:
    """The map page's filters, read by the API's schema (one definition of what is valid)."""
    try:
        query = ReportFilters.model_validate(
            {name: params[name] for name in ReportFilters.model_fields if name in params})
    except PydanticValidationError as error:
        names = sorted({str(problem["loc"][0]) for problem in error.errors() if problem["loc"]})
        raise ReportError(ReportsCode.BAD_REQUEST, _("Check the filters: %(names)s.")
                          % {"names": ", ".join(names)}) from None
    return query.filters()


def report_map(request: HttpRequest) -> HttpResponse:
    """The public map and list with filters."""
    problem = ""
    try:
        rows = services.public_reports(_filters(request.GET))
    except ReportError as error:
        problem, rows = error.message, Report.objects.none()
    page = Paginator(rows.order_by("-created_at", "-pk"), 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reports/map.html", {
        "page": page, "values": request.GET, "problem": problem, "query": query.urlencode(),
        "groups": _grouped_categories(), "statuses": Status.choices,
        "districts": twin.districts(), "map": _map_config(),
    }, status=400 if problem else 200)


def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        report = services.access_report(request.user, public_id)
    except ReportError as error:
        return _missing(request, error)
    staff = services.can_handle(request.user, report)
    moderator = services.can_moderate(request.user)
    following = (request.user.is_authenticated
                 and report.followers.filter(user=request.user).exists())
    clerks = list(who_can("reports.report.change", report).order_by("username")) if staff else []
    return render(request, "reports/detail.html", {
        "report": report, "history": services.history(report, staff=staff or moderator),
        "photos": [p for p in report.photos.all() if staff or moderator or not p.hidden],
        "staff": staff, "moderator": moderator, "following": following,
        "contact": getattr(report, "contact", None) if staff else None,
        "next_statuses": [(s, Status(s).label) for s in
                          sorted(services.TRANSITIONS.get(report.status, set()))],
        "clerks": clerks, "category_title": services.category_title(report.category),
        "answers": services.answer_labels(report),
    })


@require_GET
def photo(request: HttpRequest, photo_id: int) -> HttpResponseBase:
    """A report's photo: public ones for everyone, hidden ones (or a hidden report's) for
    those who may view the report. Served by Django, not the web server, because access
    depends on the report; the headers keep a browser from reading it as anything but the
    image it was re-encoded to."""
    try:
        found = services.access_photo(request.user, photo_id)
    except ReportError as error:
        raise Http404(error.message) from error
    extension = found.image.name.rsplit(".", 1)[-1].lower()
    if extension not in CONTENT_TYPES:  # only what the photo pipeline writes is served
        raise Http404(_("There is no such photo."))
    try:
        handle = found.image.open("rb")
    except OSError as error:  # the row outlived its file (a restored database)
        raise Http404(_("There is no such photo.")) from error
    # Streamed from the file (closed by the response), never read whole into memory.
    response = FileResponse(handle, content_type=CONTENT_TYPES[extension])
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Content-Disposition"] = (
        f'inline; filename="{found.report.public_id or found.report_id}-{found.pk}.{extension}"')
    response["Cache-Control"] = ("public, max-age=3600" if found.is_public
                                 else "private, no-store")
    return response


# The permission each action needs on the report; following needs only a report one sees.
ACTIONS: dict[str, str | None] = {
    "status": REPORT_CHANGE, "assign": REPORT_CHANGE, "duplicate": REPORT_CHANGE,
    "moderate": REPORT_MODERATE, "follow": None, "unfollow": None,
}


@require_POST
def act(request: HttpRequest, public_id: str) -> HttpResponse:
    """A clerk's, a moderator's or a follower's action on a report."""
    action = request.POST.get("action", "")
    back = reverse("reports:detail", args=[public_id])
    try:
        report = services.access_report(request.user, public_id, ACTIONS.get(action))
    except ReportError as error:
        if error.status == 404:
            return _missing(request, error)
        if not request.user.is_authenticated:
            return redirect_to_login(back)
        raise PermissionDenied(error.message) from None
    try:
        if action == "status":
            services.change_status(report.pk, request.user, request.POST.get("status", ""),
                                   request.POST.get("note", ""),
                                   request.FILES.get("photo"))
        elif action == "assign":
            assignee = None
            if request.POST.get("assignee"):
                assignee = get_user_model().objects.filter(
                    pk=int(request.POST["assignee"]) if request.POST["assignee"].isdigit()
                    else 0).first()
                if assignee is None:
                    raise ReportError(ReportsCode.BAD_REQUEST, _("There is no such clerk."))
            services.assign(report.pk, request.user, assignee)
        elif action == "duplicate":
            services.mark_duplicate(report.pk, request.user, request.POST.get("original", ""))
        elif action == "moderate":
            services.moderate(report.pk, request.user,
                              public_description=request.POST.get("public_description", ""),
                              hidden=request.POST.get("hidden") == "on",
                              hide_photo_ids=[int(v) for v in request.POST.getlist("hide_photo")
                                              if v.isdigit()])
        elif action in ("follow", "unfollow"):
            if not request.user.is_authenticated:
                return redirect_to_login(back)
            services.follow(report, request.user, on=action == "follow")
        else:
            raise ReportError(ReportsCode.BAD_REQUEST, _("Unknown action."))
    except ReportError as error:
        if error.status == 403 and not request.user.is_authenticated:
            return redirect_to_login(back)
        if error.status == 403:
            raise PermissionDenied(error.message) from None
        messages.error(request, error.message)
        return see_other(back)
    messages.success(request, _("Saved."))
    return HttpResponseRedirect(back)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not services.can_handle(request.user):
        raise PermissionDenied("reports.report.change")
    status = request.GET.get("status", "open")
    rows = services.queue_for(request.user, status if status in
                              {"open", "", *Status.values} else "open")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "reports/queue.html", {
        "page": page, "status": status, "statuses": Status.choices,
        "departments": services.handling_departments(request.user),
    })


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """The contact centre: register a phone call as a report on the caller's behalf."""
    if not services.can_take_calls(request.user):
        raise PermissionDenied("reports.report.create")
    form_errors: dict[str, list[str]] = {}
    status = 200
    values: Any = {}
    matches: list[Category] = []
    if request.method == "POST":
        try:
            report = services.submit(_submission(request, Channel.PHONE))
        except ReportError as error:
            form_errors, status, values = _errors(error), 400, request.POST
            text = values.get("category", "").strip()
            matches = services.match_categories(text) if "category" in form_errors else []
            if not (values.get("landmark", "").strip() or values.get("address", "").strip()):
                # the resident form's words speak of a map, which the intake has not
                form_errors["location"] = [_(
                    "Say where the problem is: the landmark number or the address the "
                    "caller names.")]
            if matches:  # part of a name: offer what it may mean instead of refusing
                form_errors["category"] = [_(
                    "“%(text)s” is part of several names: choose the category below."
                ) % {"text": text[:64]} if len(matches) > 1 else _(
                    "“%(text)s” is part of a name: choose the category below."
                ) % {"text": text[:64]}]
        else:
            messages.success(request, format_html(
                _("Registered as {number} ({department}). Tell the caller the number."),
                number=format_html('<a href="{}">{}</a>', services.report_url(report),
                                   report.public_id),
                department=services.localized(report.department.name, report.department.name_en)
                if report.department else "—"))
            return redirect("reports:intake")
    category = _category(services.find_category(values.get("category", ""))) if values else None
    return render(request, "reports/intake.html", {
        "groups": _grouped_categories(), "values": values, "errors": form_errors,
        "attributes": _attribute_rows(category, values), "category": category,
        "matches": matches,
        "idempotency_key": _idempotency_key(request),
    }, status=status)
