"""Photos under the real server (``misto serve``, not the test client): they are served
outside DEBUG through the access-checked view, and parallel uploads of large images keep
the server's memory bounded by the decoding slots, measured from /proc."""

from __future__ import annotations

import io
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.core.management import call_command
from PIL import Image

from misto.conftest import wait_for
from misto.reports.models import Photo, Report
from misto.reports.tests.conftest import jpeg

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
WIDTH, HEIGHT = 6000, 3900  # 23.4 megapixels: under the cap, ~94 MB once decoded


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(spawn_misto, media: Path, **env: str) -> tuple[str, int]:
    port = free_port()
    process = spawn_misto("serve", "--port", str(port), "--no-background",
                          MEDIA_ROOT=str(media), **env)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(f"{base}/healthz", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    assert wait_for(up, timeout=60), "misto serve did not start"
    return base, process.pid


def api_key() -> str:
    out = io.StringIO()
    call_command("open311", "create-key", "Serve test", stdout=out)
    return out.getvalue().strip()


def post(base: str, key: str, name: str, content: bytes, kind: str) -> requests.Response:
    return requests.post(f"{base}/open311/v2/requests.json", data={
        "api_key": key, "service_code": "streetlight-out", "lat": "47.8201",
        "long": "35.1301", "attribute[how_many]": "1"},
        files={"media": (name, content, kind)}, timeout=120)


def memory_kb(pid: int, field: str) -> int:
    """VmRSS (now) or VmHWM (the peak since the process started), in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


def test_photos_are_served_outside_debug_with_their_access_check(spawn_misto, city,
                                                                 tmp_path):
    base, _pid = serve(spawn_misto, tmp_path / "media")
    created = post(base, api_key(), "a.jpg", jpeg(), "image/jpeg")
    assert created.status_code == 200, created.text
    public_id = created.json()[0]["service_request_id"]
    item = requests.get(f"{base}/open311/v2/requests/{public_id}.json", timeout=10).json()[0]
    photo = Photo.objects.get()
    assert item["media_url"] == f"{base}{photo.get_absolute_url()}"
    served = requests.get(item["media_url"], timeout=10)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Cache-Control"].startswith("public")
    assert served.headers["Content-Disposition"].startswith("inline; filename=")
    assert served.content == (tmp_path / "media" / photo.image.name).read_bytes()
    assert requests.get(f"{base}/media/{photo.image.name}", timeout=10).status_code == 404
    Report.objects.filter(public_id=public_id).update(hidden=True)
    assert requests.get(item["media_url"], timeout=10).status_code == 404


def test_parallel_large_uploads_keep_memory_bounded(spawn_misto, city, tmp_path):
    base, pid = serve(spawn_misto, tmp_path / "media", MISTO_PHOTO_DECODERS="1")
    key = api_key()
    image = io.BytesIO()
    Image.new("RGB", (WIDTH, HEIGHT), (90, 90, 90)).save(image, "PNG")
    large = image.getvalue()
    assert len(large) < 1_000_000  # small on the wire, large once decoded
    assert post(base, key, "warm.jpg", jpeg(), "image/jpeg").status_code == 200
    before = memory_kb(pid, "VmRSS")
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda n: post(base, key, f"p{n}.png", large, "image/png"),
                                range(4)))
    assert [answer.status_code for answer in answers] == [200] * 4, answers[0].text
    growth_mb = (memory_kb(pid, "VmHWM") - before) / 1024
    one_decode_mb = WIDTH * HEIGHT * 4 / 1048576
    # Unbounded, the four decodes grew the peak by ~580 MB (6.5 decodes' worth: each also
    # makes a reduced copy). One decoding thread measured ~150 MB on both databases.
    assert growth_mb < 2.5 * one_decode_mb, f"peak grew by {growth_mb:.0f} MB"
    assert Photo.objects.count() == 5
