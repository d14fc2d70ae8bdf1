from django.apps import AppConfig


class EmailConfig(AppConfig):
    name = "awn.connectors.email"
    label = "email"
    verbose_name = "Email"

    def ready(self) -> None:
        from awn.connectors.email import conditions, outbound

        outbound.register()
        conditions.register()
