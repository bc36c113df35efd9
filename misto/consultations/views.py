"""Poll and consultation pages: thin, they call ``services`` and render.

A resident's refusal (not eligible, already voted, closed) is a message on the page; a
staff action the role may not do is a 403 page; a missing or hidden poll is a 404.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from misto import twin
from misto.consultations import services
from misto.consultations.errors import ConsultationsError
from misto.consultations.models import Choice, Effect, Hearing, Poll, Rule, State
from misto.core.http import see_other
from misto.core.i18n import localized
from misto.core.permissions import can
from misto.residents import levels

T = TypeVar("T", Poll, Hearing)
POLL, HEARING = "consultations.poll.manage", "consultations.hearing.manage"
MODERATE = "consultations.comment.moderate"


def _get(model: type[T], request: HttpRequest, pk: int) -> T:
    try:
        return services.access(model, request.user, pk)
    except ConsultationsError as error:
        raise Http404(error.message) from None


def _names() -> dict[str, str]:
    return {d.katottg: localized(d, "name") for d in twin.districts()}


def index(request: HttpRequest) -> HttpResponse:
    polls = [p for p in Poll.objects.exclude(state=State.DRAFT)]
    hearings = list(Hearing.objects.exclude(state=State.DRAFT))
    return render(request, "consultations/index.html", {
        "open_polls": [p for p in polls if services.is_running(p)],
        "other_polls": [p for p in polls if not services.is_running(p)],
        "hearings": hearings, "names": _names(),
        "may_organise": can(request.user, POLL)})


def poll(request: HttpRequest, poll_id: int) -> HttpResponse:
    found = _get(Poll, request, poll_id)
    public = services.results_public(found)
    signed_in = request.user.is_authenticated
    return render(request, "consultations/poll.html", {
        "poll": found, "options": list(found.options.all()), "running":
        services.is_running(found), "results": services.results(found) if public else None,
        "has_voted": signed_in and services.has_voted(request.user, found),
        "may_manage": can(request.user, POLL, found), "names": _names(),
        "multiple": found.choice == Choice.MULTIPLE,
        "binding": found.effect == Effect.BINDING})


@require_POST
def vote(request: HttpRequest, poll_id: int) -> HttpResponse:
    found = _get(Poll, request, poll_id)
    back = reverse("consultations:poll", args=[found.pk])
    if not request.user.is_authenticated or not levels.has_level(request, levels.VERIFIED):
        return see_other(levels.raise_level_url(levels.VERIFIED, back))
    try:
        ballot = services.vote_here(request.user, levels.level_of(request), found,
                                    request.POST.getlist("answer"),
                                    request.POST.get("text", "")[:2000])
    except ConsultationsError as error:
        messages.error(request, error.message)
        return see_other(back)
    messages.success(request, _("Your ballot is counted. Keep the receipt: with it you (and "
                                "only you) can find your ballot in the public ledger."))
    return see_other(f"{reverse('consultations:ballot')}?receipt={ballot.receipt}")


def ballot(request: HttpRequest) -> HttpResponse:
    receipt = request.GET.get("receipt", "")[:64]
    found = services.find_ballot(receipt) if receipt else None
    chosen = list(found.poll.options.filter(position__in=found.choices)) if found else []
    return render(request, "consultations/ballot.html", {
        "receipt": receipt, "ballot": found, "chosen": chosen, "searched": bool(receipt)},
        status=404 if receipt and not found else 200)


def ballots(request: HttpRequest, poll_id: int) -> HttpResponse:
    """Every ballot of the poll as the public ledger holds it, and the recount."""
    found = _get(Poll, request, poll_id)
    rows = services.ledger_ballots(found)
    return render(request, "consultations/ballots.html", {
        "poll": found, "rows": rows, "recount": services.recount(found),
        "mine": request.GET.get("receipt", "")[:20]})


def hearing(request: HttpRequest, hearing_id: int) -> HttpResponse:
    found = _get(Hearing, request, hearing_id)
    return render(request, "consultations/hearing.html", {
        "hearing": found, "documents": list(found.documents.all()),
        "thread": services.thread(found), "running": services.is_running(found),
        "polls": list(found.polls.exclude(state=State.DRAFT)), "names": _names(),
        "may_manage": can(request.user, HEARING, found),
        "may_moderate": can(request.user, MODERATE, found), "rules": Rule.choices})


@require_POST
def comment(request: HttpRequest, hearing_id: int) -> HttpResponse:
    found = _get(Hearing, request, hearing_id)
    back = reverse("consultations:hearing", args=[found.pk])
    if not request.user.is_authenticated or not levels.has_level(request, levels.VERIFIED):
        return see_other(levels.raise_level_url(levels.VERIFIED, back))
    parent = request.POST.get("parent", "")
    try:
        services.comment(request.user, levels.level_of(request), found,
                         request.POST.get("body", ""),
                         int(parent) if parent.isdigit() and len(parent) < 18 else None)
        messages.success(request, _("Your comment is published."))
    except ConsultationsError as error:
        messages.error(request, error.message)
    return see_other(f"{back}#comments")


# Staff -------------------------------------------------------------------------------


def _may(request: HttpRequest, action: str, obj: Any = None) -> None:
    if not can(request.user, action, obj):
        raise PermissionDenied(action)


def _when(text: str, default: datetime) -> datetime:
    value = parse_datetime(text.strip()) if text.strip() else None
    if value is None:
        return default
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _small_int(text: str) -> int:
    text = str(text or "1").strip()
    return int(text) if text.isdigit() and len(text) < 4 else 0


@login_required
def staff(request: HttpRequest) -> HttpResponse:
    _may(request, POLL)
    return render(request, "consultations/staff.html", {
        "polls": list(Poll.objects.all()), "hearings": list(Hearing.objects.all()),
        "names": _names(), "districts": sorted(_names().items()),
        "default_close": (timezone.localtime() + timedelta(days=14))
        .strftime("%Y-%m-%dT%H:%M")})


@require_POST
@login_required
def create_poll(request: HttpRequest) -> HttpResponse:
    _may(request, POLL)
    data = request.POST
    options = [(line.strip(), "") for line in data.get("options", "").splitlines()
               if line.strip()]
    try:
        checked = services.check_poll(
            data.get("title_uk", ""), data.get("title_en", ""), options,
            closes_at=_when(data.get("closes_at", ""), timezone.now() + timedelta(days=14)),
            summary_uk=data.get("summary_uk", ""),
            choice=data.get("choice", Choice.SINGLE),
            max_choices=_small_int(data.get("max_choices", "1")),
            districts=data.getlist("districts"), district_only=bool(data.get("district_only")),
            free_text=bool(data.get("free_text")), effect=data.get("effect", Effect.ADVISORY),
            live_results=bool(data.get("live_results")),
            by_district=bool(data.get("by_district")))
        created = services.do_create_poll(request.user, checked)
    except ConsultationsError as error:
        messages.error(request, error.message)
        return see_other(reverse("consultations:staff"))
    messages.success(request, _("The poll is saved as a draft."))
    return see_other(reverse("consultations:poll", args=[created.pk]))


@require_POST
@login_required
def poll_state(request: HttpRequest, poll_id: int) -> HttpResponse:
    found = _get(Poll, request, poll_id)
    _may(request, POLL, found)
    try:
        if request.POST.get("action") == "close":
            services.do_close(found)
            messages.success(request, _("The poll is closed; its results are public."))
        else:
            services.do_publish(found)
            messages.success(request, _("The poll is open."))
    except ConsultationsError as error:
        messages.error(request, error.message)
    return see_other(reverse("consultations:poll", args=[found.pk]))


@require_POST
@login_required
def create_hearing(request: HttpRequest) -> HttpResponse:
    _may(request, HEARING)
    data = request.POST
    documents = [{"title_uk": data.get("document_title", ""),
                  "body_uk": data.get("document_body", ""),
                  "url": data.get("document_url", "")}] if data.get("document_title") else []
    try:
        created = services.create_hearing(
            request.user, data.get("title_uk", ""),
            _when(data.get("closes_at", ""), timezone.now() + timedelta(days=30)),
            title_en=data.get("title_en", ""), summary_uk=data.get("summary_uk", ""),
            documents=documents, districts=data.getlist("districts"))
    except ConsultationsError as error:
        messages.error(request, error.message)
        return see_other(reverse("consultations:staff"))
    messages.success(request, _("The consultation is saved as a draft."))
    return see_other(reverse("consultations:hearing", args=[created.pk]))


@require_POST
@login_required
def hearing_state(request: HttpRequest, hearing_id: int) -> HttpResponse:
    found = _get(Hearing, request, hearing_id)
    _may(request, HEARING, found)
    action = request.POST.get("action")
    try:
        if action == "close":
            services.close_hearing(found)
        elif action == "report":
            services.publish_report(found, request.POST.get("report_uk", ""),
                                    request.POST.get("report_en", ""))
        else:
            services.publish_hearing(found)
        messages.success(request, _("The consultation is updated."))
    except ConsultationsError as error:
        messages.error(request, error.message)
    return see_other(reverse("consultations:hearing", args=[found.pk]))


@require_POST
@login_required
def hide(request: HttpRequest, comment_id: int) -> HttpResponse:
    _may(request, MODERATE)
    try:
        found = services.access_comment(request.user, comment_id)
    except ConsultationsError as error:
        raise Http404(error.message) from None
    try:
        services.hide_comment(request.user, found, request.POST.get("rule", ""),
                              request.POST.get("reason", ""))
        messages.success(request, _("The comment is hidden; its text is kept."))
    except ConsultationsError as error:
        messages.error(request, error.message)
    return see_other(reverse("consultations:hearing", args=[found.hearing_id]) + "#comments")


