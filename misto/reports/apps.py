from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule, Periodic, Workspace


class ReportsConfig(MistoModule):
    default = True
    name = "misto.reports"
    label = "reports"
    verbose_name = _("Citizen reports")
    title = _("Citizen reports (311)")
    urls = (("reports/", "misto.reports.urls"), ("open311/v2/", "misto.reports.open311.urls"))
    api_router = "misto.reports.api.router"
    api_prefix = "reports"
    cabinet_panel = "misto.reports.cabinet.my_reports_panel"
    quick_actions = (MenuEntry(_("Report a problem"), "reports:submit", "resident"),)
    department_names = "misto.reports.names.department_names"
    code_names = (("report_status", "misto.reports.names.status_names"),)
    workspaces = (Workspace("clerk", "reports:queue", 10), Workspace("operator", "reports:intake"),
                  Workspace("moderator", "reports:map"))
    menu = (
        MenuEntry(_("Report a problem"), "reports:submit", "public", everyday=True),
        MenuEntry(_("Reports map"), "reports:map", "public"),
        MenuEntry(_("Report queue"), "reports:queue", "staff", "reports.report.change",
                  roles=("clerk", "dispatcher")),
        MenuEntry(_("Phone intake"), "reports:intake", "staff", "reports.report.create",
                  roles=("operator",)),
    )
    schedules = (Periodic("reports.escalate", "misto.reports.tasks.escalate_overdue",
                          timedelta(minutes=5)),)
    demo = "misto.reports.demo.load"
    datasets = "misto.reports.datasets.DATASETS"
    registered_apps = "misto.reports.services.apikeys.registered_apps"
    indicators = "misto.reports.indicators.INDICATORS"
    demo_after = ("twin", "residents")
