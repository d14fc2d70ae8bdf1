import pytest

from awn.tickets.models import Ticket
from awn.tickets.services import Actor, add_followers
from tests.factories import CustomerFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_a_customer_sees_the_tickets_they_follow_and_no_others(customer):
    followed = TicketFactory()
    TicketFactory()
    add_followers(ticket=followed, users=[customer], by=Actor.system("test"))

    visible = set(Ticket.objects.visible_to(customer).values_list("pk", flat=True))

    assert visible == {followed.pk}


def test_the_customer_scope_is_an_index_lookup_not_a_subquery(customer):
    add_followers(ticket=TicketFactory(), users=[customer], by=Actor.system("test"))
    CustomerFactory()

    sql = str(Ticket.objects.visible_to(customer).query).upper()

    # "requester = X OR id IN (SELECT …)" makes PostgreSQL scan every ticket; literal ids keep it indexed.
    assert "SELECT" not in sql.split("WHERE", 1)[1]
