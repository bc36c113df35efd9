"""The directory's services, one file per concept (see docs/directory.md)."""

from misto.directory.services import clients
from misto.directory.services.catalogue import partners, search_services
from misto.directory.services.corrections import access_correction, queue_for, resolve, send
from misto.directory.services.editing import (
    CheckedClosure,
    add_closure,
    check_closure,
    move,
    remove_closure,
    set_contacts,
    set_hours,
)
from misto.directory.services.hours import OpenStatus, State, check_hours, week
from misto.directory.services.photos import (
    MAX_PHOTOS,
    CheckedPhoto,
    access_photo,
    add_photo,
    check_photo,
    remove_photo,
)
from misto.directory.services.places import (
    access_organisation,
    access_unit,
    check_contact,
    check_phone,
    editable_units,
    hours_of,
    phone_display,
    place,
    search,
    status_of,
    units,
)

__all__ = [
    "MAX_PHOTOS",
    "CheckedClosure",
    "CheckedPhoto",
    "OpenStatus",
    "State",
    "access_correction",
    "access_organisation",
    "access_photo",
    "access_unit",
    "add_closure",
    "add_photo",
    "check_closure",
    "check_contact",
    "check_hours",
    "check_phone",
    "check_photo",
    "clients",
    "editable_units",
    "hours_of",
    "move",
    "partners",
    "phone_display",
    "place",
    "queue_for",
    "remove_closure",
    "remove_photo",
    "resolve",
    "search",
    "search_services",
    "send",
    "set_contacts",
    "set_hours",
    "status_of",
    "units",
    "week",
]
