"""Workers ingest stored mail several messages per transaction: each message still lands, threads, dedupes or
goes to the quarantine on its own, as if it were ingested alone."""

import pytest
from django.db import connection

from awn.connectors.email.ingest import ingest_next_batch, ingest_pending, store_raw_email
from awn.connectors.email.models import Mailbox, MessageEmail, RawEmail
from awn.search.selectors import search_tickets
from awn.tickets.models import Message, Ticket
from awn.tickets.services import Actor, create_ticket
from tests.concurrency import another_transaction_holding
from tests.connectors.email.mails import make_mail

Status = RawEmail.Status


def store(raw: bytes, mailbox) -> RawEmail:
    return store_raw_email(raw=raw, source=RawEmail.Source.SMTP, mailbox=mailbox)


BROKEN = (
    b"From: c@example.com\r\nTo: support@acme.example\r\nSubject: broken\r\nMessage-ID: <bad@x>\r\n"
    b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="nope"\r\n\r\nno boundary here at all\r\n'
)


@pytest.mark.django_db
def test_one_bad_message_in_a_batch_is_quarantined_with_its_reason_and_the_others_land(mailbox, customer):
    # Given a Message-ID the database already holds for one of our sent mails, so that storing the customer's
    # message under it fails in the database itself, half-way through its writes.
    sent = create_ticket(requester=customer, subject="Earlier", body="?", by=Actor.of(customer))
    MessageEmail.objects.create(
        message=sent.messages.get(),
        mailbox=mailbox,
        direction=MessageEmail.Direction.OUTBOUND,
        message_id_header="<clash@mail.example.com>",
    )
    store(make_mail(subject="First", message_id="<one@mail.example.com>"), mailbox)
    store(BROKEN, mailbox)
    store(make_mail(subject="Clash", message_id="<clash@mail.example.com>"), mailbox)
    store(make_mail(subject="Last", message_id="<two@mail.example.com>"), mailbox)

    done = ingest_pending(batch_size=10)

    assert done == 4
    statuses = {row.subject or "": (row.status, row.reason) for row in RawEmail.objects.all()}
    assert statuses["First"][0] == statuses["Last"][0] == Status.INGESTED
    assert statuses["broken"][0] == Status.QUARANTINED
    assert "StartBoundaryNotFoundDefect" in statuses["broken"][1]
    assert statuses["Clash"][0] == Status.QUARANTINED
    assert statuses["Clash"][1].startswith("database refused the message")
    assert not Message.objects.filter(source_id="<clash@mail.example.com>").exists()  # nothing half-written
    assert set(Ticket.objects.values_list("subject", flat=True)) == {"Earlier", "First", "Last"}
    assert set(RawEmail.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.django_db
def test_a_batch_writes_the_report_rollups_of_the_messages_that_landed_and_only_those(mailbox, customer):
    from awn.reports.models import TicketRollup
    from awn.reports.pending import write_pending
    from awn.reports.rollups import rebuild_rollups
    from tests.reports.test_rollups import _rows

    # Given a message that fails in the database after the ticket service (its facts included) wrote it.
    sent = create_ticket(requester=customer, subject="Earlier", body="?", by=Actor.of(customer))
    MessageEmail.objects.create(
        message=sent.messages.get(),
        mailbox=mailbox,
        direction=MessageEmail.Direction.OUTBOUND,
        message_id_header="<clash@mail.example.com>",
    )
    store(make_mail(subject="First", message_id="<one@mail.example.com>"), mailbox)
    store(make_mail(subject="Clash", message_id="<clash@mail.example.com>"), mailbox)
    store(make_mail(subject="Re: First", text="More smoke.", in_reply_to="<one@mail.example.com>"), mailbox)
    store(make_mail(subject="Last", message_id="<two@mail.example.com>"), mailbox)

    rows = ingest_next_batch(size=10)

    assert [row.status for row in rows] == [
        Status.INGESTED,
        Status.QUARANTINED,
        Status.INGESTED,
        Status.INGESTED,
    ]
    # After the batch commits, the facts writer writes those of Earlier and Last (First's reply wrote its).
    assert write_pending() == 2
    live = _rows()
    rebuild_rollups()
    assert live == _rows()
    created = TicketRollup.objects.filter(kind=TicketRollup.CREATED, channel="", team_id=mailbox.team_id)
    assert created.get().tickets == 2  # First and Last; not Clash, rolled back after its facts


@pytest.mark.django_db
def test_a_reply_threads_to_a_parent_another_worker_committed_while_it_looked(mailbox, monkeypatch):
    from awn.connectors.email import ingest

    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("SQLite has one writer at a time: no other worker commits while this one looks")
    store(make_mail(subject="Printer", message_id="<parent@mail.example.com>"), mailbox)
    ingest_next_batch(size=10)
    store(make_mail(subject="Re: Printer", in_reply_to="<parent@mail.example.com>"), mailbox)
    looks = []
    real_find_ticket = ingest.find_ticket

    def first_look_before_the_commit(*args, **kwargs):
        looks.append(1)  # the first look ran just before the other worker committed the parent
        return (None, "") if len(looks) == 1 else real_find_ticket(*args, **kwargs)

    monkeypatch.setattr(ingest, "find_ticket", first_look_before_the_commit)

    (row,) = ingest_next_batch(size=10)

    assert row.status == Status.INGESTED
    assert Ticket.objects.count() == 1
    assert len(looks) == 2


@pytest.mark.django_db
def test_a_reply_threads_to_its_parent_ingested_earlier_in_the_same_batch(mailbox):
    store(make_mail(subject="Printer", message_id="<parent@mail.example.com>"), mailbox)
    store(
        make_mail(
            subject="Re: Printer",
            text="Still smoking.",
            message_id="<child@mail.example.com>",
            in_reply_to="<parent@mail.example.com>",
        ),
        mailbox,
    )

    rows = ingest_next_batch(size=10)

    assert [row.status for row in rows] == [Status.INGESTED, Status.INGESTED]
    assert rows[0].message.ticket_id == rows[1].message.ticket_id
    assert "threaded by headers" in RawEmail.objects.get(pk=rows[1].pk).reason


@pytest.mark.django_db
def test_the_same_message_twice_in_one_batch_is_one_message_and_a_duplicate(mailbox):
    raw = make_mail(message_id="<twice@mail.example.com>")
    store(raw, mailbox)
    store(raw, mailbox)

    first, second = ingest_next_batch(size=10)

    assert first.status == Status.INGESTED
    assert second.status == Status.DUPLICATE
    assert second.message_id == first.message_id
    assert Message.objects.filter(source_id="<twice@mail.example.com>").count() == 1


@pytest.mark.django_db
def test_a_mailbox_added_between_batches_is_known_to_the_next_one(mailbox):
    store(make_mail(sender="sales@acme.example", subject="One"), mailbox)
    ingest_pending(batch_size=10)
    Mailbox.objects.create(name="Sales", address="sales@acme.example", inbound=Mailbox.Inbound.SMTP)
    row = store(make_mail(sender="sales@acme.example", subject="Two"), mailbox)

    ingest_pending(batch_size=10)

    row.refresh_from_db()
    assert row.status == Status.IGNORED  # mail from one of our own addresses: a loop
    assert "loop" in row.reason


@pytest.mark.django_db
def test_what_a_batch_ingested_is_found_by_search_once_committed(mailbox, admin_user):
    store(make_mail(subject="Zeppelin invoice", text="The zeppelin invoice is wrong."), mailbox)

    ingest_pending(batch_size=10)

    assert [t.subject for t in search_tickets(user=admin_user, query="zeppelin")] == ["Zeppelin invoice"]


@pytest.mark.django_db(transaction=True)
def test_a_reply_waits_while_another_worker_ingests_its_parent(mailbox):
    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("SQLite has one writer at a time: no other worker is ever half-way through a message")
    parent = store(make_mail(subject="Printer", message_id="<parent@mail.example.com>"), mailbox)
    child = store(
        make_mail(
            subject="Re: Printer",
            message_id="<child@mail.example.com>",
            in_reply_to="<parent@mail.example.com>",
        ),
        mailbox,
    )
    # Another worker holds the parent's row, as it does while it ingests it.
    with another_transaction_holding(RawEmail.objects.filter(pk=parent.pk)):
        taken = ingest_next_batch(size=10)

        assert [row.pk for row in taken] == [child.pk]
        child.refresh_from_db()
        assert child.status == Status.RECEIVED  # not a ticket of its own: it waits for its parent
        assert child.attempts == 0
        assert not Ticket.objects.exists()

    assert ingest_pending(batch_size=10) == 2
    parent.refresh_from_db()
    child.refresh_from_db()
    assert child.status == Status.INGESTED
    assert child.message.ticket_id == parent.message.ticket_id


@pytest.mark.django_db(transaction=True)
def test_a_reply_to_a_ticket_another_batch_holds_waits_for_a_later_batch_instead_of_the_lock(mailbox):
    if not connection.features.has_select_for_update_nowait:
        pytest.skip("SQLite has one writer at a time: no other batch holds a ticket while this one runs")
    first = store(make_mail(subject="Printer", message_id="<parent@mail.example.com>"), mailbox)
    ingest_pending(batch_size=10)
    first.refresh_from_db()
    ticket_id = first.message.ticket_id
    reply = store(make_mail(subject="Re: Printer", in_reply_to="<parent@mail.example.com>"), mailbox)
    other = store(make_mail(subject="Scanner", message_id="<scanner@mail.example.com>"), mailbox)
    # Another worker's batch wrote to the ticket and has not committed yet.
    with another_transaction_holding(Ticket.objects.filter(pk=ticket_id)) as other_batch:
        taken = ingest_next_batch(size=10)

        assert other_batch.is_alive()  # this batch did not wait for the other to end
        assert {row.pk for row in taken} == {reply.pk, other.pk}
        reply.refresh_from_db()
        other.refresh_from_db()
        assert reply.status == Status.RECEIVED and reply.attempts == 0
        assert other.status == Status.INGESTED  # the rest of the batch landed
        assert Message.objects.filter(ticket_id=ticket_id).count() == 1

    assert ingest_pending(batch_size=10) == 1
    reply.refresh_from_db()
    assert reply.status == Status.INGESTED
    assert reply.message.ticket_id == ticket_id
    assert [item["code"] for item in reply.reasons] == ["threaded_headers"]
