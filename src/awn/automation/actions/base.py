"""The shape every rule action has: validated parameters, a preview for the dry run, and `apply`."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from awn.tickets.models import Ticket
from awn.tickets.services import Actor
from awn.tickets.services.actors import AUTOMATION_PREFIX


class ActionParams(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


P = TypeVar("P", bound=ActionParams)


@dataclass
class RunContext:
    """What an action needs besides the ticket: who acts (the rule, as a system actor) and when."""

    rule_id: int | None
    rule_name: str
    now: datetime
    actor: Actor = field(init=False)

    def __post_init__(self) -> None:
        self.actor = Actor.system(f"{AUTOMATION_PREFIX}{self.rule_name}"[:120])


class Action(Generic[P]):
    """One thing a rule does. Subclasses set `type`, `label`, `Params`, and implement the three methods."""

    type: ClassVar[str]
    label: ClassVar[Any]
    Params: ClassVar[builtins.type[ActionParams]] = ActionParams

    def __init__(self, params: P):
        self.params: P = params

    def check(self) -> None:
        """Refuse references to rows that do not exist (raise ValueError); called when a rule is saved."""

    def preview(self, ticket: Ticket) -> str:
        """What `apply` would do to this ticket, in words, without doing it."""
        raise NotImplementedError

    def apply(self, ticket: Ticket, context: RunContext) -> str:
        """Do it through the ticket services; return what changed in words ("" when nothing did)."""
        raise NotImplementedError

    def as_data(self) -> dict[str, Any]:
        return {"type": self.type, **self.params.model_dump(exclude_none=True)}


ACTIONS: dict[str, type[Action[Any]]] = {}


def register(cls: type[Action[Any]]) -> type[Action[Any]]:
    ACTIONS[cls.type] = cls
    return cls
