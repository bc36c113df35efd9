"""The app icons of the installable app, drawn from one geometry as SVG and as PNG.

The manifest needs raster icons (192 and 512 px, and "maskable" ones whose mark stays inside
the central safe circle that launchers crop to). Both the SVG and the PNGs are drawn here from
the same shapes, so they never drift apart; the results are committed under
``static/misto/icons/`` and regenerated with ``python -m misto.core.icons`` after a change.
Only Pillow is needed: no outside download, no SVG rasteriser.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

ICON_DIR = Path(__file__).resolve().parent / "static" / "misto" / "icons"
SIZES = (192, 512)
# The design's colours (static/misto/site.css: --brand, --accent, --ink).
BRAND = "#0b5cad"
ACCENT = "#ffd500"
INK = "#1b1f24"
# The letter М on a 100 x 100 grid, as one polygon.
LETTER = ((20, 78), (20, 22), (34, 22), (50, 50), (66, 22), (80, 22), (80, 78), (68, 78),
          (68, 42), (54, 66), (46, 66), (32, 42), (32, 78))
SUPERSAMPLE = 4


@dataclass(frozen=True)
class Layout:
    """Where the pieces go on a 100 x 100 grid."""

    background_radius: float  # 0: full bleed (maskable)
    badge: tuple[float, float, float, float]  # the yellow square: left, top, right, bottom
    badge_radius: float


# "any": a rounded blue tile with the yellow badge; "maskable": full bleed, the badge kept
# inside the central circle of radius 40 that every launcher mask leaves visible.
LAYOUTS = {
    "any": Layout(background_radius=18, badge=(14, 14, 86, 86), badge_radius=12),
    "maskable": Layout(background_radius=0, badge=(26, 26, 74, 74), badge_radius=8),
}


def _letter_points(badge: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    left, top, right, _bottom = badge
    scale = (right - left) / 100
    return [(left + x * scale, top + y * scale) for x, y in LETTER]


def svg(purpose: str) -> str:
    layout = LAYOUTS[purpose]
    left, top, right, bottom = layout.badge
    points = " ".join(f"{x:g},{y:g}" for x, y in _letter_points(layout.badge))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
        f'<rect width="100" height="100" rx="{layout.background_radius}" fill="{BRAND}"/>'
        f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" '
        f'rx="{layout.badge_radius}" fill="{ACCENT}"/>'
        f'<polygon points="{points}" fill="{INK}"/></svg>\n'
    )


def png(purpose: str, size: int) -> Image.Image:
    # Pillow is imported when icons are drawn (the command above), not when the manifest
    # reads this file's sizes and names at start-up.
    from PIL import Image, ImageDraw

    layout = LAYOUTS[purpose]
    big = size * SUPERSAMPLE
    unit = big / 100
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=layout.background_radius * unit,
                           fill=BRAND)
    draw.rounded_rectangle(tuple(v * unit for v in layout.badge),
                           radius=layout.badge_radius * unit, fill=ACCENT)
    draw.polygon([(x * unit, y * unit) for x, y in _letter_points(layout.badge)], fill=INK)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def icon_name(purpose: str, size: int) -> str:
    return f"icon-{size}.png" if purpose == "any" else f"icon-{purpose}-{size}.png"


def write_all(directory: Path = ICON_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for purpose in LAYOUTS:
        path = directory / ("icon.svg" if purpose == "any" else f"icon-{purpose}.svg")
        path.write_text(svg(purpose), encoding="utf-8")
        written.append(path)
        for size in SIZES:
            path = directory / icon_name(purpose, size)
            png(purpose, size).save(path, optimize=True)
            written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_all():
        print(written_path)
