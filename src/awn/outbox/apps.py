from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "awn.outbox"
    label = "outbox"
