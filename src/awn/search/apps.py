from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_triggers(using: str = "default", **kwargs) -> None:
    from django.db import connections

    if connections[using].vendor == "sqlite":
        from awn.search.backends.sqlite import ensure_triggers

        ensure_triggers(using=using)


class SearchConfig(AppConfig):
    name = "awn.search"
    label = "search"

    def ready(self) -> None:
        # SQLite drops a table's triggers when a migration rebuilds the table: put the index's back after
        # every migrate (awn.search.backends.sqlite.ensure_triggers).
        post_migrate.connect(_ensure_triggers, sender=self, dispatch_uid="awn.search.ensure_triggers")
