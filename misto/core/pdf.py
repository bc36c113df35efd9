"""The font every PDF of the platform writes with (register extracts, index reports,
waybills, wallet receipts): a TrueType font with Cyrillic letters, ``MISTO_PDF_FONT`` or a
system one, registered with reportlab once per process under one name."""

from __future__ import annotations

from pathlib import Path

from misto.core.config import env_str

FONT = "MistoSans"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)


def cyrillic_font() -> str:
    """The registered font's name; a clear error when no such font is installed."""
    # reportlab is imported by the PDF renderers when they run, never at start-up (it
    # costs a process ~0.1 s; the services packages that render PDFs load with Django).
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT
    for candidate in (env_str("MISTO_PDF_FONT"), *FONT_CANDIDATES):
        if candidate and Path(candidate).exists():
            pdfmetrics.registerFont(TTFont(FONT, candidate))
            return FONT
    raise RuntimeError("No TrueType font with Cyrillic found; set MISTO_PDF_FONT.")
