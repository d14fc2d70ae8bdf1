from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

from awn.accounts.models import User

# The labels of the system actors Awn writes (`Actor.system(label)`). A label is stored as written, in
# English; these are message ids, named in the reader's language when shown (`system_actor_name`). Any
# other label (an integration's, or one stored translated by an older version) is shown as it is.
SYSTEM_LABELS = frozenset(
    {
        gettext_noop("system"),
        gettext_noop("routing"),
        gettext_noop("chat routing"),
        gettext_noop("chat"),
        gettext_noop("email"),
        gettext_noop("language detection"),
        gettext_noop("SLA"),
        gettext_noop("auto-close"),
    }
)
AUTOMATION_PREFIX = "automation: "  # an automation rule acts as "automation: <rule name>"


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a person, or the system/automation acting under an explicit label."""

    user: User | None = None
    label: str = ""

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user=user)

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(user=None, label=label)

    @property
    def is_staff(self) -> bool:
        return self.user is not None and self.user.is_staff_member

    @property
    def display(self) -> str:
        return self.user.display_name if self.user is not None else self.label


def system_actor_name(label: str) -> str:
    """A system actor's label as the reader says it."""
    if not label:
        return gettext("System")
    if label in SYSTEM_LABELS:
        return gettext(label)
    if label.startswith(AUTOMATION_PREFIX):
        return gettext("automation: %(rule)s") % {"rule": label.removeprefix(AUTOMATION_PREFIX)}
    return label
