"""Browser helpers for the maps: wait until a MapLibre map has drawn, read the labels it
placed, and record the glyph requests (every map's labels come from static/vendor/glyphs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

LABEL_LAYERS = ("label-districts", "label-streets", "label-addresses", "label-landmarks")

# The label text a rendered feature carries, whichever layer placed it.
_PLACED = """(ids) => {
  const map = %s;
  const layers = ids.filter((id) => map.getLayer(id));
  return map.queryRenderedFeatures({ layers }).map((f) => ({
    layer: f.layer.id,
    text: String(f.properties.name || f.properties.housenumber || f.properties.number
                 || f.properties.title || ""),
  }));
}"""


class GlyphRequests:
    """The glyph files a page asked for, with their HTTP statuses."""

    def __init__(self, page: Any) -> None:
        self.statuses: dict[str, int] = {}
        page.on("response", self._seen)

    def _seen(self, response: Any) -> None:
        if "/vendor/glyphs/" in response.url:
            self.statuses[response.url] = response.status

    def check(self) -> None:
        assert self.statuses, "no glyphs were requested: the labels cannot have been drawn"
        bad = {url: status for url, status in self.statuses.items() if status != 200}
        assert not bad, bad


def wait_until_drawn(page: Any, expr: str, timeout: int = 20_000) -> None:
    """Wait until the map named by the JavaScript expression ``expr`` has loaded its style,
    tiles and glyphs and stands still."""
    page.wait_for_function(
        f"() => {{ const m = {expr}; return m && m.isStyleLoaded() && m.areTilesLoaded()"
        " && !m.isMoving() && m.loaded(); }", timeout=timeout)


def placed_labels(page: Any, expr: str, layers: tuple[str, ...] = LABEL_LAYERS,
                  timeout: int = 20_000) -> dict[str, set[str]]:
    """The texts of the labels MapLibre placed (after collisions) per layer, once the map has
    drawn and at least one label of ``layers`` is on screen."""
    wait_until_drawn(page, expr, timeout)
    page.wait_for_timeout(600)  # the last placement pass and its fade-in
    page.wait_for_function(
        f"(ids) => {{ const m = {expr}; return m.queryRenderedFeatures("
        "{ layers: ids.filter((id) => m.getLayer(id)) }).length > 0; }",
        arg=list(layers), timeout=timeout)
    out: dict[str, set[str]] = {}
    for item in page.evaluate(_PLACED % expr, list(layers)):
        if item["text"]:
            out.setdefault(item["layer"], set()).add(item["text"])
    return out


def jump(page: Any, expr: str, lon: float, lat: float, zoom: float) -> None:
    """Move the map without animation and wait until it has drawn there."""
    page.evaluate(f"([x, y, z]) => {expr}.jumpTo({{ center: [x, y], zoom: z }})",
                  [lon, lat, zoom])
    page.wait_for_timeout(100)
    wait_until_drawn(page, expr)


def map_screenshot(page: Any, name: str) -> Path:
    """A screenshot of the viewport as the person sees it (a full-page one resizes the window,
    and the map with it, while it is taken)."""
    from misto.core.tests.browser import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
