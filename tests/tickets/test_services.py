import pytest

from awn.core.errors import AttachmentTooLarge, InvalidTransition, NotPermitted, ValidationFailed
from awn.tickets.inbound import InboundMessage, IncomingFile
from awn.tickets.models import Attachment, Channel, Message, Status, Ticket, TicketEvent
from awn.tickets.services import (
    Actor,
    add_customer_message,
    add_internal_note,
    assign_ticket,
    change_status,
    create_ticket,
    log_phone_call,
    merge_tickets,
    receive_message,
    reply_to_ticket,
    set_tags,
    update_ticket,
)
from tests.factories import AgentFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_creating_a_ticket_records_the_first_message_and_a_created_event(customer):
    ticket = create_ticket(
        requester=customer, subject="  Can't   log in ", body="It says no", by=Actor.of(customer)
    )

    assert ticket.subject == "Can't log in"
    assert ticket.status == Status.NEW
    assert list(ticket.messages.values_list("body", "author_id")) == [("It says no", customer.pk)]
    assert list(ticket.events.values_list("kind", flat=True)) == ["created", "message"]


def test_a_ticket_without_subject_is_refused_and_nothing_is_written(customer):
    with pytest.raises(ValidationFailed):
        create_ticket(requester=customer, subject="  ", body="x", by=Actor.of(customer))

    assert Ticket.objects.count() == 0


def test_hostile_html_is_sanitized_when_stored(customer):
    ticket = create_ticket(
        requester=customer,
        subject="x",
        by=Actor.of(customer),
        html='<p onclick="steal()">hi<script>alert(1)</script><a href="javascript:alert(1)">x</a>'
        '<span style="position:fixed">over</span></p>',
    )

    html = ticket.messages.get().html
    assert "script" not in html and "onclick" not in html and "javascript:" not in html
    assert "style" not in html
    assert "hi" in html


def test_agent_reply_sets_first_response_and_opens_a_new_ticket(ticket, agent):
    reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="On it")

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.first_response_at is not None
    assert ticket.last_agent_message_at == ticket.first_response_at


def test_internal_notes_do_not_count_as_a_first_response(ticket, agent):
    add_internal_note(ticket=ticket, by=Actor.of(agent), body="looks like a duplicate")

    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    assert ticket.messages.filter(internal=True).count() == 1


def test_customers_cannot_write_internal_notes_or_agent_replies(ticket, customer):
    with pytest.raises(NotPermitted):
        add_internal_note(ticket=ticket, by=Actor.of(customer), body="sneaky")
    with pytest.raises(NotPermitted):
        reply_to_ticket(ticket=ticket, by=Actor.of(customer), body="sneaky")


def test_customer_reply_reopens_a_solved_ticket(ticket, agent, customer):
    reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Fixed", status=Status.SOLVED)
    ticket.refresh_from_db()
    assert ticket.solved_at is not None

    add_customer_message(ticket=ticket, author=customer, body="Still broken")

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.solved_at is None


def test_a_closed_ticket_cannot_be_reopened(ticket, agent):
    change_status(ticket=ticket, status=Status.CLOSED, by=Actor.of(agent))

    with pytest.raises(InvalidTransition):
        change_status(ticket=ticket, status=Status.OPEN, by=Actor.of(agent))


def test_assigning_to_a_customer_is_rejected(ticket, agent, customer):
    with pytest.raises(ValidationFailed):
        assign_ticket(ticket=ticket, assignee=customer, by=Actor.of(agent))


def test_every_change_writes_an_event_with_old_and_new(ticket, agent):
    assign_ticket(ticket=ticket, assignee=agent, by=Actor.of(agent))
    set_tags(ticket=ticket, tags=["Billing", "vip"], by=Actor.of(agent))

    events = {e.kind: e for e in ticket.events.all()}
    assert events["assignee"].old is None and events["assignee"].new == agent.pk
    assert events["tags"].new == ["billing", "vip"]
    assert events["status"].old == "new" and events["status"].new == "open"
    assert events["assignee"].actor == agent


def test_update_ticket_is_all_or_nothing(ticket, agent):
    with pytest.raises(InvalidTransition):
        update_ticket(ticket=ticket, by=Actor.of(agent), priority=4, status="bogus")

    ticket.refresh_from_db()
    assert ticket.priority == 2
    assert not ticket.events.filter(kind="priority").exists()


def test_receiving_the_same_source_message_twice_stores_it_once(customer):
    inbound = InboundMessage(
        channel=Channel.EMAIL, sender_email="new@example.com", subject="Hi", body="x", source_id="<abc@mail>"
    )

    first = receive_message(inbound)
    second = receive_message(inbound)

    assert first.pk == second.pk
    assert Message.objects.count() == 1


def test_a_caller_that_checked_the_source_id_itself_still_gets_no_second_copy(customer):
    from django.db import IntegrityError

    inbound = InboundMessage(
        channel=Channel.EMAIL, sender_email="new@example.com", subject="Hi", body="x", source_id="<abc@mail>"
    )
    receive_message(inbound)

    # The email channel looks Message-IDs up a batch at a time and tells the service not to look again: a
    # second copy that slipped past it (another worker's) is still refused, by the database.
    with pytest.raises(IntegrityError):
        receive_message(inbound, source_id_checked=True)

    assert Message.objects.count() == 1


def test_a_thread_hint_from_a_stranger_starts_a_new_ticket(ticket):
    receive_message(
        InboundMessage(
            channel=Channel.EMAIL, sender_email="stranger@example.com", body="let me in", ticket_id=ticket.pk
        )
    )

    assert ticket.messages.count() == 1
    assert Ticket.objects.count() == 2


def test_a_message_to_a_closed_ticket_opens_a_follow_up(ticket, customer, agent):
    change_status(ticket=ticket, status=Status.CLOSED, by=Actor.of(agent))

    message = receive_message(
        InboundMessage(channel=Channel.EMAIL, sender_email=customer.email, body="again", ticket_id=ticket.pk)
    )

    assert message.ticket_id != ticket.pk
    assert message.ticket.subject == ticket.subject


def test_an_oversized_attachment_is_refused_and_nothing_is_written(customer, settings):
    settings.AWN_MAX_ATTACHMENT_BYTES = 10

    with pytest.raises(AttachmentTooLarge):
        create_ticket(
            requester=customer,
            subject="x",
            body="y",
            by=Actor.of(customer),
            attachments=[IncomingFile("big.bin", b"x" * 11)],
        )

    assert Ticket.objects.count() == 0 and Attachment.objects.count() == 0


def test_attachments_are_stored_with_their_digest(customer):
    ticket = create_ticket(
        requester=customer,
        subject="x",
        body="y",
        by=Actor.of(customer),
        attachments=[IncomingFile("../../etc/passwd", b"data", "text/plain")],
    )

    attachment = Attachment.objects.get()
    assert attachment.message.ticket == ticket
    assert attachment.filename == ".._.._etc_passwd"
    assert attachment.file.read() == b"data"


def test_merging_moves_the_conversation_and_closes_the_source(ticket, agent, customer):
    other = create_ticket(
        requester=CustomerFactory(), subject="dup", body="same problem", by=Actor.system("test")
    )

    merge_tickets(source=other, target=ticket, by=Actor.of(agent))

    other.refresh_from_db()
    ticket.refresh_from_db()
    assert other.status == Status.CLOSED and other.merged_into == ticket
    assert ticket.messages.count() == 2 and ticket.message_count == 2
    assert ticket.followers.filter(pk=other.requester_id).exists()
    assert TicketEvent.objects.filter(ticket=ticket, kind="merged_from", new=other.pk).exists()


def test_a_phone_call_creates_a_ticket_on_the_phone_channel(agent, customer):
    ticket = log_phone_call(
        by=Actor.of(agent), requester=customer, summary="Called about invoice", subject="Invoice question"
    )

    assert ticket.channel == Channel.PHONE
    assert ticket.messages.get().channel == Channel.PHONE


def test_agents_from_an_email_thread_count_as_agent_replies(ticket, agent):
    message = receive_message(
        InboundMessage(
            channel=Channel.EMAIL, sender_email=agent.email, body="answer by mail", ticket_id=ticket.pk
        )
    )

    assert message.ticket_id == ticket.pk
    assert message.author == agent
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None


def test_visibility_team_scoping(ticket, team):
    outsider = AgentFactory()
    member = team.members.first()

    assert Ticket.objects.visible_to(member).filter(pk=ticket.pk).exists()
    assert not Ticket.objects.visible_to(outsider).filter(pk=ticket.pk).exists()
    assert not Ticket.objects.visible_to(CustomerFactory()).filter(pk=ticket.pk).exists()
