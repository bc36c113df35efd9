"""The leadership view: the index as the city's leaders meet it on the situational
centre's dashboard (``MistoModule.dashboard_panels``): this year's composite and its themes
beside last year's, and the indicators off their target."""

from __future__ import annotations

from dataclasses import dataclass

from misto.index.services.composite import Composite, composite
from misto.index.services.reporting import Line, lines

OFF_TARGET_SHOWN = 8


@dataclass(frozen=True)
class ThemeTrend:
    theme: str
    label: str
    score: float | None
    previous: float | None
    confidence: str

    @property
    def change(self) -> float | None:
        return None if self.score is None or self.previous is None else self.score - self.previous


@dataclass(frozen=True)
class Leadership:
    year: int
    now: Composite
    before: Composite
    themes: list[ThemeTrend]
    off_target: list[tuple[int, Line]]  # (year, line): this year's first
    off_target_total: int

    @property
    def change(self) -> float | None:
        if self.now.overall is None or self.before.overall is None:
            return None
        return self.now.overall - self.before.overall


def leadership(year: int) -> Leadership:
    """``year`` (so far) against the year before, and the indicators of both years whose
    actual value missed its target (an indicator without a value is not "off target").
    A year with no score yet (January, before anything is measured) gives way to the one
    before it, so the leaders never look at an empty panel while last year has figures."""
    now, before = composite(str(year)), composite(str(year - 1))
    if now.overall is None and before.overall is not None:
        year -= 1
        now, before = before, composite(str(year - 1))
    previous = {theme.theme: theme.score for theme in before.themes}
    themes = [ThemeTrend(theme.theme, theme.label, theme.score, previous.get(theme.theme),
                         theme.confidence)
              for theme in now.themes if theme.score is not None or previous.get(theme.theme)
              is not None]
    missed = [(shown, line) for shown in (year, year - 1) for line in lines(shown)
              if line.achieved is False]
    return Leadership(year, now, before, themes, missed[:OFF_TARGET_SHOWN], len(missed))
