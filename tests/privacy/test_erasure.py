"""Erasing a customer (GDPR Art. 17): every store forgets them, tickets and metrics stay."""

from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.db import transaction

from awn.accounts.models import ApiToken, CustomerEmail, User
from awn.automation.models import Notification
from awn.connectors.chat.models import ChatVisitor, PageView
from awn.connectors.email.models import AutomaticReply, MessageEmail, RawEmail
from awn.core.errors import NotPermitted, ValidationFailed
from awn.knowledge.models import Feedback, SuggestionSession
from awn.outbox.models import OutboxItem
from awn.privacy.services import erase_customer
from awn.search.selectors import search_tickets
from awn.surveys.models import NpsResponse, SatisfactionRating
from awn.tickets.models import Attachment, Message, Ticket, TicketEvent
from awn.tickets.services import Actor
from tests.factories import AgentFactory, ManagerFactory
from tests.privacy.conftest import OTHER_WORD, SECRET_WORD

pytestmark = pytest.mark.django_db

PERSONAL = ("Cora", "cora@example.com", "cora.private@example.net", "5550199", SECRET_WORD)


def _leaks(*values) -> list[str]:
    """The personal words found in any of `values` (rendered as text)."""
    text = " ".join(str(v) for v in values)
    return [word for word in PERSONAL if word.lower() in text.lower()]


def test_the_account_is_anonymized_and_signed_out_everywhere(world, admin_user):
    cora = world.cora

    erase_customer(customer=cora, by=Actor.of(admin_user))

    cora = User.objects.get(pk=cora.pk)
    assert cora.email == f"erased-{cora.pk}@erased.invalid"
    assert _leaks(cora.name, cora.phone, cora.plan, cora.attributes) == []
    assert (cora.organization_id, cora.is_active, cora.has_usable_password()) == (None, False, False)
    assert cora.last_login is None
    assert not CustomerEmail.objects.filter(user=cora).exists()
    assert not ApiToken.objects.filter(user=cora).exists()
    assert not Session.objects.filter(session_key=world.session_key).exists()


def test_their_tickets_keep_status_and_counts_but_lose_subject_and_text(world, admin_user):
    before = Ticket.objects.values("status", "message_count", "team_id", "created_at").get(pk=world.ticket.pk)

    erase_customer(customer=world.cora, by=Actor.of(admin_user))

    ticket = Ticket.objects.get(pk=world.ticket.pk)
    kept = Ticket.objects.values("status", "message_count", "team_id", "created_at").get(pk=ticket.pk)
    assert kept == before
    assert _leaks(ticket.subject) == []
    bodies = list(Message.objects.filter(ticket=ticket).values_list("body", "html"))
    assert len(bodies) == 3  # her mail, the agent's reply quoting her, the note
    assert _leaks(bodies) == []
    assert _leaks(list(TicketEvent.objects.filter(ticket=ticket).values_list("old", "new"))) == []


def test_the_erasure_is_recorded_once_on_each_of_their_tickets(world, admin_user):
    erase_customer(customer=world.cora, by=Actor.of(admin_user))

    event = TicketEvent.objects.get(ticket=world.ticket, kind=TicketEvent.Kind.ERASED)
    assert (event.actor, event.old, event.new) == (admin_user, None, None)
    assert not TicketEvent.objects.filter(ticket=world.others_ticket, kind=TicketEvent.Kind.ERASED).exists()


def test_their_message_on_someone_elses_ticket_is_erased_and_the_rest_kept(world, admin_user):
    erase_customer(customer=world.cora, by=Actor.of(admin_user))

    assert Message.objects.get(pk=world.cora_on_others.pk).body == "[erased]"
    others = Ticket.objects.get(pk=world.others_ticket.pk)
    assert others.subject == "Otto's shipment"
    assert OTHER_WORD in Message.objects.filter(ticket=others).first().body
    assert User.objects.get(pk=world.otto.pk).email == "otto@example.org"


def test_search_no_longer_finds_their_words_but_still_finds_others(world, admin_user):
    assert search_tickets(user=admin_user, query=SECRET_WORD)

    erase_customer(customer=world.cora, by=Actor.of(admin_user))

    assert search_tickets(user=admin_user, query=SECRET_WORD) == []
    assert search_tickets(user=admin_user, query="invoice") == []
    assert [t.pk for t in search_tickets(user=admin_user, query=OTHER_WORD)] == [world.others_ticket.pk]


def test_attachment_and_raw_mail_files_are_deleted_after_the_commit(
    world, admin_user, django_capture_on_commit_callbacks
):
    attachment = Attachment.objects.get(message__ticket=world.ticket)
    files = [Path(attachment.file.path), Path(world.raw.file.path), Path(world.others_raw.file.path)]
    assert all(path.exists() for path in files)

    with django_capture_on_commit_callbacks(execute=True):
        erase_customer(customer=world.cora, by=Actor.of(admin_user))

    assert [path.exists() for path in files] == [False, False, False]
    assert not Attachment.objects.filter(message__ticket=world.ticket).exists()


def test_raw_mail_rows_keep_their_status_but_lose_the_headers(world, admin_user):
    status = world.raw.status

    erase_customer(customer=world.cora, by=Actor.of(admin_user))

    raw = RawEmail.objects.get(pk=world.raw.pk)
    assert raw.status == status
    assert (raw.file.name, raw.sender, raw.subject, raw.envelope_from, raw.message_id_header) == ("",) * 5
    assert RawEmail.objects.get(pk=world.others_raw.pk).sender == "otto@example.org"


def test_they_are_taken_out_of_every_messages_recipients(world, admin_user):
    assert "cora@example.com" in MessageEmail.objects.get(message=world.others_raw.message).cc

    erase_customer(customer=world.cora, by=Actor.of(admin_user))

    assert MessageEmail.objects.get(message=world.others_raw.message).cc == ["zed@example.org"]
    assert _leaks(list(MessageEmail.objects.values_list("to", "cc"))) == []
    assert not AutomaticReply.objects.filter(address="cora@example.com").exists()


def test_nothing_queued_mails_them_afterwards(world, admin_user):
    queued = OutboxItem.objects.filter(status=OutboxItem.Status.QUEUED)
    assert queued.filter(kind="email.acknowledgement", payload__to="cora@example.com").exists()
    replies = MessageEmail.objects.filter(
        message__ticket=world.ticket, delivery=MessageEmail.Delivery.QUEUED
    ).values_list("pk", flat=True)
    reply_ids = list(replies)
    assert reply_ids  # the agent's reply to Cora waits in the outbox

    erase_customer(customer=world.cora, by=Actor.of(admin_user))

    ours = [i for i in queued if i.payload.get("ticket") == world.ticket.pk or _leaks(i.payload)]
    assert ours == []
    assert queued.filter(kind="email.acknowledgement", payload__to="otto@example.org").exists()
    # Never sent, and no reason in words of one language: the ticket's history says it was erased.
    records = MessageEmail.objects.filter(pk__in=reply_ids)
    assert set(records.values_list("delivery", "reason")) == {(MessageEmail.Delivery.FAILED, "")}


def test_a_queued_webhook_about_their_ticket_goes_out_without_the_subject(world, admin_user):
    data = {"ticket": {"id": world.ticket.pk, "subject": world.ticket.subject, "status": "open"}}
    item = OutboxItem.objects.create(
        kind="automation.webhook", payload={"webhook": 1, "event": "x", "data": data}, idempotency_key="w1"
    )

    erase_customer(customer=world.cora, by=Actor.of(admin_user))

    item.refresh_from_db()
    assert item.payload["data"]["ticket"] == {"id": world.ticket.pk, "subject": "[erased]", "status": "open"}
    assert item.status == OutboxItem.Status.QUEUED


def test_chat_surveys_knowledge_and_notifications_forget_them(world, admin_user):
    erase_customer(customer=world.cora, by=Actor.of(admin_user))

    visitor = ChatVisitor.objects.get(user=world.cora)
    fields = (visitor.name, visitor.email, visitor.user_agent, visitor.current_url, visitor.current_title)
    assert _leaks(*fields) == []
    assert not PageView.objects.filter(visitor=visitor).exists()
    assert SatisfactionRating.objects.values_list("rating", "comment").get(customer=world.cora) == (1, "")
    assert NpsResponse.objects.values_list("score", "comment").get(customer=world.cora) == (3, "")
    assert Feedback.objects.values_list("helpful", "comment").get(user=world.cora) == (False, "")
    assert SuggestionSession.objects.values_list("user", "email_hash").get(token="cora-session") == (None, "")
    assert _leaks(list(Notification.objects.values_list("text", flat=True))) == []


def test_erasing_twice_is_harmless(world, admin_user):
    erase_customer(customer=world.cora, by=Actor.of(admin_user))
    events = TicketEvent.objects.count()

    erase_customer(customer=world.cora, by=Actor.of(admin_user))

    assert TicketEvent.objects.count() == events
    assert User.objects.get(pk=world.cora.pk).email == f"erased-{world.cora.pk}@erased.invalid"


def test_a_failure_inside_the_transaction_deletes_no_file(
    world, admin_user, django_capture_on_commit_callbacks
):
    attachment = Attachment.objects.get(message__ticket=world.ticket)
    files = [Path(attachment.file.path), Path(world.raw.file.path)]

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        erase_customer(customer=world.cora, by=Actor.of(admin_user))
        raise RuntimeError("the request failed after the erasure")

    assert [path.exists() for path in files] == [True, True]
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert User.objects.get(pk=world.cora.pk).email == "cora@example.com"


@pytest.mark.parametrize("role", ["agent", "manager", "customer"])
def test_only_an_administrator_may_erase(world, role):
    by = {"agent": AgentFactory, "manager": ManagerFactory}.get(role, lambda: world.cora)()

    with pytest.raises(NotPermitted):
        erase_customer(customer=world.cora, by=Actor.of(by))

    assert User.objects.get(pk=world.cora.pk).email == "cora@example.com"


def test_the_system_cannot_erase_without_an_administrator(world):
    with pytest.raises(NotPermitted):
        erase_customer(customer=world.cora, by=Actor.system())


def test_staff_accounts_cannot_be_erased(db, admin_user, agent):
    with pytest.raises(ValidationFailed):
        erase_customer(customer=agent, by=Actor.of(admin_user))

    assert User.objects.get(pk=agent.pk).name == "Ada Agent"
