from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "awn.portal"
    label = "portal"

    def ready(self) -> None:
        from awn.portal import notifications

        notifications.register()
