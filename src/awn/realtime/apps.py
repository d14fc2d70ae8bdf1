from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "awn.realtime"
    label = "realtime"

    def ready(self) -> None:
        from awn.realtime import events

        events.register()
