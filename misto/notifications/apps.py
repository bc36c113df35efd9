from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule, Periodic


class NotificationsConfig(MistoModule):
    default = True
    name = "misto.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    title = _("Announcements and outages")
    urls = (("notices/", "misto.notifications.urls"),)
    api_router = "misto.notifications.api.router"
    api_prefix = "notifications"
    cabinet_panel = "misto.notifications.views.cabinet_panel"
    # While an emergency the situation centre declared lasts: on top of every page.
    banners = "misto.notifications.emergencies.banners"
    cabinet_panels = ("misto.notifications.cabinet.district_alerts_panel",
                      "misto.notifications.cabinet.subscriptions_panel")
    quick_actions = (MenuEntry(_("Subscriptions and channels"), "notifications:settings",
                               "resident"),)
    menu = (
        MenuEntry(_("Announcements and outages"), "notifications:index", "public",
                  everyday=True),
        MenuEntry(_("Compose announcement"), "notifications:compose", "staff",
                  "notifications.announcement.create", roles=("clerk", "dispatcher")),
    )
    # The runner does the work (fan-out, scheduled publishing, channel deliveries); the
    # periodic job is a safety net that expires finished outages from the public feeds.
    runners = ("misto.notifications.runner.run",)
    schedules = (Periodic("notifications.housekeeping",
                          "misto.notifications.tasks.housekeeping", timedelta(minutes=10)),)
    datasets = "misto.notifications.datasets.DATASETS"
    demo = "misto.notifications.demo.load"
    indicators = "misto.notifications.indicators.INDICATORS"
    demo_after = ("twin", "residents")
