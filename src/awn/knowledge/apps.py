from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "awn.knowledge"
    label = "knowledge"

    def ready(self) -> None:
        from awn.knowledge import events

        events.register()
