"""Channel-layer group names, and which groups a staff member may join (the scope of DESIGN.md §5).

A desk connection joins the groups of the tickets its user may see: every ticket (`desk.all`) for admins and
members of an "all tickets" team; otherwise each of their teams, the triage pool of tickets without a team,
and their own group (tickets assigned to them). `DeskScope.can_see` repeats `Ticket.objects.visible_to` for
staff from the few fields each broadcast carries, so a connection decides without a query whether an event
is for its user; tests compare the two on a matrix of tickets.

A chat message changes nothing a list filters on, only its order by activity; its list notice goes to fewer
groups than a whole team (`groups_for_chat_message`): the chat's agent, the lists that show the ticket (a list
page joins `desk.listed.<ticket>` for each row) and the lists ordered by activity (`desk.activity.…`, joined
by a page whose order a new message can change).
"""

from __future__ import annotations

from dataclasses import dataclass

from awn.accounts.models import Role, Team, User

DESK_ALL = "desk.all"
DESK_TRIAGE = "desk.triage"


def team_group(team_id: int) -> str:
    return f"desk.team.{team_id}"


def user_group(user_id: int) -> str:
    return f"desk.user.{user_id}"


def ticket_group(ticket_id: int) -> str:
    return f"desk.ticket.{ticket_id}"


def visitor_group(visitor_id: int) -> str:
    return f"chat.visitor.{visitor_id}"


def listed_group(ticket_id: int) -> str:
    """The list pages that show this ticket."""
    return f"desk.listed.{ticket_id}"


ACTIVITY_ALL = "desk.activity.all"
ACTIVITY_TRIAGE = "desk.activity.triage"


def activity_team_group(team_id: int) -> str:
    return f"desk.activity.team.{team_id}"


@dataclass(frozen=True)
class DeskScope:
    user_id: int
    sees_all: bool
    team_ids: frozenset[int]

    def groups(self) -> list[str]:
        if self.sees_all:
            return [DESK_ALL, user_group(self.user_id)]
        return [*(team_group(t) for t in sorted(self.team_ids)), DESK_TRIAGE, user_group(self.user_id)]

    def activity_groups(self) -> list[str]:
        """The groups of a list ordered by activity: every chat message in its scope may move a row."""
        if self.sees_all:
            return [ACTIVITY_ALL]
        return [*(activity_team_group(t) for t in sorted(self.team_ids)), ACTIVITY_TRIAGE]

    def can_see(self, *, team_id: int | None, assignee_id: int | None) -> bool:
        return (
            self.sees_all
            or team_id is None
            or team_id in self.team_ids
            or (assignee_id is not None and assignee_id == self.user_id)
        )


def scope_for(user: User) -> DeskScope | None:
    """The desk scope of an active staff member; None for anyone else."""
    if user is None or not user.is_authenticated or not user.is_staff_member:
        return None
    if user.role == Role.ADMIN:
        return DeskScope(user_id=user.pk, sees_all=True, team_ids=frozenset())
    teams = list(Team.objects.filter(members=user).values_list("id", "visibility"))
    sees_all = any(visibility == Team.Visibility.ALL for _id, visibility in teams)
    return DeskScope(user_id=user.pk, sees_all=sees_all, team_ids=frozenset(t for t, _v in teams))


def groups_for_ticket(*, team_id: int | None, assignee_id: int | None) -> set[str]:
    """Every desk group whose members may see a ticket with this team and assignee."""
    groups = {DESK_ALL, team_group(team_id) if team_id is not None else DESK_TRIAGE}
    if assignee_id is not None:
        groups.add(user_group(assignee_id))
    return groups


def groups_for_chat_message(*, ticket_id: int, team_id: int | None, assignee_id: int | None) -> set[str]:
    """The desk groups a chat message's list notice goes to: the chat's agent, the lists showing the ticket,
    and the lists ordered by activity that may see it (the rest of the team's lists would not change)."""
    groups = {listed_group(ticket_id), ACTIVITY_ALL}
    groups.add(activity_team_group(team_id) if team_id is not None else ACTIVITY_TRIAGE)
    if assignee_id is not None:
        groups.add(user_group(assignee_id))
    return groups
