"""Inbound mail finds its ticket: our Message-IDs first, then [#n] in the subject, then support+t<n>@."""

import pytest

from awn.connectors.email.ingest import receive_raw_email
from awn.connectors.email.models import MessageEmail, RawEmail
from awn.tickets.services import Actor, reply_to_ticket
from tests.connectors.email.mails import make_mail
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def ingest(raw, mailbox, **kwargs):
    return receive_raw_email(raw=raw, source=RawEmail.Source.HTTP, mailbox=mailbox, **kwargs)


@pytest.fixture
def first(mailbox):
    return ingest(make_mail(message_id="<first@mail.example.com>"), mailbox)


def test_a_new_message_opens_a_ticket_for_the_mailboxs_team(mailbox):
    row = ingest(make_mail(), mailbox)

    assert row.status == RawEmail.Status.INGESTED
    ticket = row.message.ticket
    assert ticket.channel == "email"
    assert ticket.team == mailbox.team
    assert ticket.requester.email == "customer@example.com"
    assert ticket.requester.name == "Cora Customer"
    assert ticket.subject == "My printer is on fire"


def test_a_reply_to_our_reply_joins_the_ticket_by_in_reply_to(mailbox, agent, first):
    ticket = first.message.ticket
    ours = reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Unplug it.")
    our_id = MessageEmail.objects.get(message=ours).message_id_header

    row = ingest(
        make_mail(subject="Re: something else entirely", text="Done, thanks", in_reply_to=our_id), mailbox
    )

    assert row.message.ticket_id == ticket.pk
    assert "threaded by headers" in row.reason


def test_a_reply_found_only_in_references_joins_the_ticket(mailbox, first):
    row = ingest(make_mail(subject="Other", references="<unknown@x> <first@mail.example.com> <b@x>"), mailbox)

    assert row.message.ticket_id == first.message.ticket_id


def test_a_subject_token_joins_the_ticket_when_headers_are_lost(mailbox, first):
    ticket = first.message.ticket

    row = ingest(make_mail(subject=f"Re: [#{ticket.number}] My printer", text="Still smoking"), mailbox)

    assert row.message.ticket_id == ticket.pk
    assert "threaded by subject" in row.reason


def test_a_plus_address_joins_the_ticket(mailbox, first):
    ticket = first.message.ticket

    row = ingest(make_mail(to=f"support+t{ticket.number}@acme.example", subject="no token"), mailbox)

    assert row.message.ticket_id == ticket.pk
    assert "threaded by plus-address" in row.reason


def test_a_plus_address_of_someone_elses_domain_is_not_a_ticket_token(mailbox, first):
    ticket = first.message.ticket

    row = ingest(make_mail(to=f"support+t{ticket.number}@evil.example", subject="new thing"), mailbox)

    assert row.message.ticket_id != ticket.pk


def test_a_stranger_quoting_a_ticket_number_starts_their_own_ticket(mailbox, first):
    ticket = first.message.ticket

    row = ingest(
        make_mail(sender="mallory@evil.example", subject=f"[#{ticket.number}] give me the data"), mailbox
    )

    assert row.message.ticket_id != ticket.pk
    assert row.message.ticket.requester.email == "mallory@evil.example"


def test_mail_without_any_thread_hint_opens_a_new_ticket(mailbox, first):
    row = ingest(make_mail(subject="Another problem"), mailbox)

    assert row.message.ticket_id != first.message.ticket_id


def test_the_same_message_fetched_twice_makes_one_message(mailbox):
    raw = make_mail(message_id="<twice@mail.example.com>")
    ingest(raw, mailbox)

    again = ingest(raw, mailbox)

    assert again.status == RawEmail.Status.DUPLICATE
    assert MessageEmail.objects.filter(message_id_header="<twice@mail.example.com>").count() == 1
    assert RawEmail.objects.count() == 2  # both arrivals are on record


def test_the_same_message_through_two_mailboxes_makes_one_message(mailbox):
    from awn.connectors.email.models import Mailbox

    sales = Mailbox.objects.create(name="Sales", address="sales@acme.example", inbound="http")
    raw = make_mail(to="support@acme.example, sales@acme.example", message_id="<both@mail.example.com>")
    ingest(raw, mailbox)

    again = ingest(raw, sales)

    assert again.status == RawEmail.Status.DUPLICATE


def test_people_in_cc_become_followers_but_our_own_addresses_do_not(mailbox):
    row = ingest(
        make_mail(
            to="support@acme.example, colleague@example.com",
            cc="Boss <boss@example.com>, support+t9@acme.example",
        ),
        mailbox,
    )

    followers = sorted(row.message.ticket.followers.values_list("email", flat=True))
    assert followers == ["boss@example.com", "colleague@example.com"]


def test_cc_on_a_reply_adds_followers_to_the_ticket(mailbox, first):
    ticket = first.message.ticket

    ingest(make_mail(subject=f"Re: [#{ticket.number}]", cc="new.person@example.com"), mailbox)

    assert list(ticket.followers.values_list("email", flat=True)) == ["new.person@example.com"]


def test_mail_from_an_agents_own_address_counts_as_the_agents_reply(mailbox, agent, first):
    ticket = first.message.ticket

    row = ingest(
        make_mail(
            sender=f"Ada <{agent.email}>",
            subject=f"Re: [#{ticket.number}] My printer",
            text="I called them; fixed.",
        ),
        mailbox,
    )

    message = row.message
    assert message.ticket_id == ticket.pk
    assert message.author == agent
    assert message.is_from_staff
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None


def test_a_customer_reply_reopens_a_solved_ticket(mailbox, agent, first):
    ticket = first.message.ticket
    reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Fixed", status="solved")

    ingest(make_mail(subject=f"Re: [#{ticket.number}]", text="No it is not"), mailbox)

    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_a_follower_may_reply_into_the_thread(mailbox):
    row = ingest(make_mail(cc="boss@example.com"), mailbox)
    ticket = row.message.ticket

    reply = ingest(
        make_mail(sender="boss@example.com", subject=f"Re: [#{ticket.number}]", text="+1"), mailbox
    )

    assert reply.message.ticket_id == ticket.pk
    assert reply.message.author == CustomerFactory._meta.model.objects.get(email="boss@example.com")
