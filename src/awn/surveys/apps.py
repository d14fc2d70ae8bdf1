"""Surveys: CSAT ratings on replies and solved tickets, NPS by email after a ticket is solved."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "awn.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from awn.core.events import subscribe_in_transaction
        from awn.surveys import outbound, services, tasks  # noqa: F401  (tasks: registers the periodic job)

        outbound.register()
        # In the solving transaction, so a committed solve always has its survey queued (DESIGN.md §3).
        subscribe_in_transaction("ticket.updated", services.queue_solved_survey)
