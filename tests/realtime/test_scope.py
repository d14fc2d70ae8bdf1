"""The desk socket's local visibility decision agrees with Ticket.objects.visible_to (DESIGN.md §5)."""

import pytest

from awn.accounts.models import Team
from awn.realtime.groups import groups_for_ticket, scope_for
from awn.tickets.models import Ticket
from tests.factories import (
    AdminFactory,
    AgentFactory,
    CustomerFactory,
    ManagerFactory,
    TeamFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db


def test_every_staff_scope_matches_the_visibility_scope_on_a_matrix_of_tickets():
    red_agent, blue_agent, roamer, lone = AgentFactory(), AgentFactory(), AgentFactory(), AgentFactory()
    manager = ManagerFactory()
    red = TeamFactory(members=[red_agent, manager])
    blue = TeamFactory(members=[blue_agent])
    TeamFactory(visibility=Team.Visibility.ALL, members=[roamer])
    people = [red_agent, blue_agent, roamer, lone, manager, AdminFactory()]
    tickets = [
        TicketFactory(team=team, assignee=assignee)
        for team in (red, blue, None)
        for assignee in (None, red_agent, blue_agent, lone)
    ]

    for person in people:
        scope = scope_for(person)
        visible = set(Ticket.objects.visible_to(person).values_list("pk", flat=True))

        for ticket in tickets:
            local = scope.can_see(team_id=ticket.team_id, assignee_id=ticket.assignee_id)
            assert local == (ticket.pk in visible), (person, ticket.team_id, ticket.assignee_id)
            reaches = set(scope.groups()) & groups_for_ticket(
                team_id=ticket.team_id, assignee_id=ticket.assignee_id
            )
            assert bool(reaches) == local


def test_customers_and_inactive_staff_have_no_desk_scope():
    former = AgentFactory(is_active=False)

    assert scope_for(CustomerFactory()) is None
    assert scope_for(former) is None
