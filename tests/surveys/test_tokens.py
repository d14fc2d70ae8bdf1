"""Survey links are signed, bound to one ticket, reply and customer, and expire."""

import pytest
from django.core import signing
from django.urls import reverse

from awn.surveys import tokens
from awn.surveys.models import SatisfactionRating
from tests.factories import CustomerFactory


def _link(ticket, message, customer) -> str:
    return tokens.make_csat_token(
        ticket_id=ticket.pk, message_id=message.pk if message else None, customer_id=customer.pk
    )


@pytest.mark.django_db
def test_a_token_reads_back_what_it_was_made_for(ticket, reply, customer):
    claim = tokens.read_csat_token(_link(ticket, reply, customer))

    assert (claim.ticket_id, claim.message_id, claim.customer_id) == (ticket.pk, reply.pk, customer.pk)


@pytest.mark.django_db
def test_a_tampered_token_is_refused_and_records_nothing(client, ticket, reply, customer):
    token = _link(ticket, reply, customer)
    value, signature = token.rsplit(":", 1)
    tampered = f"{value}:{signature[:-2]}{'AA' if not signature.endswith('AA') else 'BB'}"

    page = client.get(reverse("surveys:rate", args=[tampered, "good"]))
    posted = client.post(reverse("surveys:rate_submit", args=[tampered]), {"rating": "good"})

    assert page.status_code == 404 and posted.status_code == 404
    assert "not valid" in page.content.decode()
    assert not SatisfactionRating.objects.exists()


@pytest.mark.django_db
def test_a_token_forged_without_the_secret_key_is_refused(ticket, reply, customer):
    forged = signing.dumps(
        {"t": ticket.pk, "m": reply.pk, "c": customer.pk, "x": 2**40},
        key="not-the-secret",
        salt=tokens.CSAT_SALT,
    )

    with pytest.raises(tokens.InvalidSurveyLink) as refused:
        tokens.read_csat_token(forged)

    assert refused.value.reason == "invalid"


@pytest.mark.django_db
def test_an_nps_token_does_not_work_as_a_rating_token(ticket, customer):
    with pytest.raises(tokens.InvalidSurveyLink):
        tokens.read_csat_token(tokens.make_nps_token(response_id=ticket.pk))


@pytest.mark.django_db
def test_an_expired_link_says_so_and_records_nothing(client, now, ticket, reply, customer):
    token = _link(ticket, reply, customer)
    now.advance(days=30, seconds=1)

    page = client.get(reverse("surveys:rate", args=[token, "bad"]))
    posted = client.post(reverse("surveys:rate_submit", args=[token]), {"rating": "bad"})

    assert page.status_code == 410 and posted.status_code == 410
    assert "expired" in page.content.decode()
    assert not SatisfactionRating.objects.exists()


@pytest.mark.django_db
def test_a_link_still_works_on_its_last_day(client, now, ticket, reply, customer):
    token = _link(ticket, reply, customer)
    now.advance(days=29, hours=23)

    assert client.get(reverse("surveys:rate", args=[token, "good"])).status_code == 200


@pytest.mark.django_db
def test_a_link_stops_working_when_the_ticket_changes_requester(client, ticket, reply, customer):
    token = _link(ticket, reply, customer)
    ticket.requester = CustomerFactory()
    ticket.save(update_fields=["requester"])

    assert client.get(reverse("surveys:rate", args=[token, "good"])).status_code == 404


@pytest.mark.django_db
def test_a_link_to_an_internal_note_is_refused(client, ticket, agent, customer):
    from awn.tickets.services import Actor, add_internal_note

    note = add_internal_note(ticket=ticket, by=Actor.of(agent), body="secret")

    assert (
        client.get(reverse("surveys:rate", args=[_link(ticket, note, customer), "good"])).status_code == 404
    )
