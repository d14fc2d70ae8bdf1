"""Saved replies: placeholders, language variants, shared and personal, search, insert from the reply box."""

import pytest
from django.urls import reverse

from awn.automation.models import SavedReply
from awn.automation.services import save_saved_reply
from awn.core.errors import NotPermitted, ValidationFailed
from awn.tickets.models import Status
from awn.tickets.services import Actor, reply_to_ticket
from tests.factories import AgentFactory


@pytest.fixture
def refund(rules_admin):
    return save_saved_reply(
        by=rules_admin,
        title="Refund",
        shortcut="refund",
        shared=True,
        body="Hi {{ requester.first_name }}, {{ agent.name }} here: #{{ ticket.number }} is refunded.",
        variants={"fa": "سلام {{ requester.first_name }}، مبلغ بازگردانده شد."},
        actions={"status": "pending", "add_tags": ["refund"]},
    )


def insert(client, ticket, reply):
    return client.post(reverse("automation:saved_reply_insert", args=[ticket.pk, reply.pk]))


def test_inserting_fills_the_placeholders_for_this_ticket(client, agent, ticket, refund):
    client.force_login(agent)

    text = insert(client, ticket, refund).json()["text"]

    assert text == f"Hi Cora, Ada Agent here: #{ticket.pk} is refunded."


def test_the_variant_in_the_tickets_language_is_inserted(client, agent, ticket, refund):
    ticket.language = "fa"
    ticket.save(update_fields=["language"])
    client.force_login(agent)

    assert insert(client, ticket, refund).json()["text"] == "سلام Cora، مبلغ بازگردانده شد."


def test_the_actions_apply_when_the_agent_sends_the_reply(
    client, agent, ticket, refund, django_capture_on_commit_callbacks
):
    client.force_login(agent)
    insert(client, ticket, refund)

    with django_capture_on_commit_callbacks(execute=True):
        reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Refunded")

    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert set(ticket.tags.values_list("name", flat=True)) == {"refund"}


def test_inserting_without_sending_changes_nothing(client, agent, ticket, refund):
    client.force_login(agent)

    insert(client, ticket, refund)

    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and not ticket.tags.exists()


def test_the_picker_finds_replies_by_title_shortcut_or_text(client, agent, ticket, refund, rules_admin):
    save_saved_reply(by=rules_admin, title="Shipping", body="Your parcel is on its way", shared=True)
    client.force_login(agent)

    found = client.get(
        reverse("automation:saved_reply_picker", args=[ticket.pk]), {"saved_reply_q": "parcel"}
    ).content.decode()

    assert "Shipping" in found and "Refund" not in found


def test_personal_replies_are_only_their_owners(client, ticket, agent):
    mine = save_saved_reply(by=agent, title="My sign-off", body="Cheers, Ada", shared=False)
    other = AgentFactory()
    client.force_login(other)

    assert client.post(reverse("automation:saved_reply_insert", args=[ticket.pk, mine.pk])).status_code == 404
    assert "My sign-off" not in client.get(reverse("automation:saved_replies")).content.decode()


def test_the_picker_refuses_tickets_outside_ones_view(client, ticket, refund):
    from tests.factories import TeamFactory

    outsider = AgentFactory()
    TeamFactory(members=[outsider])
    client.force_login(outsider)

    assert client.get(reverse("automation:saved_reply_picker", args=[ticket.pk])).status_code == 404
    assert insert(client, ticket, refund).status_code == 404


def test_only_admins_share_saved_replies(agent):
    with pytest.raises(NotPermitted):
        save_saved_reply(by=agent, title="Everyone", body="Hi", shared=True)

    assert not SavedReply.objects.exists()


def test_unknown_placeholders_are_refused(agent):
    with pytest.raises(ValidationFailed):
        save_saved_reply(by=agent, title="Leak", body="{{ requester.password }}", shared=False)


def test_placeholders_cannot_reach_beyond_the_listed_names(client, agent, ticket, rules_admin):
    reply = SavedReply.objects.create(
        title="Sneaky", body="{{ requester.password }} {{ ticket.requester.email }}"
    )
    client.force_login(agent)

    text = insert(client, ticket, reply).json()["text"]

    assert text == "{{ requester.password }} {{ ticket.requester.email }}"


def test_hostile_text_is_escaped_in_the_picker(client, agent, ticket):
    save_saved_reply(by=agent, title="<img src=x onerror=alert(1)>", body="<script>x</script>", shared=False)
    client.force_login(agent)

    found = client.get(reverse("automation:saved_reply_picker", args=[ticket.pk])).content.decode()

    assert "<img" not in found and "<script>" not in found


def test_an_agent_creates_a_personal_reply_with_variants_from_the_form(client, agent):
    client.force_login(agent)

    response = client.post(
        reverse("automation:saved_reply_new"),
        {
            "title": "Thanks",
            "body": "Thanks {{ requester.first_name }}!",
            "variant_ar": "شكرا {{ requester.first_name }}!",
            "add_tags": "thanks",
            "set_status": "",
        },
    )

    reply = SavedReply.objects.get()
    assert response.status_code == 302
    assert (reply.owner_id, reply.actions) == (agent.pk, {"add_tags": ["thanks"]})
    assert [(v.language, v.body) for v in reply.variants.all()] == [
        ("ar", "شكرا {{ requester.first_name }}!")
    ]
