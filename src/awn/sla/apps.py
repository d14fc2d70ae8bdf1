from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "awn.sla"
    label = "sla"
    verbose_name = _("Service level agreements")

    def ready(self) -> None:
        from awn.outbox import registry
        from awn.sla import handlers, services

        handlers.register()
        registry.register(services.EMAILS, services.deliver_emails)
