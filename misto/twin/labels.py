"""Printable label sheets: one label per numbered landmark, with a QR code.

The QR code opens the map centred on the landmark (``/map/?n=<number>``), whose card offers
"report a problem here". A4, 3 x 8 labels of 70 x 37 mm (the common sticker sheet).
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import quote

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from misto.twin.models import Feature, Layer
from misto.twin.services import number_prefix

FONT_FILES = {
    "MistoSans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "MistoSans-Bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
}
COLUMNS, ROWS = 3, 8
LABEL_W, LABEL_H = 70 * mm, 37 * mm
MAX_LABELS = 20_000

KIND_UK = {"pole": "опора", "manhole": "люк", "tree": "дерево", "hydrant": "гідрант",
           "bench": "лавка", "sign": "знак", "cabinet": "шафа", "other": "орієнтир"}


def _fonts() -> tuple[str, str]:
    """DejaVu (Cyrillic) when installed, else the PDF base fonts (Latin only)."""
    try:
        for name, path in FONT_FILES.items():
            if name not in pdfmetrics.getRegisteredFontNames():
                if not Path(path).exists():
                    raise FileNotFoundError(path)
                pdfmetrics.registerFont(TTFont(name, path))
        return "MistoSans", "MistoSans-Bold"
    except (FileNotFoundError, OSError):
        return "Helvetica", "Helvetica-Bold"


def qr_url(base_url: str, number: str) -> str:
    return f"{base_url.rstrip('/')}/map/?n={quote(number)}"


def label_sheet(layer: Layer, *, base_url: str, district_prefix: str | None = None) -> bytes:
    """The PDF of the layer's numbered landmarks (of one district prefix, if given)."""
    rows = Feature.objects.filter(layer=layer, retired_at__isnull=True, number__isnull=False)
    if district_prefix:
        rows = rows.filter(number__startswith=number_prefix(layer, district_prefix))
    regular, bold = _fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"{layer.title_uk}: labels")
    page_w, page_h = A4
    margin_x = (page_w - COLUMNS * LABEL_W) / 2
    margin_y = (page_h - ROWS * LABEL_H) / 2
    count = 0
    for feature in rows.order_by("number").only("number", "properties")[:MAX_LABELS]:
        slot = count % (COLUMNS * ROWS)
        if count and slot == 0:
            pdf.showPage()
        col, row = slot % COLUMNS, slot // COLUMNS
        x = margin_x + col * LABEL_W
        y = page_h - margin_y - (row + 1) * LABEL_H
        _label(pdf, feature, x, y, base_url, regular, bold)
        count += 1
    if count == 0:
        pdf.setFont(regular, 14)
        pdf.drawString(20 * mm, page_h - 30 * mm, "No numbered landmarks to print.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _label(pdf: canvas.Canvas, feature: Feature, x: float, y: float, base_url: str,
           regular: str, bold: str) -> None:
    number = feature.number or ""
    pdf.setLineWidth(0.3)
    pdf.setStrokeGray(0.7)
    pdf.rect(x + 1 * mm, y + 1 * mm, LABEL_W - 2 * mm, LABEL_H - 2 * mm)
    qr = segno.make(qr_url(base_url, number), error="m")
    image = io.BytesIO()
    qr.save(image, kind="png", scale=4, border=1)
    image.seek(0)
    side = 25 * mm
    pdf.drawImage(ImageReader(image), x + LABEL_W - side - 3 * mm, y + (LABEL_H - side) / 2,
                  side, side)
    pdf.setFillGray(0)
    pdf.setFont(bold, 18)
    pdf.drawString(x + 4 * mm, y + LABEL_H - 12 * mm, number)
    kind = str(feature.properties.get("kind", ""))
    pdf.setFont(regular, 9)
    pdf.drawString(x + 4 * mm, y + LABEL_H - 17 * mm, KIND_UK.get(kind, kind))
    pdf.setFont(regular, 7)
    for line, text in enumerate(("Проблема тут? Скануйте QR", "Problem here? Scan the QR")):
        pdf.drawString(x + 4 * mm, y + (8 - 4 * line) * mm, text)
