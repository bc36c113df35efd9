"""The core's photo pipeline: the pixel cap is read from the header before anything is
decoded, and decoding waits for one of the process's few slots (the memory bound; the
reports' test_serve measures it under a real server)."""

from __future__ import annotations

import io
import struct
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import translation
from PIL import Image

from misto.core import photos


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data)))


def png_header(width: int, height: int) -> bytes:
    """A well-formed PNG whose pixel data is not compressed data at all: its header can be
    read, its pixels cannot be decoded."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", b"not zlib" * 8)
            + _chunk(b"IEND", b""))


def png(size: tuple[int, int]) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(out, "PNG")
    out.seek(0)
    return out


def test_the_pixel_cap_is_read_from_the_header_before_decoding():
    # Decoding this file would fail (it has no pixels): "too large" proves nothing was.
    with pytest.raises(photos.PhotoError) as caught:
        photos.clean_photo(io.BytesIO(png_header(7000, 7000)), "p.png", max_bytes=10**7)
    assert caught.value.code == photos.TOO_LARGE and "49.0" in caught.value.message
    with pytest.raises(photos.PhotoError) as caught:
        photos.clean_photo(io.BytesIO(png_header(4000, 3000)), "p.png", max_bytes=10**7)
    assert caught.value.code == photos.NOT_IMAGE  # under the cap: checked, then refused


def test_the_cap_is_a_setting(settings):
    settings.MISTO_PHOTO_MAX_PIXELS = 1000
    with pytest.raises(photos.PhotoError) as caught:
        photos.clean_photo(png((40, 30)), "p.png", max_bytes=10**7)
    assert caught.value.code == photos.TOO_LARGE


def test_decoding_waits_for_a_free_pool_thread(settings, monkeypatch):
    settings.MISTO_PHOTO_DECODERS = 1
    monkeypatch.setattr(photos, "DECODE_WAIT_SECONDS", 0.2)
    other_upload = threading.Event()
    busy = photos.decoders().submit(other_upload.wait, 10)  # the one thread is decoding
    try:
        with pytest.raises(photos.PhotoError) as caught:
            photos.clean_photo(png((40, 30)), "p.png", max_bytes=10**7)
        assert caught.value.code == photos.BUSY
    finally:
        other_upload.set()
    assert busy.result(timeout=5)
    clean = photos.clean_photo(png((40, 30)), "p.png", max_bytes=10**7)
    assert (clean.width, clean.height, clean.extension) == (40, 30, "png")


def test_at_most_the_configured_number_of_decodes_run_at_once(settings):
    settings.MISTO_PHOTO_DECODERS = 2

    def upload(_number: int) -> None:
        photos.clean_photo(png((400, 300)), "p.png", max_bytes=10**7)

    with ThreadPoolExecutor(6) as requests:
        list(requests.map(upload, range(12)))
    names = {thread.name for thread in threading.enumerate()
             if thread.name.startswith("misto-photo-2_")}
    assert 1 <= len(names) <= 2


def test_large_jpegs_are_decoded_at_a_reduced_scale():
    out = io.BytesIO()
    Image.new("RGB", (6000, 4000), (200, 10, 10)).save(out, "JPEG")
    out.seek(0)
    clean = photos.clean_photo(out, "big.jpg", max_bytes=10**8)
    assert max(clean.width, clean.height) == photos.MAX_SIDE


def test_refusals_from_the_pool_speak_the_request_language():
    broken = io.BytesIO(png_header(400, 300))
    with translation.override("en"), pytest.raises(photos.PhotoError) as caught:
        photos.clean_photo(broken, "p.png", max_bytes=10**7)
    assert caught.value.message == "p.png is not a JPEG, PNG or WebP image."
    broken.seek(0)
    with translation.override("uk"), pytest.raises(photos.PhotoError) as caught:
        photos.clean_photo(broken, "p.png", max_bytes=10**7)
    assert caught.value.message == "p.png — не зображення JPEG, PNG чи WebP."
