"""Model -> schema, for every audience."""

from __future__ import annotations

from django.utils.translation import get_language

from misto.appeals import services
from misto.appeals.api.schemas import AppealMessageOut, AppealOut, AppealThreadOut, ReceptionOut
from misto.appeals.models import Appeal, Reception


def english() -> bool:
    return (get_language() or "uk").startswith("en")


def reception_out(reception: Reception) -> ReceptionOut:
    return ReceptionOut(code=reception.code, kind=reception.kind,
                        title=reception.title_en if english() else reception.title_uk,
                        official=reception.official_en if english() else reception.official_uk)


def appeal_out(appeal: Appeal) -> AppealOut:
    return AppealOut(
        number=appeal.number, kind=appeal.kind, channel=appeal.channel,
        reception=appeal.reception.code, subject=appeal.subject, status=appeal.status,
        received_on=appeal.received_on, term_days=appeal.term_days, due=appeal.due,
        deadline=services.deadline_of(appeal).explanation(),
        extension_reason=appeal.extension_reason, overdue=appeal.overdue_since is not None,
        privileged=appeal.privileged, answered_at=appeal.answered_at)


def thread_out(appeal: Appeal) -> AppealThreadOut:
    return AppealThreadOut(**appeal_out(appeal).dict(), messages=[
        AppealMessageOut(direction=m.direction, kind=m.kind, text=m.text,
                   attachment=m.attachment.url if m.attachment else None,
                   created_at=m.created_at)
        for m in appeal.messages.all()])
