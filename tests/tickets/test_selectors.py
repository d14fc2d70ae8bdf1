import pytest

from awn.accounts.models import Team
from awn.core.errors import ValidationFailed
from awn.tickets.models import UNSOLVED_STATUSES, Priority, Status, Ticket
from awn.tickets.selectors import TicketFilters, ticket_queue, view_counts, view_queryset
from awn.tickets.services import Actor, set_tags
from tests.factories import AdminFactory, AgentFactory, ManagerFactory, TeamFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_keyset_pages_cover_every_ticket_once_in_priority_order():
    admin = AdminFactory()
    made = [TicketFactory(priority=p) for p in [1, 4, 2, 4, 3, 2, 1, 4]]
    seen, cursor = [], None

    while True:
        page = ticket_queue(user=admin, view="all", sort="priority", cursor=cursor, limit=3)
        seen += page.tickets
        cursor = page.next_cursor
        if cursor is None:
            break

    assert sorted(t.pk for t in seen) == sorted(t.pk for t in made)
    assert [t.priority for t in seen] == sorted((t.priority for t in made), reverse=True)


def test_filters_combine():
    admin = AdminFactory()
    wanted = TicketFactory(priority=Priority.URGENT, status=Status.OPEN)
    TicketFactory(priority=Priority.URGENT, status=Status.SOLVED)
    TicketFactory(priority=Priority.LOW, status=Status.OPEN)

    filters = TicketFilters.from_params({"status": "open", "priority": "urgent"})

    page = ticket_queue(user=admin, filters=filters)

    assert [t.pk for t in page.tickets] == [wanted.pk]


@pytest.mark.parametrize(
    "params", [{"status": "bogus"}, {"priority": "9"}, {"team": "x"}, {"channel": "fax"}]
)
def test_bad_filters_are_refused_clearly(params):
    with pytest.raises(ValidationFailed):
        TicketFilters.from_params(params)


def test_a_forged_cursor_is_refused():
    with pytest.raises(ValidationFailed):
        ticket_queue(user=AdminFactory(), cursor="not-a-cursor")


def _team_world():
    """Two teams, an agent in one of them, a manager in both; tickets in each team, in none, solved."""
    agent, manager = AgentFactory(), ManagerFactory()
    support = TeamFactory(name="Support", members=[agent, manager])
    billing = TeamFactory(name="Billing", members=[manager])
    tickets = [
        TicketFactory(team=support, status=Status.OPEN),
        TicketFactory(team=support, status=Status.NEW, assignee=agent),
        TicketFactory(team=support, status=Status.SOLVED),
        TicketFactory(team=billing, status=Status.PENDING),
        TicketFactory(team=billing, status=Status.OPEN, assignee=agent),
        TicketFactory(team=None, status=Status.NEW),
    ]
    return agent, manager, tickets


@pytest.mark.parametrize("role", ["agent", "manager", "admin", "customer"])
def test_the_teams_view_is_the_visible_unsolved_tickets_of_the_users_teams(role):
    agent, manager, tickets = _team_world()
    user = {"agent": agent, "manager": manager, "admin": AdminFactory(), "customer": tickets[0].requester}[
        role
    ]
    teams = set(Team.objects.filter(members=user).values_list("pk", flat=True))

    listed = set(view_queryset(user, "teams").values_list("pk", flat=True))

    expected = {
        t.pk for t in Ticket.objects.visible_to(user) if t.team_id in teams and t.status in UNSOLVED_STATUSES
    }
    assert listed == expected


def test_an_inactive_agent_has_no_team_view():
    agent, _manager, _tickets = _team_world()
    agent.is_active = False
    agent.save(update_fields=["is_active"])

    assert list(view_queryset(agent, "teams")) == []


def test_counts_are_the_same_with_a_shared_scope():
    agent, _manager, _tickets = _team_world()

    shared = view_counts(agent, scope=Ticket.objects.visible_to(agent))

    assert shared == view_counts(agent) == {"mine": 2, "unassigned": 2, "teams": 2}


def test_a_page_for_a_list_carries_what_the_table_shows_without_further_queries(django_assert_num_queries):
    agent, _manager, tickets = _team_world()
    set_tags(ticket=tickets[0], tags=["zeta", "alpha"], by=Actor.system("test"))

    page = ticket_queue(user=agent, view="teams", for_list=True)
    with django_assert_num_queries(0):
        shown = {
            t.pk: (
                t.subject,
                t.requester.display_name,
                t.team.name,
                t.assignee and t.assignee.display_name,
                t.tag_names,
                t.updated_at,
                t.sla_state,
            )
            for t in page.tickets
        }

    assert shown[tickets[0].pk][4] == ["alpha", "zeta"]
    assert shown[tickets[1].pk][3] == agent.display_name


@pytest.mark.parametrize("role", ["agent", "manager", "admin", "customer"])
def test_the_mine_view_is_the_visible_unsolved_tickets_assigned_to_the_user(role):
    agent, manager, tickets = _team_world()
    user = {"agent": agent, "manager": manager, "admin": AdminFactory(), "customer": tickets[0].requester}[
        role
    ]
    TicketFactory(team=None, status=Status.OPEN, assignee=user)

    listed = set(view_queryset(user, "mine").values_list("pk", flat=True))

    expected = {
        t.pk
        for t in Ticket.objects.visible_to(user)
        if t.assignee_id == user.pk and t.status in UNSOLVED_STATUSES
    }
    assert listed == expected
