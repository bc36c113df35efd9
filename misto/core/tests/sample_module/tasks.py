from misto.core.tasks import task
from misto.core.tests.sample_module.models import Tick


@task()
def tick() -> None:
    Tick.objects.create()
