"""The waybill as a PDF: the typical form No. 3 «Подорожній лист службового легкового
автомобіля» (Derzhkomstat order No. 74 of 1998-02-17). The form is a Ukrainian state form,
so it is printed in Ukrainian whatever the reader's language (DejaVu for the Cyrillic)."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone

from misto.core.config import env_str
from misto.core.pdf import cyrillic_font
from misto.fleet.models import Waybill
from misto.fleet.services.waybills import person


def _n(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",") + (f" {unit}" if unit
                                                                         else "")


def _t(value: Any) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M") if value else "—"


def waybill_pdf(waybill: Waybill) -> bytes:
    # reportlab is imported when a PDF is made, not with the services: it costs every
    # process ~0.1 s at start-up.
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = cyrillic_font()
    vehicle = waybill.vehicle
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=11)
    title = ParagraphStyle("title", fontName=font, fontSize=13, leading=16, alignment=1)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, invariant=True,
                            title=f"Подорожній лист № {waybill.number}")
    city = env_str("MISTO_CITY_NAME") or "Місто"
    head = [["Типова форма № 3", "Затверджено наказом Мінстату України від 17.02.1998 № 74"]]
    rows = [
        ["Підприємство", f"{city}, {vehicle.department or '—'}"],
        ["Автомобіль (марка, номерний знак)", f"{vehicle.make or vehicle.get_kind_display()}, "
                                              f"{vehicle.plate}"],
        ["Водій", person(waybill.driver)],
        ["Виїзд з гаража (фактично)", _t(waybill.departed_at)],
        ["Повернення в гараж (фактично)", _t(waybill.returned_at)],
        ["Показники спідометра при виїзді, км", _n(waybill.odometer_start_km)],
        ["Показники спідометра при поверненні, км", _n(waybill.odometer_end_km)],
        ["Пробіг за GPS, км (поїздок)", f"{_n(waybill.distance_km)} ({waybill.trips})"],
        ["Пальне: залишок при виїзді, л", _n(waybill.fuel_start_l)],
        ["Пальне: видано (заправлено), л", _n(waybill.fuel_issued_l)],
        ["Пальне: злив виявлено, л", _n(waybill.fuel_drained_l)],
        ["Пальне: залишок при поверненні, л", _n(waybill.fuel_end_l)],
        ["Витрата за нормою, л "
         f"({_n(vehicle.norm_l_per_100km)} л/100 км)", _n(waybill.fuel_norm_l)],
        ["Витрата фактична, л", _n(waybill.fuel_actual_l)],
        ["Економія (+) / перевитрата (−), л",
         _n(None if waybill.fuel_actual_l is None
            else waybill.fuel_norm_l - waybill.fuel_actual_l)],
    ]
    route = [["Час", "Звідки", "Куди", "км"]] + [
        [r.get("at", ""), Paragraph(r.get("from", ""), body), Paragraph(r.get("to", ""), body),
         r.get("km", "")] for r in waybill.route]
    approved = (f"{person(waybill.approved_by)}, {_t(waybill.approved_at)}"
                if waybill.status == Waybill.Status.APPROVED else "не затверджено")
    signatures = [["Заповнено (GPS і датчик палива)", f"{person(waybill.filled_by)}, "
                                                       f"{_t(waybill.filled_at)}"],
                  ["Диспетчер (затвердив)", approved]]
    grid = [("FONT", (0, 0), (-1, -1), font, 9), ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey)]
    story: list[Any] = [
        Table(head, colWidths=[40 * mm, 140 * mm],
              style=TableStyle([("FONT", (0, 0), (-1, -1), font, 7)])),
        Spacer(1, 3 * mm),
        Paragraph("ПОДОРОЖНІЙ ЛИСТ СЛУЖБОВОГО ЛЕГКОВОГО АВТОМОБІЛЯ", title),
        Paragraph(f"№ {waybill.number} від {waybill.day:%d.%m.%Y}", title),
        Spacer(1, 4 * mm),
        Table(rows, colWidths=[85 * mm, 95 * mm], style=TableStyle(grid)),
        Spacer(1, 4 * mm), Paragraph("Маршрут (за GPS)", body), Spacer(1, 1 * mm),
        Table(route, colWidths=[15 * mm, 75 * mm, 75 * mm, 15 * mm], repeatRows=1,
              style=TableStyle(grid)),
        Spacer(1, 4 * mm),
        Table(signatures, colWidths=[85 * mm, 95 * mm], style=TableStyle(grid)),
    ]
    doc.build(story)
    return buffer.getvalue()
