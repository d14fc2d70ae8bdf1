from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "awn.automation"
    label = "automation"
    verbose_name = _("Automation")

    def ready(self) -> None:
        from awn.automation import handlers, outbound

        handlers.register()
        outbound.register()
