"""The demo city's open data: every declared dataset generated once from the demo."""

from __future__ import annotations

from typing import IO, Any

from misto.opendata import services


def load(stdout: IO[str] | Any) -> None:
    outcomes = services.regenerate()
    stdout.write("opendata: " + ", ".join(f"{name} {outcome}"
                                          for name, outcome in sorted(outcomes.items())) + "\n")
