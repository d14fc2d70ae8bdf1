from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "awn.desk"
    label = "desk"
