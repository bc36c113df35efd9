from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule, Workspace


class DirectoryConfig(MistoModule):
    default = True
    name = "misto.directory"
    label = "directory"
    verbose_name = _("City directory")
    title = _("City directory")
    urls = (("directory/", "misto.directory.urls"),)
    api_router = "misto.directory.api.router"
    api_prefix = "directory"
    workspaces = (Workspace("clerk", "directory:corrections", 40),)
    menu = (
        MenuEntry(_("City directory"), "directory:index", "public"),
        MenuEntry(_("Directory corrections"), "directory:corrections", "staff",
                  "directory.correction.view"),
        MenuEntry(_("Partners' API keys"), "directory:staff-partners", "staff",
                  "directory.apiclient.manage"),
    )
    demo = "misto.directory.demo.load"
    datasets = "misto.directory.datasets.DATASETS"
    registered_apps = "misto.directory.services.clients.registered_apps"
    indicators = "misto.directory.indicators.INDICATORS"
    demo_after = ("twin",)
