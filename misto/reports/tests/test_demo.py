import pytest

from misto.reports import demo
from misto.reports.models import Category, CategoryRoute, Report

pytestmark = pytest.mark.django_db


def test_tree_is_ukrainian_complete_and_idempotent(city):
    titles = set(Category.objects.filter(parent__isnull=True).values_list("title", flat=True))
    assert {"Освітлення", "Дороги", "Благоустрій", "Сміття", "Водопостачання",
            "Зелені насадження"} <= titles
    for leaf in Category.objects.filter(parent__isnull=False):
        assert leaf.sla_hours > 0 and (leaf.department or leaf.parent.department)
    assert CategoryRoute.objects.filter(category__code="no-heating").count() == 2
    count = Category.objects.count()
    assert demo.load_tree() == 0 and Category.objects.count() == count


def test_demo_reports(city):
    demo.load()
    made = Report.objects.count()
    assert made == 4  # one per numbered landmark inside the city (the hydrant, three poles)
    assert Report.objects.filter(district=city.west).exists()
    demo.load()
    assert Report.objects.count() == made
    from django.contrib.auth import get_user_model

    from misto.reports import services

    clerk = get_user_model().objects.get(username="demo-light")
    assert clerk.check_password("misto-demo")
    queue = {r.pk for r in services.queue_for(clerk, status="")}
    assert queue == set(Report.objects.filter(department__code="light")
                        .values_list("pk", flat=True))
    assert services.can_handle(get_user_model().objects.get(username="demo-roads"))
