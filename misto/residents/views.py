from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from misto.residents.services import cabinet_panels


@login_required
def cabinet(request: HttpRequest) -> HttpResponse:
    return render(request, "residents/cabinet.html", {"panels": cabinet_panels(request)})
