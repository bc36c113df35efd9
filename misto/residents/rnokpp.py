"""The RNOKPP (individual tax number, "ІПН"): ten digits, the last a check digit.

The check digit is ``(Σ dᵢ·wᵢ mod 11) mod 10`` over the first nine digits with the weights
(-1, 5, 7, 9, 4, 6, 10, 5, 7); the first five digits count the days since 31 December 1899
to the holder's birth date, the ninth is odd for men and even for women. No Django import
(``misto.residents.errors`` imports none either).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from misto.residents.errors import ResidentsCode, ResidentsError

WEIGHTS = (-1, 5, 7, 9, 4, 6, 10, 5, 7)
EPOCH = date(1899, 12, 31)
_DIGITS = re.compile(r"^\d{10}$")


class RnokppError(ResidentsError, ValueError):
    """Not an RNOKPP: ``code`` says whether the format or the check digit is wrong (a
    ``ValueError`` too, as for any value that does not parse)."""


def check_digit(first_nine: str) -> int:
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, WEIGHTS, strict=True))
    return (total % 11) % 10


def normalise(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def validate(value: str) -> str:
    """The normalised RNOKPP, or :class:`RnokppError` with the reason."""
    value = normalise(value)
    if not _DIGITS.match(value):
        raise RnokppError(ResidentsCode.RNOKPP_FORMAT, "an RNOKPP has exactly 10 digits")
    if value == "0" * 10:
        raise RnokppError(ResidentsCode.RNOKPP_FORMAT, "an RNOKPP cannot be all zeros")
    if check_digit(value[:9]) != int(value[9]):
        raise RnokppError(ResidentsCode.RNOKPP_CHECK_DIGIT,
                          "the RNOKPP check digit is wrong")
    return value


def birth_date(value: str) -> date:
    """The birth date the first five digits encode."""
    return EPOCH + timedelta(days=int(value[:5]))


def make(born: date, serial: int, female: bool) -> str:
    """A valid RNOKPP for a birth date (demo and test data; ``serial`` 0..999)."""
    days = (born - EPOCH).days
    sex_digit = (serial % 5) * 2 + (0 if female else 1)
    first_nine = f"{days:05d}{serial % 1000:03d}{sex_digit}"
    return first_nine + str(check_digit(first_nine))
