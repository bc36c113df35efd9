"""Cayenne LPP against the examples in the Cayenne LPP specification."""

import pytest

from misto.iot.decoders import DecodeError, decode, decode_lpp


def test_lpp_two_temperatures():
    # Spec example: channel 3 temperature 27.2 °C, channel 5 temperature 25.5 °C.
    assert decode_lpp(bytes.fromhex("03670110056700FF")) == {
        "temperature_3": 27.2, "temperature_5": 25.5}


def test_lpp_negative_temperature_and_accelerometer():
    assert decode_lpp(bytes.fromhex("0167FFD7")) == {"temperature_1": -4.1}
    assert decode_lpp(bytes.fromhex("067104D2FB2E0000")) == {
        "accelerometer_6_x": 1.234, "accelerometer_6_y": -1.234, "accelerometer_6_z": 0.0}


def test_lpp_gps():
    values = decode_lpp(bytes.fromhex("018806765ff2960a0003e8"))
    assert values == {"gps_1_lat": 42.3519, "gps_1_lon": -87.9094, "gps_1_alt": 10.0}


def test_lpp_humidity_barometer_percentage():
    values = decode_lpp(bytes.fromhex("0268640373272f047855"))
    assert values == {"humidity_2": 50.0, "barometer_3": 1003.1, "percentage_4": 85.0}


@pytest.mark.parametrize("payload", ["", "03", "0367", "036701", "03ff0000", "0188000000"])
def test_lpp_rejects_malformed(payload):
    with pytest.raises(DecodeError):
        decode_lpp(bytes.fromhex(payload))


def test_json_decoder_and_unknown():
    assert decode("json", b'{"a": 1}') == {"a": 1}
    with pytest.raises(DecodeError):
        decode("json", b"[1]")
    with pytest.raises(DecodeError):
        decode("nope", b"")
