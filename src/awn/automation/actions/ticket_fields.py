"""Actions that change the ticket's own fields: team, priority, status, assignee, tags."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from pydantic import Field, field_validator

from awn.accounts.models import Team, User
from awn.automation.actions.base import Action, ActionParams, RunContext, register
from awn.core.words import Said
from awn.tickets import services
from awn.tickets.models import Priority, Status, Ticket
from awn.tickets.services.changes import add_tags, normalize_tag, remove_tags


def _team(pk: int | None) -> Team | None:
    return Team.objects.filter(pk=pk).first() if pk else None


class TeamParams(ActionParams):
    team: int | None


@register
class SetTeam(Action[TeamParams]):
    type = "set_team"
    label = gettext_lazy("Set team")
    Params = TeamParams

    def check(self) -> None:
        if self.params.team and _team(self.params.team) is None:
            raise ValueError(_("set_team: team %(id)s does not exist") % {"id": self.params.team})

    def preview(self, ticket: Ticket) -> str:
        team = _team(self.params.team)
        if (team.pk if team else None) == ticket.team_id:
            return ""
        return Said(gettext_noop("team → %(name)s"), name=team.name if team else "—")

    def apply(self, ticket: Ticket, context: RunContext) -> str:
        team = _team(self.params.team)
        if self.params.team and team is None:
            raise ValueError(f"team {self.params.team} no longer exists")
        summary = self.preview(ticket)
        services.change_team(ticket=ticket, team=team, by=context.actor)
        return summary


class PriorityParams(ActionParams):
    priority: int

    @field_validator("priority", mode="before")
    @classmethod
    def _named(cls, value):
        if isinstance(value, str) and value.upper() in Priority.__members__:
            return Priority[value.upper()].value
        return value

    @field_validator("priority")
    @classmethod
    def _known(cls, value: int) -> int:
        if value not in Priority.values:
            raise ValueError(_("unknown priority"))
        return value


@register
class SetPriority(Action[PriorityParams]):
    type = "set_priority"
    label = gettext_lazy("Set priority")
    Params = PriorityParams

    def preview(self, ticket: Ticket) -> str:
        if ticket.priority == self.params.priority:
            return ""
        return Said(
            gettext_noop("priority → %(name)s"), name=Said.label(Priority(self.params.priority).label)
        )

    def apply(self, ticket: Ticket, context: RunContext) -> str:
        summary = self.preview(ticket)
        services.change_priority(ticket=ticket, priority=self.params.priority, by=context.actor)
        return summary


class StatusParams(ActionParams):
    status: str

    @field_validator("status")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in Status.values:
            raise ValueError(_("unknown status"))
        return value


@register
class SetStatus(Action[StatusParams]):
    type = "set_status"
    label = gettext_lazy("Set status")
    Params = StatusParams

    def preview(self, ticket: Ticket) -> str:
        if ticket.status == self.params.status:
            return ""
        return Said(gettext_noop("status → %(name)s"), name=Said.label(Status(self.params.status).label))

    def apply(self, ticket: Ticket, context: RunContext) -> str:
        summary = self.preview(ticket)
        services.change_status(ticket=ticket, status=self.params.status, by=context.actor)
        return summary


class AssigneeParams(ActionParams):
    assignee: int | None


def _agent(pk: int | None) -> User | None:
    return User.objects.filter(pk=pk).first() if pk else None


@register
class SetAssignee(Action[AssigneeParams]):
    type = "set_assignee"
    label = gettext_lazy("Set assignee")
    Params = AssigneeParams

    def check(self) -> None:
        person = _agent(self.params.assignee)
        if self.params.assignee and (person is None or not person.is_staff_member):
            raise ValueError(_("set_assignee: %(id)s is not an active agent") % {"id": self.params.assignee})

    def preview(self, ticket: Ticket) -> str:
        if self.params.assignee == ticket.assignee_id:
            return ""
        person = _agent(self.params.assignee)
        return Said(gettext_noop("assignee → %(name)s"), name=person.display_name if person else "—")

    def apply(self, ticket: Ticket, context: RunContext) -> str:
        summary = self.preview(ticket)
        services.assign_ticket(ticket=ticket, assignee=_agent(self.params.assignee), by=context.actor)
        return summary


class TagsParams(ActionParams):
    tags: list[str] = Field(min_length=1, max_length=50)

    @field_validator("tags")
    @classmethod
    def _valid(cls, value: list[str]) -> list[str]:
        try:
            return sorted({normalize_tag(tag) for tag in value})
        except Exception as exc:  # ValidationFailed from the tickets app, with its own message
            raise ValueError(getattr(exc, "message", str(exc))) from exc


def _current_tags(ticket: Ticket) -> set[str]:
    return set(ticket.tags.values_list("name", flat=True))


@register
class AddTags(Action[TagsParams]):
    type = "add_tags"
    label = gettext_lazy("Add tags")
    Params = TagsParams

    def preview(self, ticket: Ticket) -> str:
        new = sorted(set(self.params.tags) - _current_tags(ticket))
        return Said(gettext_noop("tags added: %(tags)s"), tags=", ".join(new)) if new else ""

    def apply(self, ticket: Ticket, context: RunContext) -> str:
        summary = self.preview(ticket)
        add_tags(ticket=ticket, tags=self.params.tags, by=context.actor)
        return summary


@register
class RemoveTags(Action[TagsParams]):
    type = "remove_tags"
    label = gettext_lazy("Remove tags")
    Params = TagsParams

    def preview(self, ticket: Ticket) -> str:
        gone = sorted(set(self.params.tags) & _current_tags(ticket))
        return Said(gettext_noop("tags removed: %(tags)s"), tags=", ".join(gone)) if gone else ""

    def apply(self, ticket: Ticket, context: RunContext) -> str:
        summary = self.preview(ticket)
        remove_tags(ticket=ticket, tags=self.params.tags, by=context.actor)
        return summary
