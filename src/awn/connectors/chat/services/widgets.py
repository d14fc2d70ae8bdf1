"""Widget settings, written by admins from the desk."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from awn.accounts.models import User
from awn.accounts.permissions import can_administer
from awn.connectors.chat.models import ChatWidget, new_widget_secret
from awn.core import clock
from awn.core.errors import NotPermitted


def _require_admin(by: User) -> None:
    if not can_administer(by):
        raise NotPermitted(_("Only admins can change chat widgets."))


@transaction.atomic
def save_widget(*, form, triggers, by: User) -> ChatWidget:
    """Create or update a widget and its proactive messages from validated forms."""
    _require_admin(by)
    widget = form.save(commit=False)
    widget.updated_at = clock.now()
    widget.save()
    triggers.instance = widget
    triggers.save()
    return widget


@transaction.atomic
def rotate_widget_secret(*, widget: ChatWidget, by: User) -> ChatWidget:
    """A new identity secret: signatures made with the old one stop being accepted."""
    _require_admin(by)
    widget.secret = new_widget_secret()
    widget.updated_at = clock.now()
    widget.save(update_fields=["secret", "updated_at"])
    return widget
