"""Ukrainian registration plates: one normal form for what a driver types.

Since 2004 a car's plate is two letters (the region), four digits and two letters
("АА 1234 ВВ"), written with the twelve letters that look the same in Cyrillic and Latin
(А В Е І К М Н О Р С Т Х). Drivers type either alphabet, with spaces or dashes; the
normal form is the Latin one without separators ("AA1234BB"), so the same car is one
plate whichever keyboard was used. Other formats (diplomatic, military, transit) are not
sold parking here: they are refused with the expected shape in the message.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from misto.parking.errors import ParkingCode, ParkingError

# Cyrillic look-alikes -> Latin (the letters the plate standard allows).
LOOK_ALIKES = str.maketrans("АВЕІКМНОРСТХ", "ABEIKMHOPCTX")
LETTERS = "ABEIKMHOPCTX"
PLATE = re.compile(rf"^[{LETTERS}]{{2}}[0-9]{{4}}[{LETTERS}]{{2}}$")
SEPARATORS = re.compile(r"[\s\-_.]+")


def normalise(text: str) -> str:
    """The plate's normal form, or ``ParkingError(bad_plate)`` saying what is expected."""
    plate = SEPARATORS.sub("", str(text or "")).upper().translate(LOOK_ALIKES)
    if not PLATE.match(plate):
        raise ParkingError(ParkingCode.BAD_PLATE, _(
            "This is not a Ukrainian plate: type two letters, four digits and two letters, "
            "as on the car (for example АА 1234 ВВ)."), field="registration_number")
    return plate


def shown(plate: str) -> str:
    """The plate as a sign shows it: "AA 1234 BB"."""
    return f"{plate[:2]} {plate[2:6]} {plate[6:]}" if len(plate) == 8 else plate
