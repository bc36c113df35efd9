"""E-reception pages: thin, they call ``services`` and render.

An appeal someone may not read is the same 404 as a missing one; a staff action the role may
not do is a 403 page; a refused step (the term past 45 days) is a message in the thread.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from misto.appeals import services
from misto.appeals.errors import AppealError, AppealProblems, AppealsCode
from misto.appeals.models import OPEN, Appeal, Channel, Kind, Reception, Status
from misto.core.http import see_other
from misto.core.permissions import can, who_can
from misto.core.registry import CabinetPanel, PanelOrder
from misto.residents import levels

HANDLE = "appeals.appeal.handle"
SHOWN = 5


def _appeal(request: HttpRequest, number: str) -> Appeal:
    try:
        return services.access_appeal(request.user, number)
    except AppealError as error:
        raise Http404(error.message) from None


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "appeals/index.html",
                  {"receptions": Reception.objects.filter(active=True)})


def _form(request: HttpRequest, template: str, reception: Reception | None,
          register: bool = False) -> HttpResponse:
    values = {"reception": reception.code if reception else "", "kind": "", "subject": "",
              "text": "", "contact": "", "channel": "phone"}
    problems: dict[str, str] = {}
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in values}
        try:
            checked = services.check_appeal(values["reception"], values["kind"],
                                            values["subject"], values["text"],
                                            request.FILES.get("attachment"))
            if register:
                appeal = services.register(
                    checked, channel=values["channel"] if values["channel"] in (
                        Channel.PHONE, Channel.PAPER) else Channel.PHONE,
                    contact=values["contact"], registered_by=request.user)
            else:
                appeal = services.register(checked, author=request.user)
            messages.success(request, _("Registered as № %(number)s; the answer is due by "
                                        "%(due)s.") % {"number": appeal.number,
                                                       "due": date_format(appeal.due, "j E Y")})
            return see_other(reverse("appeals:detail", args=[appeal.number]))
        except AppealProblems as error:
            problems = error.problems
        except AppealError as error:
            problems = {error.field or "text": error.message}
    return render(request, template, {
        "reception": reception, "receptions": Reception.objects.filter(active=True),
        "values": values, "problems": problems, "kinds": Kind.choices},
        status=422 if problems else 200)


@levels.level_required(levels.BASIC)
def write(request: HttpRequest, code: str) -> HttpResponse:
    try:
        reception = services.access_reception(code)
    except AppealError as error:
        raise Http404(error.message) from None
    return _form(request, "appeals/write.html", reception)


@login_required
def register(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "appeals.appeal.register"):
        raise PermissionDenied("appeals.appeal.register")
    return _form(request, "appeals/register.html", None, register=True)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "appeals/mine.html", {
        "appeals": services.own_appeals(request.user).select_related("reception")})


def _staff_context(request: HttpRequest, appeal: Appeal) -> dict[str, Any]:
    if not can(request.user, HANDLE, appeal):
        return {"may_handle": False}
    return {"may_handle": True, "clerks": list(who_can(HANDLE, appeal))}


@login_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    appeal = _appeal(request, number)
    return render(request, "appeals/detail.html", {
        "appeal": appeal, "thread": appeal.messages.select_related("author"),
        "deadline": services.deadline_of(appeal),
        "own": appeal.author_id == request.user.pk, **_staff_context(request, appeal)})


@require_POST
@login_required
def act(request: HttpRequest, number: str) -> HttpResponse:
    """The resident's reply, or an office's step: assign, ask, extend, write, answer."""
    appeal = _appeal(request, number)
    step = request.POST.get("step", "")
    text = request.POST.get("text", "")
    attachment = request.FILES.get("attachment")
    try:
        if step == "reply":
            services.reply(request.user, appeal, text, attachment)
        else:
            if not can(request.user, HANDLE, appeal):
                raise PermissionDenied(HANDLE)
            if step == "assign":
                executor = get_user_model().objects.filter(
                    pk=int(request.POST.get("executor") or 0)
                    if (request.POST.get("executor") or "").isdigit() else 0).first()
                term = request.POST.get("term_days", "30")
                services.assign(request.user, appeal, executor, int(term) if term.isdigit()
                                else 0)
            elif step == "ask":
                services.request_information(request.user, appeal, text)
            elif step == "extend":
                days = request.POST.get("total_days", "")
                services.extend(request.user, appeal, int(days) if days.isdigit() else 0,
                                request.POST.get("reason", ""))
            elif step == "write":
                services.write(request.user, appeal, text, attachment)
            elif step == "answer":
                services.answer(request.user, appeal, text, attachment)
            else:
                raise AppealError(AppealsCode.INVALID, _("Unknown step."))
        messages.success(request, _("Saved."))
    except AppealError as error:
        messages.error(request, error.message)
    return see_other(reverse("appeals:detail", args=[number]))


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "appeals.appeal.view"):
        raise PermissionDenied("appeals.appeal.view")
    status = request.GET.get("status", "open")
    rows = services.queue_for(request.user, status=status if status in Status.values else None)
    if status == "open":
        rows = rows.filter(status__in=OPEN)
    today = timezone.localdate()
    week = rows.filter(status__in=OPEN, due__gte=today, due__lte=today + timedelta(days=7))
    return render(request, "appeals/queue.html", {
        "page": Paginator(rows, 50).get_page(request.GET.get("page")), "status": status,
        "statuses": Status.choices, "due_this_week": week[:20], "today": today})


@login_required
def stats(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "appeals.stats.view"):
        raise PermissionDenied("appeals.stats.view")
    return render(request, "appeals/stats.html", {"rows": services.reception_stats()})


def cabinet_panel(request: HttpRequest) -> CabinetPanel | None:
    if not request.user.is_authenticated:
        return None
    rows = list(services.own_appeals(request.user).select_related("reception")[:SHOWN])
    return CabinetPanel(title=gettext_lazy("My appeals"), template="appeals/panel.html",
                        context={"appeals": rows}, url_name="appeals:mine",
                        order=PanelOrder.MY_CASES, key="appeals-mine")
