"""Prepared reads: the SQL of a queryset built once, run again with other values, giving what the queryset
gives."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models.sql.compiler import SQLCompiler

from awn.accounts.models import User
from awn.core import clock
from awn.core.prepared import PreparedRead, insert_object, insert_objects
from awn.tickets.models import Ticket
from awn.tickets.services import Actor, create_ticket
from tests.factories import CustomerFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

BY_EMAIL = PreparedRead(
    lambda email: User.objects.select_related("organization").filter(email=email).order_by("pk")[:1],
    email="\x00email",
)


def test_each_run_reads_the_rows_of_its_own_values_with_their_related_objects(django_assert_num_queries):
    acme, globex = OrganizationFactory(name="Acme"), OrganizationFactory(name="Globex")
    ann = CustomerFactory(email="ann@example.com", organization=acme)
    bob = CustomerFactory(email="bob@example.com", organization=globex)

    with django_assert_num_queries(2):
        found_ann = BY_EMAIL.first(email="ann@example.com")
        found_bob = BY_EMAIL.first(email="bob@example.com")
        assert (found_ann.organization.name, found_bob.organization.name) == ("Acme", "Globex")

    assert (found_ann, found_bob) == (ann, bob)
    assert found_ann.email == "ann@example.com" and found_ann.role == ann.role
    assert BY_EMAIL.first(email="nobody@example.com") is None


def test_values_rows_come_converted_as_the_queryset_gives_them():
    customer = CustomerFactory()
    ticket = create_ticket(requester=customer, subject="Printer", body="It jams", by=Actor.of(customer))
    fields = ("id", "subject", "created_at", "sla_breached", "team__tier", "requester__email")
    read = PreparedRead(lambda pk: Ticket.objects.filter(pk=pk).values(*fields), pk=-7_000_001)

    assert read.rows(pk=ticket.pk) == list(Ticket.objects.filter(pk=ticket.pk).values(*fields))
    assert read.rows(pk=ticket.pk + 1000) == []


def test_the_sql_is_built_once(monkeypatch):
    CustomerFactory(email="ann@example.com")
    read = PreparedRead(lambda email: User.objects.filter(email=email)[:1], email="\x00email")
    read.first(email="ann@example.com")
    built = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: built.append(1) or original(self, *a, **k)
    )

    again = read.first(email="ann@example.com")

    assert again.email == "ann@example.com"
    assert built == []


def test_a_value_that_is_not_a_parameter_of_the_query_is_refused():
    read = PreparedRead(lambda email: User.objects.filter(email="fixed@example.com"), email="\x00email")

    with pytest.raises(ValueError, match="email"):
        read.first(email="ann@example.com")
    with pytest.raises(TypeError):
        BY_EMAIL.first(address="ann@example.com")


def test_a_moment_is_passed_as_the_orm_passes_it():
    customer = CustomerFactory()
    ticket = create_ticket(requester=customer, subject="Printer", body="It jams", by=Actor.of(customer))
    read = PreparedRead(
        lambda since: Ticket.objects.filter(created_at__gte=since).values("pk"),
        since=datetime(1, 1, 2, tzinfo=UTC),
    )

    assert read.rows(since=ticket.created_at - timedelta(seconds=1)) == [{"pk": ticket.pk}]
    assert read.rows(since=ticket.created_at + timedelta(seconds=1)) == []


def _event(ticket, kind, **fields):
    from awn.tickets.models import TicketEvent

    return TicketEvent(ticket=ticket, actor=ticket.requester, kind=kind, created_at=clock.now(), **fields)


def test_inserted_objects_get_their_keys_and_read_back_as_written():
    from awn.tickets.models import TicketEvent

    customer = CustomerFactory()
    ticket = create_ticket(requester=customer, subject="Printer", body="It jams", by=Actor.of(customer))
    events = [
        _event(ticket, "status", old="new", new={"status": "open", "note": "ünïcode"}),
        _event(ticket, "priority", old=None, new=[1, 2]),
    ]

    insert_objects(events)

    assert all(e.pk and not e._state.adding for e in events)
    assert events[0].pk != events[1].pk
    stored = {e.pk: e for e in TicketEvent.objects.filter(pk__in=[e.pk for e in events])}
    assert stored[events[0].pk].new == {"status": "open", "note": "ünïcode"}
    assert stored[events[0].pk].old == "new"
    assert (stored[events[1].pk].old, stored[events[1].pk].new) == (None, [1, 2])
    assert stored[events[1].pk].created_at == events[1].created_at
    assert stored[events[1].pk].actor_id == customer.pk


def test_more_rows_than_one_statement_takes_are_all_inserted_in_order():
    from awn.tickets.models import TicketEvent

    customer = CustomerFactory()
    ticket = create_ticket(requester=customer, subject="Printer", body="It jams", by=Actor.of(customer))
    events = [_event(ticket, "note", new=i) for i in range(300)]  # 2,400 values: SQLite takes 999 at once

    insert_objects(events)

    assert [TicketEvent.objects.get(pk=e.pk).new for e in events[::50]] == list(range(0, 300, 50))


def test_a_batch_of_more_values_than_a_statement_binds_is_split_on_every_database():
    """PostgreSQL binds at most 65,535 values a statement on the server (the report facts' rebuild of a
    generated set failed so); SQLite has its own limit. Both insert paths split such a batch."""
    from django.db import connection

    from awn.tickets.models import TicketEvent

    customer = CustomerFactory()
    ticket = create_ticket(requester=customer, subject="Printer", body="It jams", by=Actor.of(customer))
    fields = [f for f in TicketEvent._meta.concrete_fields if not f.primary_key]
    count = 70_000 // len(fields) + 1  # more than 65,535 values in all
    if connection.vendor == "postgresql" and connection.features.uses_server_side_binding:
        assert connection.features.max_query_params == 65_535
        assert connection.ops.bulk_batch_size(fields, range(count)) < count

    insert_objects([_event(ticket, "note", new=i) for i in range(count)])
    TicketEvent.objects.bulk_create([_event(ticket, "note", new=-i) for i in range(1, count + 1)])

    assert TicketEvent.objects.filter(ticket=ticket, kind="note").count() == 2 * count


def test_a_conflicting_row_takes_the_update_fields_of_the_new_one():
    from awn.reports.models import ReplyFact

    customer = CustomerFactory()
    ticket = create_ticket(requester=customer, subject="Printer", body="It jams", by=Actor.of(customer))
    message = ticket.messages.get()
    ReplyFact.objects.create(
        message=message, ticket=ticket, agent_id=None, team_id=None, channel="web", created_at=clock.now()
    )
    later = clock.now() + timedelta(hours=1)

    insert_objects(
        [ReplyFact(message=message, ticket=ticket, channel="email", created_at=later)],
        unique_fields=["message"],
        update_fields=["channel"],
    )

    fact = ReplyFact.objects.get()
    assert (fact.channel, fact.created_at != later) == ("email", True)


def test_objects_holding_an_expression_go_through_bulk_create():
    from django.db.models.functions import Now

    from awn.tickets.models import TicketEvent

    customer = CustomerFactory()
    ticket = create_ticket(requester=customer, subject="Printer", body="It jams", by=Actor.of(customer))
    event = TicketEvent(ticket=ticket, actor=customer, kind="note", new=1, created_at=Now())

    insert_objects([event])

    assert TicketEvent.objects.filter(kind="note", new=1).count() == 1


def test_a_model_whose_save_is_listened_to_is_saved_with_its_signals():
    from django.db.models.signals import post_save

    from awn.tickets.models import Tag

    heard = []

    def listen(sender, instance, created, **kwargs):
        heard.append((instance.name, created))

    post_save.connect(listen, sender=Tag, dispatch_uid="test-insert-object")
    try:
        insert_object(Tag(name="printer"))
    finally:
        post_save.disconnect(dispatch_uid="test-insert-object", sender=Tag)
    insert_object(Tag(name="quiet"))

    assert heard == [("printer", True)]
    assert set(Tag.objects.values_list("name", flat=True)) >= {"printer", "quiet"}


@pytest.mark.django_db(transaction=True)  # receive_message must open the outermost transaction itself
def test_a_new_tickets_transaction_plans_generically_and_the_connection_stays_custom(monkeypatch):
    from django.db import connection

    from awn.core.events import IN_TRANSACTION_HANDLERS
    from awn.tickets.inbound import InboundMessage
    from awn.tickets.services import receive_message

    if connection.vendor != "postgresql" or not connection.features.uses_server_side_binding:
        pytest.skip("PostgreSQL's prepared statements")

    def plan_cache_mode() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW plan_cache_mode")
            return cursor.fetchone()[0]

    inside = []
    handlers = [*IN_TRANSACTION_HANDLERS["ticket.created"], lambda event: inside.append(plan_cache_mode())]
    monkeypatch.setitem(IN_TRANSACTION_HANDLERS, "ticket.created", handlers)

    receive_message(InboundMessage(channel="api", sender_email="ann@example.com", subject="Hi", body="Hello"))

    assert inside == ["force_generic_plan"]
    assert plan_cache_mode() == "force_custom_plan"  # the desk's lists after it: plans for their values
