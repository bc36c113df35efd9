"""Indicators the consultations compute for the City Progress Index
(``MistoModule.indicators``): the strategy's KPI "online discussions and consultations"
(polls and hearings held) and their participants; counts only."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Sum

from misto.consultations.models import Comment, Hearing, Poll, State
from misto.core.registry import IndicatorFunction, Measure

HELD = (State.CLOSED, State.REPORTED)


def polls_held(start: datetime, end: datetime, district: str | None) -> Measure:
    """Polls closed in the period (city-wide ones count for every district)."""
    rows = list(Poll.objects.filter(state__in=HELD, closes_at__gte=start, closes_at__lt=end)
                .values_list("districts", flat=True))
    count = sum(1 for codes in rows if not district or not codes or district in codes)
    return Measure(float(count), count)


def consultations_held(start: datetime, end: datetime, district: str | None) -> Measure:
    """Public consultations (hearings) whose comment period ended in the period."""
    rows = list(Hearing.objects.filter(state__in=HELD, closes_at__gte=start,
                                       closes_at__lt=end).values_list("districts", flat=True))
    count = sum(1 for codes in rows if not district or not codes or district in codes)
    return Measure(float(count), count)


def participants(start: datetime, end: datetime, district: str | None) -> Measure:
    """Ballots in the polls closed in the period plus comments written in it."""
    rows = Poll.objects.filter(state__in=HELD, closes_at__gte=start, closes_at__lt=end)
    ballots = rows.aggregate(n=Sum("ballots_count"))["n"] or 0
    comments = Comment.objects.filter(created_at__gte=start, created_at__lt=end).count()
    return Measure(float(ballots + comments), rows.count() + comments)


INDICATORS = (
    IndicatorFunction("consultations.polls_held", polls_held,
                      "Polls held (closed) in the period.", by_district=True),
    IndicatorFunction("consultations.consultations_held", consultations_held,
                      "Public consultations whose comment period ended in the period.",
                      by_district=True),
    IndicatorFunction("consultations.participants", participants,
                      "Ballots cast in polls closed in the period plus consultation "
                      "comments written in it."),
)
