"""Visibility inside the index: each document carries keys naming who may see its ticket.

A search used to find the matches of a word and then test each against the visibility scope, which is slow
for a common word whose matches mostly belong to other teams (thousands of matches tested to keep a few).
Instead every document carries the keys of its ticket, and a search asks the index for documents holding
the words *and* one of the user's keys, in one lookup (an FTS5 expression on SQLite, a two-column GIN index
on PostgreSQL):

    t<team id>   the ticket's team; t0 for a ticket without a team (the shared triage pool)
    a<user id>   its assignee
    r<user id>   its requester
    o<org id>    its organization
    k<ticket id> the ticket itself (a customer's followed tickets)

`visibility_keys(user)` says which keys a user holds. It restates `Ticket.objects.visible_to` (DESIGN.md §5)
in these terms, and tests/search/test_scope_keys.py holds the two to the same answer for every kind of user.
The keys only decide what the index returns: the selector still reads the tickets through `visible_to`, so a
key that were ever wrong could hide a ticket from its reader, never show one to anybody else.

The keys follow the ticket: the backends write them with each document from the ticket's row, and a
database trigger on the tickets table (created by the search app's migrations) rewrites them when a ticket's
team, assignee, requester or organization changes, whoever changes it (services, bulk updates, SET_NULL
when a team or user is deleted).
"""

from __future__ import annotations

NO_TEAM = "t0"


def document_keys(
    *,
    ticket_id: int,
    team_id: int | None,
    assignee_id: int | None,
    requester_id: int,
    organization_id: int | None,
) -> tuple[str, ...]:
    """The keys of a ticket's documents, as the backends' SQL writes them."""
    keys = [f"t{team_id or 0}", f"r{requester_id}"]
    if assignee_id is not None:
        keys.append(f"a{assignee_id}")
    if organization_id is not None:
        keys.append(f"o{organization_id}")
    keys.append(f"k{ticket_id}")
    return tuple(keys)


def visibility_keys(user) -> tuple[str, ...] | None:
    """The keys whose documents `user` may see; None when they may see every ticket, () when none."""
    from awn.accounts.models import Role, Team
    from awn.tickets.models import Ticket

    if user is None or not user.is_authenticated or not user.is_active:
        return ()
    if user.role == Role.ADMIN:
        return None
    if user.role in (Role.MANAGER, Role.AGENT):
        teams = list(Team.objects.filter(members=user).values_list("id", "visibility"))
        if any(visibility == Team.Visibility.ALL for _id, visibility in teams):
            return None
        return (*(f"t{team_id}" for team_id, _visibility in teams), NO_TEAM, f"a{user.pk}")
    keys = [f"r{user.pk}"]
    if user.organization_id and user.organization.shared_tickets:
        keys.append(f"o{user.organization_id}")
    followed = Ticket.followers.through.objects.filter(user=user).values_list("ticket_id", flat=True)
    keys.extend(f"k{ticket_id}" for ticket_id in followed)
    return tuple(keys)
