from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "awn.tickets"
    label = "tickets"
