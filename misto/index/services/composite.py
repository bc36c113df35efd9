"""The composite index: a score per theme and overall, by a published, fixed method.

Each indicator with goalposts (``goal_worst``, ``goal_best``, fixed in the catalogue so that
years compare) scores ``100 * (value - worst) / (best - worst)``, clipped to 0-100 (the
goalposts carry the direction: for "lower is better" the worst is the higher one). A theme's
score is the weighted mean of its scored indicators; the overall index is the plain mean of
the themes that have a score. Confidence is the share of the theme's weight that has a value
for the period: high from 75 %, medium from 50 %, low below.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from misto.index.models import Indicator, Theme, Value

HIGH, MEDIUM = 0.75, 0.5


def score(indicator: Indicator, value: float) -> float | None:
    if indicator.goal_worst is None or indicator.goal_best is None:
        return None
    span = indicator.goal_best - indicator.goal_worst
    if span == 0:
        return None
    return max(0.0, min(100.0, 100.0 * (value - indicator.goal_worst) / span))


def confidence(coverage: float) -> str:
    return "high" if coverage >= HIGH else ("medium" if coverage >= MEDIUM else "low")


@dataclass
class ThemeScore:
    theme: str
    label: str
    score: float | None
    coverage: float  # share of the weight with a value
    confidence: str
    scored: int
    total: int
    parts: list[tuple[Indicator, float, float]] = field(default_factory=list)  # (i, v, s)


@dataclass
class Composite:
    period: str
    district: str
    overall: float | None
    coverage: float
    confidence: str
    themes: list[ThemeScore]


def composite(period: str, district: str = "") -> Composite:
    indicators = [i for i in Indicator.objects.filter(active=True)
                  if i.goal_worst is not None and i.goal_best is not None and i.weight > 0]
    values = dict(Value.objects.filter(period=period, district=district, superseded_at=None,
                                       indicator__in=indicators)
                  .values_list("indicator_id", "value"))
    themes: list[ThemeScore] = []
    for theme in Theme:
        members = [i for i in indicators if i.theme == theme.value]
        if not members:
            continue
        total_weight = sum(i.weight for i in members)
        parts = []
        for indicator in members:
            if indicator.pk in values:
                points = score(indicator, values[indicator.pk])
                if points is not None:
                    parts.append((indicator, values[indicator.pk], points))
        weight = sum(i.weight for i, _v, _s in parts)
        coverage = weight / total_weight if total_weight else 0.0
        themes.append(ThemeScore(
            theme.value, str(theme.label),
            sum(i.weight * s for i, _v, s in parts) / weight if weight else None,
            coverage, confidence(coverage), len(parts), len(members), parts))
    scored = [t.score for t in themes if t.score is not None]
    coverage = sum(t.coverage for t in themes) / len(themes) if themes else 0.0
    return Composite(period, district, sum(scored) / len(scored) if scored else None,
                     coverage, confidence(coverage), themes)
