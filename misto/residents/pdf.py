"""The register extract as a PDF (reportlab), with its verification code and a QR code."""

from __future__ import annotations

import io
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core.config import env_str
from misto.core.pdf import cyrillic_font
from misto.residents.models import Person


def extract_pdf(*, person: Person, code: str, issued_at: datetime, valid_until: date,
                url: str) -> bytes:
    # reportlab and segno are imported when a PDF is made, not with the services: they
    # cost every process ~0.1 s at start-up.
    import segno
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    font = cyrillic_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    pdf.setTitle(_("Extract from the territorial-community register"))
    width, height = A4
    city = env_str("MISTO_CITY_NAME") or _("Misto")
    y = height - 30 * mm
    pdf.setFont(font, 16)
    pdf.drawString(20 * mm, y, _("Extract from the territorial-community register"))
    y -= 8 * mm
    pdf.setFont(font, 11)
    pdf.drawString(20 * mm, y, str(city))
    y -= 14 * mm
    local = timezone.localtime(issued_at)
    rows = [
        (_("Person"), person.full_name),
        (_("Date of birth"), person.birth_date),
        (_("Registered address"), person.address),
        (_("District code (KATOTTG)"), person.district),
        (_("Issued"), local.strftime("%Y-%m-%d %H:%M")),
        (_("Valid until"), valid_until.isoformat()),
        (_("Verification code"), code),
    ]
    for label, value in rows:
        pdf.setFont(font, 9)
        pdf.drawString(20 * mm, y, str(label))
        pdf.setFont(font, 12)
        pdf.drawString(75 * mm, y, str(value))
        y -= 9 * mm
    qr = segno.make(url, error="m")
    image = io.BytesIO()
    qr.save(image, kind="png", scale=4, border=2)
    image.seek(0)
    pdf.drawImage(ImageReader(image), width - 60 * mm, height - 75 * mm, 40 * mm, 40 * mm)
    y -= 6 * mm
    pdf.setFont(font, 9)
    pdf.drawString(20 * mm, y, _("Check this extract at:"))
    y -= 5 * mm
    pdf.drawString(20 * mm, y, url)
    y -= 5 * mm
    pdf.drawString(20 * mm, y, _("The check shows whether this file is the one issued, "
                                 "without showing any personal data."))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
