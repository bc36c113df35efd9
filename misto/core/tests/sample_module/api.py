from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["sample"])


class Thing(Schema):
    name: str
    size: int


@router.post("/things", response=Thing)
def echo_thing(request: HttpRequest, thing: Thing) -> Thing:
    return thing
