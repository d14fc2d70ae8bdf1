from django.apps import AppConfig

# What of a user the desk's assignee choices show or select on: a save of other columns only (a sign-in's
# last_login, a new password) keeps the cached choices.
_USER_CHOICE_FIELDS = frozenset({"name", "email", "role", "is_active"})


def _refresh_choices(sender, instance, update_fields=None, created=False, **kwargs) -> None:
    """A user or a team was saved or deleted: the desk's cached team and staff choices are out of date."""
    from django.db import transaction

    from awn.accounts.models import Role, User
    from awn.desk.forms.tickets import choices_changed

    if sender is User and update_fields is not None and not _USER_CHOICE_FIELDS.intersection(update_fields):
        return
    if sender is User and created and instance.role == Role.CUSTOMER:
        # A new customer is in no choice list (every API ticket from a new address creates one).
        return
    choices_changed()
    # Again after commit: a process that reloaded in between read the rows as they were before this change.
    transaction.on_commit(choices_changed)


class DeskConfig(AppConfig):
    name = "awn.desk"
    label = "desk"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from awn.accounts.models import Team, User

        # Model signals rather than the services' events: users and teams are also written by the commands
        # (createadmin), sign-up, the demo loader and Django's admin; every such write must reach the cache.
        for model in (User, Team):
            post_save.connect(
                _refresh_choices, sender=model, dispatch_uid=f"desk-choices-saved-{model.__name__}"
            )
            post_delete.connect(
                _refresh_choices, sender=model, dispatch_uid=f"desk-choices-deleted-{model.__name__}"
            )
