"""The map page and the printable label sheets."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from misto.core.permissions import can
from misto.twin import services


def map_page(request: HttpRequest) -> HttpResponse:
    layers = services.visible_layers(request.user)
    return render(request, "twin/map.html", {
        "layers": layers,
        "can_edit": any(services.can_edit(request.user, layer) for layer in layers),
    })


def labels_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """A printable sheet of numbered labels with QR codes (staff only)."""
    if not can(request.user, "staff.twin.labels"):
        return HttpResponse(_("Only staff may print label sheets."), status=403)
    from misto.twin.labels import label_sheet

    try:
        layer = services.get_layer(code)
        pdf = label_sheet(layer, base_url=request.build_absolute_uri("/"),
                          district_prefix=request.GET.get("district") or None)
    except services.TwinError as exc:
        return HttpResponse(exc.message, status=404, content_type="text/plain")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="labels-{layer.code}.pdf"'
    return response
