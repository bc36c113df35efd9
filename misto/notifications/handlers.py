"""How the notifications module reacts to other modules' events (docs/events.md).

``reports.ReportStatusChanged``: the report's author and followers are notified.

``iot.ReadingOutOfRange`` with ``public_impact``: an urgent district announcement for the
environment and safety topics.

``budget.RoundPhaseChanged`` to voting or results: an announcement to the round's districts
for the local-events topic.

``consultations.PollOpened``: an announcement to the poll's districts (every district for a
city-wide poll) for the local-events topic.

``situation.EmergencyDeclared`` / ``situation.EmergencyEnded``: an urgent announcement to the
emergency's area on every channel, the site-wide banner and the public emergency page
(``emergencies.py``). Inline: the banner should be up the moment the dispatcher declares;
the outbox worker still delivers them if the publishing process dies first, and a
redelivery sends nothing twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from misto.core.events import EventEnvelope, consumes
from misto.notifications import emergencies, services


@consumes("situation.EmergencyDeclared", inline=True)
def emergency_declared(event: EventEnvelope) -> None:
    emergencies.announce_declared(emergencies.read_declared(event.payload))


@consumes("situation.EmergencyEnded", inline=True)
def emergency_ended(event: EventEnvelope) -> None:
    emergencies.announce_ended(emergencies.read_ended(event.payload))


@consumes("reports.ReportStatusChanged")
def report_status_changed(event: EventEnvelope) -> None:
    """The report's author and followers get an inbox notice (and e-mail, per settings)."""
    payload = event.payload
    users = [payload.get("author_user_id"), *(payload.get("follower_user_ids") or [])]
    data = {
        "kind": "report_status",
        "public_id": payload.get("public_id"),
        "category_title": payload.get("category_title") or payload.get("category") or "",
        "status": payload.get("status"),
        "previous_status": payload.get("previous_status"),
        "note": payload.get("note") or "",
        "url": payload.get("url") or "",
    }
    services.notify_users([int(u) for u in users if u], f"event:{event.uuid}", data,
                          only_report_followers=True)


@consumes("iot.ReadingOutOfRange")
def reading_out_of_range(event: EventEnvelope) -> None:
    """A public-impact alert becomes an urgent announcement to its district's subscribers
    of the environment and safety topics (once per event; clearing alerts stay quiet)."""
    payload = event.payload
    if not payload.get("public_impact") or payload.get("cleared") or not payload.get("district"):
        return
    if payload["district"] not in services.district_codes():
        return  # a district the twin does not know: nobody can be subscribed to it
    topics = [t.code for t in services.active_topics() if t.code in ("environment", "safety")]
    if not topics:
        return
    observed = parse_datetime(str(payload.get("observed_at") or "")) or timezone.now()
    quantity, value = payload.get("quantity", ""), payload.get("value")
    threshold, name = payload.get("threshold"), payload.get("device_name") or ""
    title_uk = f"Перевищення: {quantity} = {value} (поріг {threshold})"
    title_en = f"Alert: {quantity} = {value} (threshold {threshold})"
    body_uk = (f"Датчик «{name}» зафіксував {quantity} = {value} о "
               f"{timezone.localtime(observed):%H:%M}. Обмежте перебування на вулиці, "
               "стежте за повідомленнями.")
    body_en = (f"Sensor “{name}” measured {quantity} = {value} at "
               f"{timezone.localtime(observed):%H:%M}. Limit time outdoors and follow "
               "further notices.")
    draft = services.Draft(
        title_uk=title_uk[:200], title_en=title_en[:200], body_uk=body_uk, body_en=body_en,
        topics=topics, target="districts", districts=[payload["district"]],
        urgent=payload.get("severity") == "critical",
        expires_at=max(observed, timezone.now()) + timedelta(hours=6),
    )
    services.announce_from_event(f"iot:{event.uuid}", draft)


# --- Petitions and appeals: the resident hears of every step --------------------------------
# Bilingual texts, rendered in the resident's language by ``channels.render``; each event is
# sent once (its uuid is the inbox row's source key).

PETITION_NOTICES: dict[str, tuple[str, str]] = {
    "petitions.PetitionRejected": ("Петицію «{title}» відхилено (правило {rule})",
                                   "Your petition “{title}” was rejected (rule {rule})"),
    "petitions.PetitionOpened": ("Петицію № {number} відкрито для підписів",
                                 "Petition {number} is open for signatures"),
    "petitions.PetitionThresholdReached": (
        "Петиція № {number} зібрала {count} підписів; відповідь — до {answer_due}",
        "Petition {number} reached {count} signatures; the answer is due by {answer_due}"),
    "petitions.PetitionClosed": ("Петиція № {number} не зібрала потрібних підписів",
                                 "Petition {number} did not reach its threshold"),
    "petitions.PetitionAnswered": ("Місто відповіло на петицію № {number}",
                                   "The city answered petition {number}"),
}

#: To the staff who answer for the petition's department, pointed at their queue.
PETITION_TO_ANSWER = (
    "Петиція № {number} зібрала {count} підписів: відповідь вашого підрозділу — до {answer_due}",
    "Petition {number} reached {count} signatures: your department's answer is due by "
    "{answer_due}")

APPEAL_NOTICES: dict[str, tuple[str, str]] = {
    "registered": ("Звернення № {number} зареєстровано; відповідь — до {due}",
                   "Appeal {number} is registered; the answer is due by {due}"),
    "info_request": ("Щодо звернення № {number} просять додаткову інформацію",
                     "More information is asked for appeal {number}"),
    "extension": ("Строк розгляду звернення № {number} продовжено до {due}",
                  "The term of appeal {number} is extended to {due}"),
    "message": ("Нове повідомлення щодо звернення № {number}",
                "A new message on appeal {number}"),
    "answered": ("Надано відповідь на звернення № {number}",
                 "Appeal {number} is answered"),
    "replied": ("Мешканець відповів у зверненні № {number}",
                "The resident replied on appeal {number}"),
    "overdue": ("Звернення № {number} прострочено (строк був {due})",
                "Appeal {number} is overdue (it was due {due})"),
}

BUDGET_NOTICES: dict[bool, tuple[str, str]] = {
    True: ("Проєкт № {number} допущено до голосування громадського бюджету",
           "Project {number} is on the public budget's ballot"),
    False: ("Проєкт № {number} не допущено до голосування; висновок — на сторінці проєкту",
            "Project {number} is not on the ballot; the conclusion is on its page"),
}


def _civic_notice(users: list[Any], source: str, texts: tuple[str, str],
                  payload: dict[str, Any]) -> None:
    fields = {key: value for key, value in payload.items() if isinstance(value, str | int)}
    for key in ("due", "answer_due"):  # ISO dates, shown the way people write them
        value = fields.get(key)
        if isinstance(value, str) and len(value) == 10:
            year, month, day = value.split("-")
            fields[key] = f"{day}.{month}.{year}"
    data = {"kind": "civic", "title_uk": texts[0].format_map(_Missing(fields)),
            "title_en": texts[1].format_map(_Missing(fields)), "url": payload.get("url") or ""}
    services.notify_users([int(u) for u in users if u], source, data)


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


@consumes(*PETITION_NOTICES)
def petition_step(event: EventEnvelope) -> None:
    """The author (and, for the answer, every signer) hears of the petition's step; at the
    threshold, the responsible department's answering staff hear of it too."""
    payload = event.payload
    users = [payload.get("author_user_id"), *(payload.get("signer_user_ids") or [])]
    _civic_notice(users, f"event:{event.uuid}", PETITION_NOTICES[event.name], payload)
    answerers = payload.get("answerer_user_ids") or []
    if answerers:
        _civic_notice(answerers, f"event:{event.uuid}:answer", PETITION_TO_ANSWER,
                      {**payload, "url": payload.get("queue_url") or payload.get("url")})


@consumes("appeals.AppealRegistered", "appeals.AppealMessageSent", "appeals.AppealAnswered",
          "appeals.AppealReplied", "appeals.AppealOverdue")
def appeal_step(event: EventEnvelope) -> None:
    """The author hears of every step of their appeal; the executor of a reply or a delay,
    and a delay is escalated to the head of the executor's office (``head_user_id``)."""
    payload = event.payload
    step = {"appeals.AppealRegistered": "registered", "appeals.AppealAnswered": "answered",
            "appeals.AppealReplied": "replied", "appeals.AppealOverdue": "overdue"}.get(
        event.name, str(payload.get("kind") or "message"))
    to_executor = step in ("replied", "overdue")
    users = [payload.get("executor_user_id") if to_executor else payload.get("author_user_id")]
    if step == "overdue":
        users.append(payload.get("head_user_id"))
    _civic_notice(users, f"event:{event.uuid}", APPEAL_NOTICES.get(step,
                                                                   APPEAL_NOTICES["message"]),
                  payload)


INDEX_REMINDER = ("Внесіть значення індикатора {indicator} «{name_uk}» за {year} рік до 1 лютого",
                  "Enter the value of indicator {indicator} “{name_en}” for {year} by 1 February")


@consumes("index.EnteredValueMissing")
def index_value_missing(event: EventEnvelope) -> None:
    """January: the staff who may enter a missing indicator value are reminded (once)."""
    payload = dict(event.payload)
    payload["url"] = f"/index/staff/?year={payload.get('year', '')}"
    _civic_notice(list(payload.get("user_ids") or []), f"event:{event.uuid}", INDEX_REMINDER,
                  payload)


@consumes("budget.ProjectReviewed")
def budget_review(event: EventEnvelope) -> None:
    """The author of a public-budget project hears the review's outcome."""
    payload = event.payload
    _civic_notice([payload.get("author_user_id")], f"event:{event.uuid}",
                  BUDGET_NOTICES[bool(payload.get("approved"))], payload)


BUDGET_PHASES: dict[str, tuple[str, str, str, str]] = {
    "voting": ("Голосування громадського бюджету {round} розпочато",
               "Public budget {round}: voting is open",
               "Оберіть проєкти свого району та міста на сторінці «Громадський бюджет».",
               "Choose your district's and the city's projects on the Public budget page."),
    "results": ("Громадський бюджет {round}: результати",
                "Public budget {round}: the results",
                "Переможці за районами та перерахунок за публічним реєстром — на сторінці "
                "«Громадський бюджет».",
                "The winners by district and the recount from the public ledger are on the "
                "Public budget page."),
}


@consumes("budget.RoundPhaseChanged")
def budget_phase(event: EventEnvelope) -> None:
    """A round's voting and its results are announced to its districts (local events)."""
    payload = event.payload
    texts = BUDGET_PHASES.get(str(payload.get("phase")))
    known = set(services.district_codes())
    districts = [code for code in payload.get("districts") or [] if code in known]
    topics = [t.code for t in services.active_topics() if t.code == "events"]
    if texts is None or not districts or not topics:
        return
    fields = _Missing({key: value for key, value in payload.items() if isinstance(value, str)})
    title_uk, title_en, body_uk, body_en = (text.format_map(fields) for text in texts)
    services.announce_from_event(f"budget:{event.uuid}", services.Draft(
        title_uk=title_uk[:200], title_en=title_en[:200], body_uk=body_uk, body_en=body_en,
        topics=topics, target="districts", districts=districts,
        expires_at=timezone.now() + timedelta(days=30)))


@consumes("consultations.PollOpened")
def poll_opened(event: EventEnvelope) -> None:
    """A new poll is announced to the residents of its districts (every district for a
    city-wide poll) who follow the local-events topic, until it closes."""
    payload = event.payload
    known = set(services.district_codes())
    districts = [code for code in payload.get("districts") or [] if code in known] or \
        sorted(known)
    topics = [t.code for t in services.active_topics() if t.code == "events"]
    if not districts or not topics:
        return
    closes = parse_datetime(str(payload.get("closes_at") or ""))
    title_uk, title_en = str(payload.get("title_uk") or ""), str(payload.get("title_en") or "")
    services.announce_from_event(f"consultations:{event.uuid}", services.Draft(
        title_uk=f"Нове опитування: {title_uk}"[:200],
        title_en=f"A new poll: {title_en or title_uk}"[:200],
        body_uk="Відповідайте на сторінці «Опитування та консультації»: ваш голос таємний, "
                "а підрахунок може перевірити кожен.",
        body_en="Answer on the Polls and consultations page: your vote is secret, and anyone "
                "can check the count.",
        topics=topics, target="districts", districts=districts,
        expires_at=closes or timezone.now() + timedelta(days=14)))
