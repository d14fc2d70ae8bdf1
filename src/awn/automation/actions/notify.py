"""Notify agents, a team or managers: in the desk, and by email when asked."""

from __future__ import annotations

from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from pydantic import Field, field_validator, model_validator

from awn.automation.actions.base import Action, ActionParams, RunContext, register
from awn.automation.placeholders import render, unknown_placeholders
from awn.core.words import Said
from awn.tickets.models import Ticket


class NotifyParams(ActionParams):
    to: list[Literal["assignee", "team", "managers"]] = Field(default_factory=list, max_length=3)
    users: list[int] = Field(default_factory=list, max_length=100)
    teams: list[int] = Field(default_factory=list, max_length=50)
    text: str = Field(min_length=1, max_length=500)
    email: bool = False

    @field_validator("text")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        unknown = unknown_placeholders(value)
        if unknown:
            raise ValueError(_("unknown placeholders: %(names)s") % {"names": ", ".join(unknown)})
        return value

    @model_validator(mode="after")
    def _someone(self) -> NotifyParams:
        if not (self.to or self.users or self.teams):
            raise ValueError(_("notify needs recipients"))
        return self


@register
class Notify(Action[NotifyParams]):
    type = "notify"
    label = gettext_lazy("Notify agents, a team or managers")
    Params = NotifyParams

    def _recipients(self, ticket: Ticket):
        from awn.automation.notifications import recipients_for

        return recipients_for(ticket, to=self.params.to, users=self.params.users, teams=self.params.teams)

    def preview(self, ticket: Ticket) -> str:
        names = ", ".join(person.display_name for person in self._recipients(ticket))
        return Said(gettext_noop("notify %(names)s"), names=names) if names else ""

    def apply(self, ticket: Ticket, context: RunContext) -> str:
        from awn.automation.notifications import notify

        people = self._recipients(ticket)
        if not people:
            return ""
        notify(
            recipients=people,
            ticket=ticket,
            text=render(self.params.text, ticket=ticket),
            email=self.params.email,
        )
        return Said(gettext_noop("notify %(names)s"), names=", ".join(p.display_name for p in people))
