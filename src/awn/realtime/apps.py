from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "awn.realtime"
    label = "realtime"
