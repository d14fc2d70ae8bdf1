from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "awn.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from awn.outbox import registry
        from awn.reports import digest, handlers

        handlers.register()
        registry.register(digest.DIGEST, digest.deliver_digest)
