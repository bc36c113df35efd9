"""Petition pages: thin, they call ``services`` and render.

A refusal of a resident's action (not eligible, already signed) is a message on the
petition's page; a staff action the role may not do is a 403 page; a petition the visitor
may not see is the same 404 as a missing one.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from misto import twin
from misto.core import workdays
from misto.core.http import see_other
from misto.core.i18n import localized
from misto.core.permissions import can
from misto.core.registry import CabinetPanel, PanelOrder
from misto.petitions import services
from misto.petitions.errors import DraftProblems, PetitionError
from misto.petitions.models import PUBLIC, Petition, Signature, Status, Topic
from misto.residents import levels
from misto.residents.civic import public_names

SIGNERS_PAGE = 100
SHOWN = 5
BUSIEST = 10


def _user_id(request: HttpRequest) -> int:
    """The signed-in user's id (the route requires a sign-in)."""
    return int(request.user.pk or 0)


def _petition(request: HttpRequest, number: str, action: str | None = None) -> Petition:
    try:
        return services.access_by_number(request.user, number, action)
    except PetitionError as error:
        raise Http404(error.message) from None


def index(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    topic = request.GET.get("topic", "")
    district = request.GET.get("district", "")
    rows = services.public_petitions(
        status=status if status in PUBLIC else None,
        topic=topic if topic in Topic.values else None,
        district=district[:64] or None, query=request.GET.get("q", "")[:100])
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(request, "petitions/index.html", {
        "page": page, "status": status, "topic": topic, "district": district,
        "q": request.GET.get("q", "")[:100],
        "statuses": [(s.value, s.label) for s in Status if s in PUBLIC],
        "topics": Topic.choices,
        "districts": [(d.katottg, localized(d, "name")) for d in twin.districts()],
    })


def rules(request: HttpRequest) -> HttpResponse:
    return render(request, "petitions/rules.html", {
        "rules": services.current_rules(), "moderation_rules": services.published_rules()})


def _signature_of(request: HttpRequest, petition: Petition) -> Signature | None:
    if not request.user.is_authenticated:
        return None
    return Signature.objects.filter(petition=petition, user=request.user).first()


def count(request: HttpRequest, number: str) -> HttpResponse:
    """The live count (htmx polls it while signatures are collected; it stops polling once
    the fragment comes back without a trigger)."""
    petition = _petition(request, number)
    return render(request, "petitions/_count.html", {
        "petition": petition, "collecting": services.collecting(petition)})


def detail(request: HttpRequest, number: str) -> HttpResponse:
    petition = _petition(request, number)
    return render(request, "petitions/detail.html", {
        "petition": petition, "signature": _signature_of(request, petition),
        "collecting": services.collecting(petition),
        "deadline": services.answer_deadline(petition),
        "may_answer": can(request.user, "petitions.petition.answer", petition),
        "may_watch": can(request.user, "petitions.petition.view", petition),
        "district_name": next((localized(d, "name") for d in twin.districts()
                               if d.katottg == petition.district), ""),
    })


@require_POST
def sign(request: HttpRequest, number: str) -> HttpResponse:
    petition = _petition(request, number)
    back = reverse("petitions:detail", args=[number])
    if not request.user.is_authenticated or not levels.has_level(request, levels.VERIFIED):
        return see_other(levels.raise_level_url(levels.VERIFIED, back))
    try:
        if request.POST.get("action") == "withdraw":
            services.withdraw(request.user, petition)
            messages.success(request, _("Your signature is withdrawn."))
        else:
            signature = services.sign(request.user, levels.level_of(request), petition)
            messages.success(request, _("Signed. Your signature is entry %(index)s of the "
                                        "public ledger.") % {"index": signature.ledger_index})
    except PetitionError as error:
        messages.error(request, error.message)
    return see_other(back)


def recount(request: HttpRequest, number: str) -> HttpResponse:
    petition = _petition(request, number)
    return render(request, "petitions/recount.html",
                  {"petition": petition, "result": services.recount(petition)})


def signers(request: HttpRequest, number: str) -> HttpResponse:
    petition = _petition(request, number)
    rows = Signature.objects.filter(Signature.active_q(), petition=petition).order_by("signed_at")
    page = Paginator(rows.values_list("person_id", flat=True), SIGNERS_PAGE).get_page(
        request.GET.get("page"))
    names = public_names(list(page.object_list), petition.signer_names or "initials")
    return render(request, "petitions/signers.html", {
        "petition": petition, "page": page,
        "names": [names[i] for i in page.object_list if i in names]})


def _draft_form(request: HttpRequest, petition: Petition | None) -> HttpResponse:
    values = {"title": petition.title if petition else "",
              "text": petition.text if petition else "",
              "topic": petition.topic if petition else "",
              "place": petition.place_label if petition else ""}
    problems: dict[str, str] = {}
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in values}
        try:
            draft = services.check_draft(**values)
            if petition is None:
                petition = services.do_create_draft(request.user, draft)
            else:
                petition = services.do_update_draft(petition, draft)
            if request.POST.get("submit"):
                services.submit(petition)
                messages.success(request, _("Sent to moderation. You will be told when it "
                                            "opens, or why not."))
                return see_other(reverse("petitions:mine"))
            messages.success(request, _("Draft saved."))
            return see_other(reverse("petitions:edit", args=[petition.pk]))
        except DraftProblems as error:
            problems = error.problems
        except PetitionError as error:
            problems = {error.field or "title": error.message}
    return render(request, "petitions/draft.html", {
        "petition": petition, "values": values, "problems": problems,
        "topics": Topic.choices, "rules": services.published_rules()},
        status=422 if problems else 200)


@levels.level_required(levels.VERIFIED)
def draft(request: HttpRequest) -> HttpResponse:
    return _draft_form(request, None)


@levels.level_required(levels.VERIFIED)
def edit(request: HttpRequest, petition_id: int) -> HttpResponse:
    try:
        petition = services.access_own(request.user, petition_id)
    except PetitionError as error:
        raise Http404(error.message) from None
    if petition.status != Status.DRAFT:
        raise Http404(_("There is no such draft."))
    return _draft_form(request, petition)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    signed = (Signature.objects.filter(user_id=_user_id(request)).select_related("petition")
              .order_by("-signed_at")[:50])
    return render(request, "petitions/mine.html", {
        "petitions": services.own_petitions(request.user), "signed": signed})


@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "petitions.petition.moderate"):
        raise PermissionDenied("petitions.petition.moderate")
    return render(request, "petitions/moderation.html", {
        "queue": services.moderation_queue(request.user),
        "rules": services.published_rules()})


@login_required
def answering(request: HttpRequest) -> HttpResponse:
    """The responsible department's queue: petitions to answer, the clock of each, late in
    red."""
    if not can(request.user, "petitions.petition.answer"):
        raise PermissionDenied("petitions.petition.answer")
    today = timezone.localdate()
    rows = [{"petition": petition, "deadline": services.answer_deadline(petition),
             "late": bool(petition.answer_due and petition.answer_due < today),
             "days_left": workdays.working_days_between(today, petition.answer_due)
             if petition.answer_due else 0}
            for petition in services.answer_queue(request.user)[:200]]
    return render(request, "petitions/answering.html", {"rows": rows})


@require_POST
@login_required
def moderate(request: HttpRequest, petition_id: int) -> HttpResponse:
    try:
        petition = services.access_petition(request.user, petition_id,
                                            "petitions.petition.moderate")
    except PetitionError as error:
        raise Http404(error.message) from None
    try:
        if request.POST.get("decision") == "open":
            services.open_petition(request.user, petition)
            messages.success(request, _("Petition %(number)s is open for signatures.")
                             % {"number": petition.number})
        else:
            services.reject(request.user, petition, request.POST.get("rule", ""),
                            request.POST.get("note", ""))
            messages.success(request, _("Rejected; the author sees the rule and your note."))
    except PetitionError as error:
        messages.error(request, error.message)
    return see_other(reverse("petitions:moderation"))


@login_required
def answer(request: HttpRequest, number: str) -> HttpResponse:
    petition = _petition(request, number, "petitions.petition.answer")
    problem = ""
    if request.method == "POST":
        try:
            services.answer(request.user, petition, request.POST.get("text", ""),
                            request.FILES.get("document"))
            messages.success(request, _("The answer is published; every signer is notified."))
            return see_other(reverse("petitions:detail", args=[number]))
        except PetitionError as error:
            problem = error.message
    return render(request, "petitions/answer.html",
                  {"petition": petition, "problem": problem,
                   "deadline": services.answer_deadline(petition)},
                  status=422 if problem else 200)


@login_required
def activity(request: HttpRequest, number: str) -> HttpResponse:
    petition = _petition(request, number, "petitions.petition.view")
    if request.method == "POST":
        if not can(request.user, "petitions.signature.annul", petition):
            raise PermissionDenied("petitions.signature.annul")
        try:
            annulment = services.annul(request.user, petition,
                                       request.POST.get("signers", "").split(),
                                       request.POST.get("reason", ""))
            messages.success(request, _("%(count)s signatures annulled; the act is in the "
                                        "ledger.") % {"count": annulment.count})
        except PetitionError as error:
            messages.error(request, error.message)
        return see_other(reverse("petitions:activity", args=[number]))
    hours = services.signing_activity(petition)
    peak = max((n for _hour, n in hours), default=0)
    busiest = sorted((row for row in hours if row[1]), key=lambda row: (-row[1], row[0]))
    return render(request, "petitions/activity.html", {
        "petition": petition, "hours": hours, "peak": peak, "busiest": busiest[:BUSIEST],
        "may_annul": can(request.user, "petitions.signature.annul", petition),
        "annulments": petition.annulments.order_by("-created_at")})


def cabinet_panel(request: HttpRequest) -> CabinetPanel | None:
    if not request.user.is_authenticated:
        return None
    context: dict[str, Any] = {
        "mine": list(services.own_petitions(request.user)[:SHOWN]),
        "signed": list(Signature.objects.filter(Signature.active_q(), user=request.user)
                       .select_related("petition").order_by("-signed_at")[:SHOWN]),
    }
    return CabinetPanel(title=gettext_lazy("My petitions"), template="petitions/panel.html",
                        context=context, url_name="petitions:mine",
                        order=PanelOrder.MY_CASES, key="petitions-mine")


