"""Crew photos go through the core's photo pipeline (``misto.core.photos``) like report
photos: re-encoded without their metadata (a crew member's GPS track is personal), and
refused over the pixel cap before anything is decoded or stored."""

from __future__ import annotations

import io

from django.test import Client
from PIL import Image

from misto.core.tests.test_photos import png_header
from misto.situation import services
from misto.situation.models import IncidentUpdate, Status
from misto.situation.tests.test_api import client_for, incidents  # noqa: F401 (fixture)

GPS_IFD = 0x8825


def jpeg_with_gps() -> io.BytesIO:
    """A phone-like JPEG whose EXIF says where it was taken (Kyiv, 50.45 N 30.52 E)."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make: metadata that must not survive either
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (50.0, 27.0, 0.0), 3: "E", 4: (30.0, 31.0, 0.0)})
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 80, 40)).save(out, "JPEG", exif=exif.tobytes())
    out.seek(0)
    out.name = "done.jpg"
    return out


def _crew_client(incidents, people) -> tuple[Client, int]:  # noqa: F811
    water = incidents[0]
    services.assign(water.pk, people.dispatcher, crew_id=people.crew.pk)
    return client_for(people.crew_member), water.pk


def test_crew_photo_is_stored_without_its_gps_metadata(incidents, people, settings,  # noqa: F811
                                                       tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sent = jpeg_with_gps()
    assert Image.open(sent).getexif().get_ifd(GPS_IFD)  # the upload does carry a position
    sent.seek(0)
    member, incident_id = _crew_client(incidents, people)
    response = member.post(f"/situation/incidents/{incident_id}/status/",
                           {"status": "in_progress", "photo": sent, "from": "task"})
    assert response.status_code == 302
    update = IncidentUpdate.objects.get(incident_id=incident_id, status=Status.IN_PROGRESS)
    with update.photo.open("rb") as stored, Image.open(stored) as image:
        exif = image.getexif()
        assert image.format == "JPEG" and image.size == (64, 48)
        assert not exif.get_ifd(GPS_IFD) and 0x010F not in exif
    assert update.photo.name.endswith(".jpg")


def test_over_cap_crew_photo_is_refused_and_nothing_is_stored(incidents, people,  # noqa: F811
                                                              settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    huge = io.BytesIO(png_header(7000, 7000))  # 49 MP: the header alone says too many
    huge.name = "huge.png"
    member, incident_id = _crew_client(incidents, people)
    before = IncidentUpdate.objects.filter(incident_id=incident_id).count()
    refused = member.post(f"/situation/incidents/{incident_id}/status/",
                          {"status": "resolved", "note": "Done", "photo": huge, "from": "task"},
                          headers={"Accept-Language": "en"})
    assert refused.status_code == 400
    assert "49.0 megapixels" in refused.content.decode()
    assert IncidentUpdate.objects.filter(incident_id=incident_id).count() == before
    assert Status(incidents[0].__class__.objects.get(pk=incident_id).status) == Status.ASSIGNED
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]
