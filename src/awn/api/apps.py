from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "awn.api"
    label = "api"
