from __future__ import annotations

from dataclasses import dataclass

from awn.accounts.models import User


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
