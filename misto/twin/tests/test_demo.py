from io import StringIO

import pytest
from django.db.models import Count

from misto.testing import make_staff
from misto.twin import builtin, demo, services
from misto.twin.models import Feature


def test_generator_is_deterministic():
    first = demo.generate()
    second = demo.generate()
    assert len(first) == len(second)
    assert [(r.layer, r.properties) for r in first[:200]] == \
        [(r.layer, r.properties) for r in second[:200]]


@pytest.mark.django_db
def test_demo_city_loads_once_and_hangs_together():
    out = StringIO()
    demo.load(out)
    counts = dict(Feature.objects.values_list("layer__code").annotate(n=Count("pk")).order_by())
    assert counts[builtin.DISTRICTS] == 6
    assert counts[builtin.STREETS] >= 25
    assert counts[builtin.BUILDINGS] == counts[builtin.ADDRESSES] > 2000
    assert counts[builtin.LANDMARKS] > 3000
    assert counts[builtin.SHELTERS] >= 30
    kinds = set(Feature.objects.filter(layer__code=builtin.POI)
                .values_list("properties__kind", flat=True))
    assert {"school", "kindergarten", "clinic", "stop"} <= kinds
    landmarks = Feature.objects.filter(layer__code=builtin.LANDMARKS)
    assert not landmarks.filter(number__isnull=True).exists()
    assert not landmarks.filter(number__startswith="00-").exists()  # all inside districts
    # Every district's KATOTTG code is unique; the number says the district.
    codes = [d.katottg for d in services.districts()]
    assert len(set(codes)) == 6
    sample = landmarks.order_by("pk")[1234]
    point = sample.geometry
    assert sample.number.startswith(services.district_at(point.x, point.y).prefix + "-")
    # Search finds demo addresses; the second run changes nothing.
    assert services.search("Соборний проспект 1")[0].kind == "address"
    total = Feature.objects.count()
    demo.load(out)
    assert Feature.objects.count() == total
    assert "nothing to do" in out.getvalue()


@pytest.mark.django_db
def test_label_sheet_is_a_pdf_with_a_qr_per_landmark(tiny_city, client):
    from misto.twin.labels import label_sheet, qr_url

    pdf = label_sheet(services.get_layer(builtin.LANDMARKS), base_url="https://misto.example/")
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Subtype /Image") == 5
    assert qr_url("https://misto.example/", "12-0001") == "https://misto.example/map/?n=12-0001"
    only = label_sheet(services.get_layer(builtin.LANDMARKS), base_url="https://x/",
                       district_prefix="13")
    assert only.count(b"/Subtype /Image") == 1
    assert client.get("/map/labels/landmarks.pdf").status_code == 403

    client.force_login(make_staff("staff", "clerk"))
    response = client.get("/map/labels/landmarks.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client.get("/map/labels/nope.pdf").status_code == 404


@pytest.mark.django_db
def test_map_page_renders(client, tiny_city):
    response = client.get("/map/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "vendor/maplibre-gl.js" in html and "twin/map.js" in html
    assert 'id="twin-q"' in html and 'for="twin-q"' in html
    assert "networks" not in html  # the staff-only layer is not offered to the public
