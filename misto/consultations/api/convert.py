"""Models to the API's shapes (results only when the poll makes them public)."""

from __future__ import annotations

from misto.consultations import services
from misto.consultations.api.schemas import (
    HearingCommentOut,
    HearingDocumentOut,
    HearingOut,
    PollBallotOut,
    PollDistrictOut,
    PollOptionOut,
    PollOut,
    PollResultsOut,
)
from misto.consultations.models import Comment, Hearing, Poll, PollBallot, State


def poll_out(poll: Poll) -> PollOut:
    public = services.results_public(poll)
    return PollOut(
        id=poll.pk, title_uk=poll.title_uk, title_en=poll.title_en, summary_uk=poll.summary_uk,
        summary_en=poll.summary_en, state=poll.state, choice=poll.choice,
        max_choices=poll.max_choices, free_text=poll.free_text, effect=poll.effect,
        live_results=poll.live_results, by_district=poll.by_district,
        districts=list(poll.districts), district_only=poll.district_only,
        min_age=poll.min_age, opens_at=poll.opens_at, closes_at=poll.closes_at,
        hearing=poll.hearing_id, ballots=poll.ballots_count if public else None,
        options=[PollOptionOut(position=o.position, text_uk=o.text_uk, text_en=o.text_en,
                               votes=o.votes if public else None)
                 for o in poll.options.all()])


def results_out(poll: Poll) -> PollResultsOut:
    found = services.results(poll)
    return PollResultsOut(
        poll=poll.pk, state=poll.state, ballots=found.ballots,
        options=[PollOptionOut(position=line.option.position, text_uk=line.option.text_uk,
                               text_en=line.option.text_en, votes=line.votes)
                 for line in found.lines],
        districts=[PollDistrictOut(district=code, ballots=size, votes=votes)
                   for code, (size, votes) in found.districts.items()],
        districts_withheld=found.withheld, threshold=services.k_threshold())


def ballot_out(ballot: PollBallot) -> PollBallotOut:
    return PollBallotOut(poll=ballot.poll_id, group=ballot.group, receipt=ballot.receipt,
                         choices=list(ballot.choices), ledger_index=ballot.ledger_index)


def comment_out(row: Comment) -> HearingCommentOut:
    return HearingCommentOut(id=row.pk, parent=row.parent_id, district=row.district,
                             body="" if row.hidden else row.body, created_at=row.created_at,
                             hidden=row.hidden, hidden_rule=row.hidden_rule,
                             hidden_reason=row.hidden_reason)


def hearing_out(hearing: Hearing) -> HearingOut:
    shown = hearing.state == State.REPORTED
    return HearingOut(
        id=hearing.pk, title_uk=hearing.title_uk, title_en=hearing.title_en,
        summary_uk=hearing.summary_uk, summary_en=hearing.summary_en, state=hearing.state,
        districts=list(hearing.districts), opens_at=hearing.opens_at,
        closes_at=hearing.closes_at,
        documents=[HearingDocumentOut(title_uk=d.title_uk, title_en=d.title_en,
                                      body_uk=d.body_uk, body_en=d.body_en, url=d.url)
                   for d in hearing.documents.all()],
        comments=[comment_out(c) for c in hearing.comments.all()],
        polls=[p.pk for p in hearing.polls.exclude(state=State.DRAFT)],
        report_uk=hearing.report_uk if shown else "",
        report_en=hearing.report_en if shown else "",
        reported_at=hearing.reported_at)
