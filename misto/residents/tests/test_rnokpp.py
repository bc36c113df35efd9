from datetime import date

import pytest

from misto.residents import rnokpp


def test_known_valid_numbers():
    # The weights (-1, 5, 7, 9, 4, 6, 10, 5, 7), (sum mod 11) mod 10.
    assert rnokpp.check_digit("301234567") == (
        (-3 + 0 + 7 + 18 + 12 + 24 + 50 + 30 + 49) % 11) % 10
    number = rnokpp.make(date(1985, 4, 12), 123, female=True)
    assert rnokpp.validate(number) == number
    assert rnokpp.birth_date(number) == date(1985, 4, 12)
    assert int(number[8]) % 2 == 0  # even ninth digit: a woman


@pytest.mark.parametrize("bad, code", [
    ("123", "rnokpp_format"), ("12345678901", "rnokpp_format"), ("abcdefghij", "rnokpp_format"),
    ("0000000000", "rnokpp_format"),
])
def test_malformed(bad, code):
    with pytest.raises(rnokpp.RnokppError) as error:
        rnokpp.validate(bad)
    assert error.value.code == code


def test_every_wrong_check_digit_is_caught():
    number = rnokpp.make(date(1990, 1, 1), 7, female=False)
    for digit in "0123456789":
        candidate = number[:9] + digit
        if digit == number[9]:
            assert rnokpp.validate(candidate) == candidate
        else:
            with pytest.raises(rnokpp.RnokppError) as error:
                rnokpp.validate(candidate)
            assert error.value.code == "rnokpp_check_digit"


def test_spaces_and_dashes_are_ignored():
    number = rnokpp.make(date(1970, 6, 6), 1, female=True)
    assert rnokpp.validate(f"{number[:5]} {number[5:]}") == number
