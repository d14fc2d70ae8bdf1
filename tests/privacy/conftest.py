"""A customer with personal data in every store Awn keeps, and another customer who must stay untouched."""

from dataclasses import dataclass

import pytest
from django.contrib.sessions.backends.db import SessionStore

from awn.accounts.api_tokens import create_api_token
from awn.accounts.models import CustomerEmail, User
from awn.automation.models import Notification
from awn.connectors.chat.models import ChatVisitor, PageView
from awn.connectors.email.ingest import receive_raw_email
from awn.connectors.email.models import Mailbox, RawEmail
from awn.core import clock
from awn.knowledge import services as knowledge
from awn.knowledge.deflection import email_hash
from awn.knowledge.models import Feedback, SuggestionSession
from awn.surveys.models import NpsResponse, SatisfactionRating
from awn.tickets.models import Message, Ticket
from awn.tickets.services import (
    Actor,
    add_customer_message,
    add_followers,
    add_internal_note,
    reply_to_ticket,
)
from tests.chat.factories import ChatWidgetFactory
from tests.connectors.email.mails import make_mail
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, OrganizationFactory

SECRET_WORD = "zanzibarwombat"  # a word only Cora's request holds
OTHER_WORD = "quokkaharbour"  # a word only Otto's request holds


@dataclass
class World:
    cora: User
    otto: User
    ticket: Ticket  # Cora's request
    others_ticket: Ticket  # Otto's request, Cora copied and following
    cora_on_others: Message  # what Cora wrote on Otto's ticket
    raw: RawEmail  # Cora's mail as it arrived
    others_raw: RawEmail  # Otto's mail, which copied Cora
    session_key: str


@pytest.fixture
def mailbox(db, team):
    return Mailbox.objects.create(
        name="Acme Support",
        address="support@acme.example",
        team=team,
        inbound=Mailbox.Inbound.HTTP,
        send_acknowledgement=True,
    )


def _ingest(raw: bytes, mailbox: Mailbox) -> RawEmail:
    return receive_raw_email(raw=raw, source=RawEmail.Source.HTTP, mailbox=mailbox)


def _article():
    manager = ManagerFactory()
    category = knowledge.save_category(by=manager, names={"en": "Account"})
    section = knowledge.save_section(by=manager, category=category, names={"en": "Signing in"})
    return knowledge.create_article(
        by=AgentFactory(), section=section, language="en", title="Resetting a password", publish=True
    )


@pytest.fixture
def world(db, mailbox, agent, team):
    cora = CustomerFactory(
        email="cora@example.com",
        name="Cora Customer",
        phone="+49 151 5550199",
        plan="gold",
        attributes={"crm_id": "CRM-0042"},
        last_login=clock.now(),
        organization=OrganizationFactory(name="Cora's Company"),
    )
    CustomerEmail.objects.create(user=cora, email="cora.private@example.net")
    create_api_token(user=cora, name="laptop")
    store = SessionStore()
    store["_auth_user_id"] = str(cora.pk)
    store.create()

    raw = _ingest(
        make_mail(
            sender="Cora Customer <cora@example.com>",
            subject="Cora's invoice for flat 3b",
            text=f"My {SECRET_WORD} is broken, call me on +49 151 5550199.",
            attachments=[("passport.pdf", b"%PDF cora passport", "application/pdf")],
        ),
        mailbox,
    )
    ticket = raw.message.ticket
    reply_to_ticket(ticket=ticket, by=Actor.of(agent), body=f"Dear Cora Customer, about your {SECRET_WORD}…")
    add_internal_note(ticket=ticket, by=Actor.of(agent), body="Cora Customer called, cora@example.com")

    others_raw = _ingest(
        make_mail(
            sender="Otto Other <otto@example.org>",
            subject="Otto's shipment",
            text=f"Where is my {OTHER_WORD}?",
            cc="Cora Customer <cora@example.com>, Zed <zed@example.org>",
        ),
        mailbox,
    )
    others_ticket = others_raw.message.ticket
    otto = others_ticket.requester
    add_followers(ticket=others_ticket, users=[cora], by=Actor.of(agent))
    cora_on_others = add_customer_message(
        ticket=others_ticket, author=cora, body=f"Mine too, my {SECRET_WORD} never came."
    )

    widget = ChatWidgetFactory(team=team)
    visitor = ChatVisitor.objects.create(
        widget=widget,
        user=cora,
        name="Cora Customer",
        email="cora@example.com",
        user_agent="Mozilla/5.0 Cora",
        current_url="https://shop.example/account/cora",
        current_title="Cora's account",
    )
    PageView.objects.create(visitor=visitor, url="https://shop.example/account/cora", title="Cora's account")
    SatisfactionRating.objects.create(ticket=ticket, customer=cora, rating=1, comment="Cora is unhappy")
    NpsResponse.objects.create(customer=cora, ticket=ticket, score=3, comment="Cora would not recommend")
    translation = _article()
    Feedback.objects.create(
        translation=translation, helpful=False, comment="Cora found it unclear", user=cora
    )
    SuggestionSession.objects.create(
        token="cora-session", source="portal", language="en", user=cora, email_hash=email_hash(cora.email)
    )
    Notification.objects.create(recipient=agent, ticket=ticket, text="Cora Customer is waiting")
    return World(
        cora=cora,
        otto=otto,
        ticket=ticket,
        others_ticket=others_ticket,
        cora_on_others=cora_on_others,
        raw=RawEmail.objects.get(pk=raw.pk),
        others_raw=RawEmail.objects.get(pk=others_raw.pk),
        session_key=store.session_key,
    )
