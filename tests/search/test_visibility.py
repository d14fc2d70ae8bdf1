"""Search never shows what the visibility scope hides (DESIGN.md §5), nor internal notes to customers."""

import pytest

from awn.accounts.models import Team
from awn.search.selectors import search_tickets
from awn.tickets.services import Actor, add_internal_note, reply_to_ticket
from tests.factories import AgentFactory, CustomerFactory, OrganizationFactory, TeamFactory
from tests.search.conftest import numbers

pytestmark = pytest.mark.django_db


def force_index_lookup(monkeypatch):
    """PostgreSQL first walks the newest documents; with nothing walked, the GIN index does all the work."""
    monkeypatch.setattr("awn.search.backends.postgresql.FIRST_WALK", 0)


def test_a_customer_finds_their_own_ticket(customer, open_ticket):
    mine = open_ticket(customer, "Lamp flickers")

    found = search_tickets(user=customer, query="lamp")

    assert numbers(found) == [mine.pk]


def test_a_customer_does_not_find_another_customers_ticket(customer, open_ticket):
    open_ticket(CustomerFactory(), "Lamp flickers")

    found = search_tickets(user=customer, query="lamp")

    assert found == []


def test_a_customer_does_not_find_another_customers_ticket_by_number(customer, open_ticket):
    other = open_ticket(CustomerFactory(), "Lamp flickers")

    found = search_tickets(user=customer, query=f"#{other.pk}")

    assert found == []


def test_a_customer_does_not_match_the_text_of_an_internal_note(customer, agent, open_ticket):
    mine = open_ticket(customer, "Lamp flickers", team=TeamFactory(members=[agent]))
    add_internal_note(ticket=mine, by=Actor.of(agent), body="Customer is on the watchlist")

    found = search_tickets(user=customer, query="watchlist")

    assert found == []


def test_a_customer_still_finds_public_replies(customer, agent, open_ticket):
    mine = open_ticket(customer, "Lamp flickers", team=TeamFactory(members=[agent]))
    reply_to_ticket(ticket=mine, by=Actor.of(agent), body="Try the dimmer switch")

    found = search_tickets(user=customer, query="dimmer")

    assert numbers(found) == [mine.pk]


def test_an_agent_finds_the_text_of_an_internal_note(agent, customer, team, open_ticket):
    ticket = open_ticket(customer, "Lamp flickers", team=team)
    add_internal_note(ticket=ticket, by=Actor.of(agent), body="Customer is on the watchlist")

    found = search_tickets(user=agent, query="watchlist")

    assert numbers(found) == [ticket.pk]


def test_an_agent_outside_a_team_does_not_find_its_tickets(customer, open_ticket):
    outsider = AgentFactory()
    TeamFactory(members=[outsider])
    open_ticket(customer, "Lamp flickers", team=TeamFactory(name="Billing"))

    found = search_tickets(user=outsider, query="lamp")

    assert found == []


def test_an_agent_outside_a_team_does_not_find_its_tickets_by_number(customer, open_ticket):
    outsider = AgentFactory()
    TeamFactory(members=[outsider])
    hidden = open_ticket(customer, "Lamp flickers", team=TeamFactory(name="Billing"))

    found = search_tickets(user=outsider, query=str(hidden.pk))

    assert found == []


def test_an_agent_finds_their_teams_tickets_and_not_the_others(agent, team, customer, open_ticket):
    ours = open_ticket(customer, "Lamp flickers", team=team)
    open_ticket(customer, "Lamp flickers too", team=TeamFactory(name="Billing"))

    found = search_tickets(user=agent, query="lamp")

    assert numbers(found) == [ours.pk]


def test_an_agent_on_a_team_that_sees_everything_finds_every_ticket(customer, open_ticket):
    agent = AgentFactory()
    TeamFactory(members=[agent], visibility=Team.Visibility.ALL)
    elsewhere = open_ticket(customer, "Lamp flickers", team=TeamFactory(name="Billing"))

    found = search_tickets(user=agent, query="lamp")

    assert numbers(found) == [elsewhere.pk]


def test_an_admin_finds_every_teams_tickets(admin_user, customer, open_ticket):
    elsewhere = open_ticket(customer, "Lamp flickers", team=TeamFactory(name="Billing"))

    found = search_tickets(user=admin_user, query="lamp")

    assert numbers(found) == [elsewhere.pk]


def test_a_customer_finds_colleagues_tickets_when_the_organization_shares_them(open_ticket):
    organization = OrganizationFactory(shared_tickets=True)
    me, colleague = CustomerFactory(organization=organization), CustomerFactory(organization=organization)
    theirs = open_ticket(colleague, "Lamp flickers")

    found = search_tickets(user=me, query="lamp")

    assert numbers(found) == [theirs.pk]


def test_a_customer_does_not_find_colleagues_tickets_when_the_organization_keeps_them_private(open_ticket):
    organization = OrganizationFactory(shared_tickets=False)
    me, colleague = CustomerFactory(organization=organization), CustomerFactory(organization=organization)
    open_ticket(colleague, "Lamp flickers")

    found = search_tickets(user=me, query="lamp")

    assert found == []


@pytest.mark.parametrize("who", ["anonymous", "inactive"])
def test_nobody_signed_in_finds_anything(customer, open_ticket, who):
    from django.contrib.auth.models import AnonymousUser

    open_ticket(customer, "Lamp flickers")
    if who == "inactive":
        customer.is_active = False
        customer.save(update_fields=["is_active"])
    user = AnonymousUser() if who == "anonymous" else customer

    found = search_tickets(user=user, query="lamp")

    assert found == []


@pytest.mark.parametrize("lookup", [False, True])
def test_an_agents_scope_is_filtered_in_the_database_too(
    agent, team, customer, open_ticket, monkeypatch, lookup
):
    if lookup:
        force_index_lookup(monkeypatch)
    ours = open_ticket(customer, "Lamp flickers", team=team)
    open_ticket(customer, "Lamp flickers too", team=TeamFactory(name="Billing"))

    found = search_tickets(user=agent, query="lamp")

    assert numbers(found) == [ours.pk]


@pytest.mark.parametrize("lookup", [False, True])
def test_a_customer_never_matches_internal_notes_whichever_way_they_are_found(
    customer, agent, open_ticket, monkeypatch, lookup
):
    if lookup:
        force_index_lookup(monkeypatch)
    mine = open_ticket(customer, "Lamp flickers", team=TeamFactory(members=[agent]))
    add_internal_note(ticket=mine, by=Actor.of(agent), body="Customer is on the watchlist")

    found = search_tickets(user=customer, query="watchlist")

    assert found == []


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Refund for my order", "refu"),
        ("Refund for my order", "order refund"),
        ("الفاتورة غير صحيحة", "فاتوره"),
        ("چاپگر کار نمی‌کند", "نمی کند"),
        ("Problème au CAFÉ", "cafe"),
    ],
)
@pytest.mark.parametrize("lookup", [False, True])
def test_a_customer_search_matches_like_an_agent_search(
    customer, open_ticket, monkeypatch, stored, typed, lookup
):
    if lookup:
        force_index_lookup(monkeypatch)
    mine = open_ticket(customer, "Request", body=stored)
    open_ticket(customer, "Other", body="Nothing relevant here")

    found = search_tickets(user=customer, query=typed)

    assert numbers(found) == [mine.pk]


@pytest.mark.parametrize("lookup", [False, True])
def test_a_customer_sees_a_subject_match_ranked_above_a_body_match(
    customer, open_ticket, monkeypatch, lookup
):
    if lookup:
        force_index_lookup(monkeypatch)
    in_body = open_ticket(customer, "Question about my account", body="Also the invoice was wrong")
    in_subject = open_ticket(customer, "Invoice", body="Please check")

    found = search_tickets(user=customer, query="invoice")

    assert numbers(found) == [in_subject.pk, in_body.pk]
