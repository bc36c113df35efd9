from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule


class BudgetConfig(MistoModule):
    default = True
    name = "misto.budget"
    label = "budget"
    verbose_name = _("Public budget")
    title = _("Public budget")
    urls = (("budget/", "misto.budget.urls"),)
    api_router = "misto.budget.api.router"
    api_prefix = "budget"
    quick_actions = (MenuEntry(_("Vote for budget projects"), "budget:index", "resident"),)
    # Seasonal work (a round a year), not a clerk's everyday page: under "More" (navigation_for).
    menu = (
        MenuEntry(_("Public budget"), "budget:index", "public"),
        MenuEntry(_("Budget project review"), "budget:review", "staff",
                  "budget.project.review"),
    )
    demo = "misto.budget.demo.load"
    datasets = "misto.budget.datasets.DATASETS"
    demo_after = ("twin", "residents")
