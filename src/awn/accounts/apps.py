from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "awn.accounts"
    label = "accounts"
