from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "awn.sla"
    label = "sla"
    verbose_name = _("Service level agreements")

    def ready(self) -> None:
        from awn.sla import handlers

        handlers.register()
