from django.http import HttpRequest, HttpResponse

from misto.core.registry import CabinetPanel


def index(request: HttpRequest) -> HttpResponse:
    return HttpResponse("sample index")


def cabinet_panel(request: HttpRequest) -> CabinetPanel:
    return CabinetPanel(title="Sample panel", template="sample_module/panel.html")
