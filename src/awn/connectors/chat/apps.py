from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "awn.connectors.chat"
    label = "chat"
    verbose_name = _("Chat")

    def ready(self) -> None:
        from awn.connectors.chat import conditions, transcript

        transcript.register()
        conditions.register()
