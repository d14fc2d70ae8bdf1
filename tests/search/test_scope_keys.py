"""Visibility keys in the index (awn/search/scope.py): they say what `visible_to` says, they follow every
change of a ticket's team, assignee, requester and organization, and the index returns exactly the newest
matches a user may see, whichever way the backend finds them."""

import pytest
from django.core.management import call_command
from django.db import connection

from awn.accounts.models import Team
from awn.search.backends import Terms, get_backend
from awn.search.indexing import rebuild_index
from awn.search.models import SearchDocument
from awn.search.scope import document_keys, visibility_keys
from awn.search.selectors import search_tickets
from awn.tickets.models import Ticket
from awn.tickets.services import (
    Actor,
    add_followers,
    add_internal_note,
    assign_ticket,
    change_team,
    merge_tickets,
    reply_to_ticket,
)
from tests.factories import (
    AdminFactory,
    AgentFactory,
    CustomerFactory,
    ManagerFactory,
    OrganizationFactory,
    TeamFactory,
)
from tests.search.conftest import numbers

pytestmark = pytest.mark.django_db


def keys_of(ticket: Ticket) -> tuple[str, ...]:
    ticket.refresh_from_db()
    return document_keys(
        ticket_id=ticket.pk,
        team_id=ticket.team_id,
        assignee_id=ticket.assignee_id,
        requester_id=ticket.requester_id,
        organization_id=ticket.organization_id,
    )


def index_keys(ticket: Ticket) -> list[set[str]]:
    """The keys each of the ticket's documents carries in the index."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT scope FROM search_searchdocument WHERE ticket_id = %s ORDER BY id", [ticket.pk]
            )
            return [set(scope) for (scope,) in cursor.fetchall()]
        cursor.execute(
            "SELECT f.scope FROM search_fts f JOIN search_searchdocument d ON d.id = f.rowid "
            "WHERE d.ticket_id = %s ORDER BY d.id",
            [ticket.pk],
        )
        return [set(scope.split()) for (scope,) in cursor.fetchall()]


def assert_index_follows(ticket: Ticket) -> None:
    found = index_keys(ticket)
    assert found, "the ticket has documents"
    assert all(keys == set(keys_of(ticket)) for keys in found)


@pytest.fixture
def world(open_ticket):
    """Teams, people and tickets covering every rule of `visible_to`."""
    ours, theirs = TeamFactory(name="Ours"), TeamFactory(name="Theirs")
    everything = TeamFactory(name="Escalations", visibility=Team.Visibility.ALL)
    shared, private = OrganizationFactory(shared_tickets=True), OrganizationFactory(shared_tickets=False)
    alice, bob = CustomerFactory(organization=shared), CustomerFactory(organization=shared)
    carol, dave = CustomerFactory(organization=private), CustomerFactory(organization=private)
    erin = CustomerFactory()
    ours_agent, both_agent = AgentFactory(), AgentFactory()
    theirs_agent, all_agent, manager = AgentFactory(), AgentFactory(), ManagerFactory()
    lonely_agent = AgentFactory()  # in no team at all
    ours.members.add(ours_agent, both_agent, manager)
    theirs.members.add(both_agent, theirs_agent)
    everything.members.add(all_agent)
    tickets = [
        open_ticket(alice, "Lamp in ours", body="flicker", team=ours),
        open_ticket(bob, "Lamp in theirs", body="flicker", team=theirs),
        open_ticket(carol, "Lamp in the pool", body="flicker"),
        open_ticket(dave, "Lamp for escalations", body="flicker", team=everything),
        open_ticket(erin, "Lamp of erin", body="flicker", team=theirs),
    ]
    assign_ticket(ticket=tickets[1], assignee=lonely_agent, by=Actor.of(AdminFactory()))
    add_followers(ticket=tickets[1], users=[carol], by=Actor.of(AdminFactory()))
    inactive = AgentFactory(is_active=False)
    ours.members.add(inactive)
    users = {
        "admin": AdminFactory(),
        "agent of one team": ours_agent,
        "agent of two teams": both_agent,
        "agent of the other team": theirs_agent,
        "agent of a team that sees all": all_agent,
        "manager": manager,
        "agent in no team, assigned one ticket": lonely_agent,
        "inactive agent": inactive,
        "customer in a sharing organization": alice,
        "colleague in a sharing organization": bob,
        "customer in a private organization, following a ticket": carol,
        "colleague in a private organization": dave,
        "customer without organization": erin,
        "inactive customer": CustomerFactory(is_active=False),
    }
    return users, tickets


def test_the_keys_of_every_kind_of_user_say_what_the_visibility_scope_says(world):
    users, tickets = world

    for label, user in users.items():
        keys = visibility_keys(user)
        for ticket in tickets:
            by_keys = keys is None or bool(set(keys) & set(keys_of(ticket)))
            by_scope = Ticket.objects.visible_to(user).filter(pk=ticket.pk).exists()
            assert by_keys == by_scope, (label, ticket.subject)


def test_an_anonymous_visitor_holds_no_key():
    from django.contrib.auth.models import AnonymousUser

    assert visibility_keys(AnonymousUser()) == ()


def test_new_documents_carry_their_tickets_keys(world):
    _users, tickets = world

    for ticket in tickets:
        assert_index_follows(ticket)


def test_moving_a_ticket_to_another_team_moves_its_keys(admin_user, agent, customer, open_ticket):
    old, new = TeamFactory(members=[agent]), TeamFactory()
    ticket = open_ticket(customer, "Lamp flickers", team=old)
    reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Try another bulb")

    change_team(ticket=ticket, team=new, by=Actor.of(admin_user))

    assert_index_follows(ticket)
    assert all(f"t{new.pk}" in keys for keys in index_keys(ticket))


def test_the_new_teams_agents_find_a_moved_ticket_and_the_old_ones_do_not(admin_user, customer, open_ticket):
    old_agent, new_agent = AgentFactory(), AgentFactory()
    old, new = TeamFactory(members=[old_agent]), TeamFactory(members=[new_agent])
    ticket = open_ticket(customer, "Lamp flickers", team=old)

    change_team(ticket=ticket, team=new, by=Actor.of(admin_user))

    assert numbers(search_tickets(user=new_agent, query="lamp")) == [ticket.pk]
    assert search_tickets(user=old_agent, query="lamp") == []


def test_assigning_a_ticket_to_an_agent_of_another_team_lets_them_find_it(admin_user, customer, open_ticket):
    outsider = AgentFactory()
    TeamFactory(members=[outsider])
    ticket = open_ticket(customer, "Lamp flickers", team=TeamFactory())
    assert search_tickets(user=outsider, query="lamp") == []

    assign_ticket(ticket=ticket, assignee=outsider, by=Actor.of(admin_user))

    assert_index_follows(ticket)
    assert numbers(search_tickets(user=outsider, query="lamp")) == [ticket.pk]


def test_taking_a_ticket_back_from_an_agent_of_another_team_hides_it_again(admin_user, customer, open_ticket):
    outsider = AgentFactory()
    TeamFactory(members=[outsider])
    ticket = open_ticket(customer, "Lamp flickers", team=TeamFactory())
    assign_ticket(ticket=ticket, assignee=outsider, by=Actor.of(admin_user))

    assign_ticket(ticket=ticket, assignee=None, by=Actor.of(admin_user))

    assert_index_follows(ticket)
    assert search_tickets(user=outsider, query="lamp") == []


def test_deleting_a_team_puts_its_tickets_in_the_pool_every_agent_finds(customer, open_ticket):
    doomed, elsewhere = TeamFactory(), AgentFactory()
    TeamFactory(members=[elsewhere])
    ticket = open_ticket(customer, "Lamp flickers", team=doomed)

    doomed.delete()  # the foreign key sets the tickets' team to NULL

    assert_index_follows(ticket)
    assert numbers(search_tickets(user=elsewhere, query="lamp")) == [ticket.pk]


def test_deleting_the_assignee_takes_their_key_off_the_documents(admin_user, customer, open_ticket):
    assignee = AgentFactory()
    TeamFactory(members=[assignee])
    ticket = open_ticket(customer, "Lamp flickers", team=TeamFactory())
    assign_ticket(ticket=ticket, assignee=assignee, by=Actor.of(admin_user))

    assignee.delete()

    assert_index_follows(ticket)


def test_bulk_updates_behind_the_services_back_move_the_keys_too(customer, open_ticket):
    ticket = open_ticket(customer, "Lamp flickers", body="hello")
    other, organization = CustomerFactory(), OrganizationFactory(shared_tickets=True)

    Ticket.objects.filter(pk=ticket.pk).update(requester=other, organization=organization)

    assert_index_follows(ticket)
    assert numbers(search_tickets(user=other, query="lamp")) == [ticket.pk]
    assert search_tickets(user=customer, query="lamp") == []


def test_a_colleague_finds_a_ticket_moved_into_their_sharing_organization(customer, open_ticket):
    organization = OrganizationFactory(shared_tickets=True)
    colleague = CustomerFactory(organization=organization)
    ticket = open_ticket(customer, "Lamp flickers")
    assert search_tickets(user=colleague, query="lamp") == []

    Ticket.objects.filter(pk=ticket.pk).update(organization=organization)

    assert numbers(search_tickets(user=colleague, query="lamp")) == [ticket.pk]


def test_a_follower_finds_the_ticket_they_follow(admin_user, customer, open_ticket):
    follower = CustomerFactory()
    ticket = open_ticket(customer, "Lamp flickers")
    assert search_tickets(user=follower, query="lamp") == []

    add_followers(ticket=ticket, users=[follower], by=Actor.of(admin_user))

    assert numbers(search_tickets(user=follower, query="lamp")) == [ticket.pk]


def test_merged_messages_carry_the_targets_keys(admin_user, open_ticket):
    agent = AgentFactory()
    source_team, target_team = TeamFactory(), TeamFactory(members=[agent])
    source = open_ticket(CustomerFactory(), "Lamp flickers", body="The kitchen lamp", team=source_team)
    target = open_ticket(CustomerFactory(), "Light problem", body="Please call", team=target_team)

    merge_tickets(source=source, target=target, by=Actor.of(admin_user))

    assert_index_follows(target)
    assert_index_follows(source)
    assert numbers(search_tickets(user=agent, query="kitchen")) == [target.pk]


def test_a_rebuilt_index_carries_the_keys(world):
    _users, tickets = world
    Ticket.objects.filter(pk=tickets[0].pk).update(team=None)

    rebuild_index(batch_size=2)

    for ticket in tickets:
        assert_index_follows(ticket)


@pytest.mark.parametrize("word", ["t{team}", "k{ticket}", "r{requester}", "a{assignee}"])
def test_a_word_shaped_like_a_key_does_not_match_the_keys(
    admin_user, agent, team, customer, open_ticket, word
):
    ticket = open_ticket(customer, "Lamp flickers", team=team)
    assign_ticket(ticket=ticket, assignee=agent, by=Actor.of(admin_user))
    query = word.format(team=team.pk, ticket=ticket.pk, requester=customer.pk, assignee=agent.pk)

    assert search_tickets(user=admin_user, query=query) == []
    assert search_tickets(user=agent, query=query) == []


def test_a_customer_never_matches_internal_notes_whatever_the_keys(customer, agent, team, open_ticket):
    ticket = open_ticket(customer, "Lamp flickers", team=team)
    add_internal_note(ticket=ticket, by=Actor.of(agent), body="watchlist")

    assert search_tickets(user=customer, query="watchlist") == []
    assert numbers(search_tickets(user=agent, query="watchlist")) == [ticket.pk]


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="only SQLite drops triggers when it rebuilds a table"
)
def test_migrate_puts_back_the_triggers_a_table_rebuild_dropped(customer, open_ticket):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER search_ticket_scope")
        cursor.execute("DROP TRIGGER search_document_deleted")

    call_command("migrate", verbosity=0)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search%' ORDER BY name"
        )
        assert [name for (name,) in cursor.fetchall()] == ["search_document_deleted", "search_ticket_scope"]


# --- the index returns exactly the newest matches the user may see --------------------------------------

STRATEGIES = {
    # PostgreSQL's ways to find them (awn.search.backends.postgresql.find); SQLite has one, FTS5's.
    "default": {},
    "walk only": {"FIRST_WALK": 10**9},
    "index lookup only": {"FIRST_WALK": 0},
    "short walks, then the index": {"FIRST_WALK": 2, "MAX_STEPS": 3, "choose_next_step": lambda **kw: 2},
    "walk, then the index": {"FIRST_WALK": 3, "choose_next_step": lambda **kw: None},
}


def expected_documents(user, window: int) -> list[int]:
    """Brute force: every document whose text says "flicker", of a ticket the user may see, newest first."""
    visible = set(Ticket.objects.visible_to(user).values_list("pk", flat=True))
    documents = SearchDocument.objects.filter(ticket_id__in=visible, message__body__icontains="flicker")
    if not user.is_staff_member:
        documents = documents.filter(internal=False)
    return list(documents.order_by("-id").values_list("id", flat=True)[:window])


@pytest.mark.parametrize("strategy", list(STRATEGIES))
@pytest.mark.parametrize("window", [1, 3, 50])
def test_the_index_returns_exactly_the_newest_matches_each_user_may_see(world, monkeypatch, strategy, window):
    if strategy != "default" and connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL strategy")
    users, tickets = world
    for ticket in tickets[:3]:  # more documents, some internal, some not matching
        reply_to_ticket(ticket=ticket, by=Actor.of(AdminFactory()), body="another flicker here")
        add_internal_note(ticket=ticket, by=Actor.of(AdminFactory()), body="flicker noted")
        reply_to_ticket(ticket=ticket, by=Actor.of(AdminFactory()), body="nothing to see")
    for name, value in STRATEGIES[strategy].items():
        monkeypatch.setattr(f"awn.search.backends.postgresql.{name}", value)
    backend = get_backend()
    terms = Terms(words=(("flicker",),), prefix=False)

    for label, user in users.items():
        hits = backend.find(
            terms=terms, keys=visibility_keys(user), include_internal=user.is_staff_member, window=window
        )

        assert sorted(hit.document_id for hit in hits) == sorted(expected_documents(user, window)), label


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL locks the ticket to index")
def test_a_new_tickets_document_is_written_without_locking_it_and_a_reply_locks_its_ticket(customer, agent):
    from django.test.utils import CaptureQueriesContext

    from awn.tickets.services import create_ticket

    with CaptureQueriesContext(connection) as created:
        ticket = create_ticket(requester=customer, subject="Printer", body="It jams", by=Actor.of(customer))
    with CaptureQueriesContext(connection) as replied:
        reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Try turning it off")

    assert not [q for q in created.captured_queries if "FOR NO KEY UPDATE" in q["sql"]]
    assert [q for q in replied.captured_queries if "FOR NO KEY UPDATE" in q["sql"]]
    assert SearchDocument.objects.filter(ticket=ticket).count() == 2
    assert_index_follows(ticket)  # the documents carry the ticket's visibility keys
