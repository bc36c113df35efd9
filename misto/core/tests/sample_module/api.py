from django.http import HttpRequest
from ninja import Router, Schema

from misto.core.schemas import refusals

router = Router(tags=["sample"])


class Thing(Schema):
    name: str
    size: int


@router.post("/things", response={200: Thing, **refusals()})
def echo_thing(request: HttpRequest, thing: Thing) -> Thing:
    return thing
