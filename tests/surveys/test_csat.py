"""CSAT: one click from an email or the portal; a GET (a mail scanner) never records; changing overwrites."""

import pytest
from django.core import mail
from django.urls import reverse

from awn.connectors.email.models import MessageEmail
from awn.connectors.email.outbound import build_reply
from awn.outbox.models import OutboxItem
from awn.outbox.services import deliver_due
from awn.surveys import links, services, tokens
from awn.surveys.models import Rating, SatisfactionRating, SurveySettings
from awn.tickets.models import Status
from awn.tickets.services import Actor, add_customer_message, change_status
from tests.factories import AgentFactory, CustomerFactory, OrganizationFactory


def _token(ticket, message=None):
    return tokens.make_csat_token(
        ticket_id=ticket.pk, message_id=message.pk if message else None, customer_id=ticket.requester_id
    )


@pytest.mark.django_db
def test_opening_a_rating_link_records_nothing(client, ticket, reply):
    page = client.get(reverse("surveys:rate", args=[_token(ticket, reply), "bad"]))

    assert page.status_code == 200
    assert not SatisfactionRating.objects.exists()
    html = page.content.decode()
    assert 'value="bad"' in html and "checked" in html.split('value="bad"')[1].split(">")[0]
    assert page["Referrer-Policy"] == "same-origin" and "noindex" in page["X-Robots-Tag"]


@pytest.mark.django_db
def test_a_scanner_fetching_all_three_links_records_nothing(client, ticket, reply):
    token = _token(ticket, reply)

    for choice in ("good", "okay", "bad"):
        assert client.head(reverse("surveys:rate", args=[token, choice])).status_code == 200
        assert client.get(reverse("surveys:rate", args=[token, choice])).status_code == 200

    assert not SatisfactionRating.objects.exists()


@pytest.mark.django_db
def test_posting_the_rating_records_it_for_the_reply_and_its_agent(client, ticket, reply, agent, team):
    token = _token(ticket, reply)

    response = client.post(reverse("surveys:rate_submit", args=[token]), {"rating": "good", "comment": ""})

    assert response.status_code == 302 and response["Location"] == reverse(
        "surveys:rate_thanks", args=[token]
    )
    row = SatisfactionRating.objects.get()
    assert (row.ticket, row.message, row.customer, row.agent, row.team, row.rating) == (
        ticket,
        reply,
        ticket.requester,
        agent,
        team,
        Rating.GOOD,
    )


@pytest.mark.django_db
def test_clicking_another_rating_changes_the_one_given(client, ticket, reply):
    token = _token(ticket, reply)
    client.post(reverse("surveys:rate_submit", args=[token]), {"rating": "bad", "comment": "slow"})

    client.post(reverse("surveys:rate_submit", args=[token]), {"rating": "okay", "comment": "slow but fine"})

    row = SatisfactionRating.objects.get()
    assert (row.rating, row.comment) == (Rating.OKAY, "slow but fine")


@pytest.mark.django_db
def test_the_thanks_page_shows_the_rating_and_offers_a_comment(client, ticket, reply):
    token = _token(ticket, reply)
    client.post(reverse("surveys:rate_submit", args=[token]), {"rating": "good"})

    page = client.get(reverse("surveys:rate_thanks", args=[token]))

    assert page.status_code == 200
    assert "Thank you" in page.content.decode() and 'name="comment"' in page.content.decode()


@pytest.mark.django_db
def test_a_rating_without_a_choice_is_refused_with_a_message(client, ticket, reply):
    response = client.post(reverse("surveys:rate_submit", args=[_token(ticket, reply)]), {"rating": "great"})

    assert response.status_code == 422
    assert "Choose good, okay or bad." in response.content.decode()
    assert not SatisfactionRating.objects.exists()


@pytest.mark.django_db
def test_a_hostile_comment_is_stored_as_text_and_shown_escaped(client, ticket, reply, agent):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>\x1b[31m\u202e'
    token = _token(ticket, reply)
    client.post(reverse("surveys:rate_submit", args=[token]), {"rating": "bad", "comment": hostile})
    row = SatisfactionRating.objects.get()
    client.force_login(agent)

    panel = client.get(reverse("surveys:desk_ticket_ratings", args=[ticket.pk])).content.decode()
    client.logout()
    thanks = client.get(reverse("surveys:rate_thanks", args=[token])).content.decode()

    assert "\x1b" not in row.comment and "\u202e" not in row.comment and row.comment.startswith("<script>")
    for html in (panel, thanks):
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html


@pytest.mark.django_db
def test_the_solved_ticket_is_rated_with_the_agent_who_solved_it(client, solved, agent):
    client.post(reverse("surveys:rate_submit", args=[_token(solved)]), {"rating": "good"})

    row = SatisfactionRating.objects.get()
    assert row.message is None and row.agent == agent


@pytest.mark.django_db
def test_an_open_ticket_cannot_be_rated_as_a_whole(client, ticket, reply):
    response = client.post(reverse("surveys:rate_submit", args=[_token(ticket)]), {"rating": "good"})

    assert response.status_code == 403
    assert not SatisfactionRating.objects.exists()


@pytest.mark.django_db
def test_only_the_requester_can_rate(ticket, reply):
    from awn.core.errors import NotPermitted

    with pytest.raises(NotPermitted):
        services.rate(ticket=ticket, message=reply, customer=CustomerFactory(), rating=Rating.GOOD)


# --- the reply email -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_emailed_reply_carries_three_rating_links(ticket, reply):
    record = MessageEmail.objects.get(message=reply)

    built = build_reply(record)

    html = built.alternatives[0][0]
    expected = links.csat_links(ticket_id=ticket.pk, message_id=reply.pk, customer_id=ticket.requester_id)
    assert [link.label for link in expected] == ["Good", "Okay", "Bad"]
    for link in expected:
        assert link.url in built.body and link.url.replace("&", "&amp;") in html


@pytest.mark.django_db
def test_no_rating_links_when_ratings_on_replies_are_off(ticket, reply):
    SurveySettings.objects.create(team=None, csat_on_replies=False)

    built = build_reply(MessageEmail.objects.get(message=reply))

    assert "/survey/rate/" not in built.body


@pytest.mark.django_db
def test_a_team_can_switch_ratings_off_for_itself_only(ticket, reply, team):
    SurveySettings.objects.create(team=None, csat_on_replies=True)
    SurveySettings.objects.create(team=team, csat_on_replies=False)

    built = build_reply(MessageEmail.objects.get(message=reply))

    assert "/survey/rate/" not in built.body


# --- after a ticket is solved ------------------------------------------------------------------------


def _surveys():
    return [m for m in mail.outbox if "How did we do?" in m.subject]


@pytest.mark.django_db
def test_a_solved_ticket_is_asked_how_we_did_an_hour_later(now, ticket, agent, reply, run_events):
    with run_events():
        change_status(ticket=ticket, status=Status.SOLVED, by=Actor.of(agent))
    deliver_due()
    assert _surveys() == []

    now.advance(hours=1, seconds=1)
    deliver_due()

    [survey] = _surveys()
    assert survey.to == [ticket.requester.email] and "How did we do?" in survey.subject
    assert survey.extra_headers["Auto-Submitted"] == "auto-generated"
    assert survey.body.count("/survey/rate/") == 3


@pytest.mark.django_db
def test_a_ticket_reopened_before_the_survey_was_due_is_not_asked(now, ticket, agent, reply, run_events):
    with run_events():
        change_status(ticket=ticket, status=Status.SOLVED, by=Actor.of(agent))
        add_customer_message(ticket=ticket, author=ticket.requester, body="Still broken")

    now.advance(hours=2)
    deliver_due()

    assert _surveys() == []
    assert OutboxItem.objects.get(kind=services.CSAT_SOLVED_MAIL).status == OutboxItem.Status.SENT


@pytest.mark.django_db
def test_no_solved_survey_when_it_is_switched_off(ticket, agent, reply, run_events):
    SurveySettings.objects.create(team=None, csat_on_solve=False)

    with run_events():
        change_status(ticket=ticket, status=Status.SOLVED, by=Actor.of(agent))

    assert not OutboxItem.objects.filter(kind=services.CSAT_SOLVED_MAIL).exists()


@pytest.mark.django_db
def test_an_anonymous_chat_visitor_is_never_asked(ticket, agent, reply, run_events):
    visitor = ticket.requester
    visitor.email = "visitor-12ab@visitors.invalid"
    visitor.save(update_fields=["email"])

    with run_events():
        change_status(ticket=ticket, status=Status.SOLVED, by=Actor.of(agent))

    assert not OutboxItem.objects.filter(kind=services.CSAT_SOLVED_MAIL).exists()


# --- the portal: signed in, one click ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_requester_rates_a_reply_in_the_portal_with_one_click(client, ticket, reply, customer):
    client.force_login(customer)
    page = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert "How would you rate this reply?" in page

    response = client.post(
        reverse("surveys:portal_rate", args=[ticket.pk]), {"message": reply.pk, "rating": Rating.BAD}
    )

    assert response.status_code == 302 and response["Location"].endswith(f"#message-{reply.pk}")
    assert SatisfactionRating.objects.get().rating == Rating.BAD


@pytest.mark.django_db
def test_the_portal_offers_to_rate_a_solved_request(client, solved, customer):
    client.force_login(customer)

    page = client.get(reverse("portal:ticket", args=[solved.pk])).content.decode()

    assert 'id="rate-request"' in page


@pytest.mark.django_db
def test_a_customer_cannot_rate_someone_elses_ticket(client, ticket, reply):
    client.force_login(CustomerFactory())

    response = client.post(
        reverse("surveys:portal_rate", args=[ticket.pk]), {"message": reply.pk, "rating": Rating.GOOD}
    )

    assert response.status_code == 404
    assert not SatisfactionRating.objects.exists()


@pytest.mark.django_db
def test_a_colleague_who_can_see_the_ticket_still_cannot_rate_it(client, ticket, reply, customer):
    organization = OrganizationFactory(shared_tickets=True)
    colleague = CustomerFactory(organization=organization)
    customer.organization = organization
    customer.save(update_fields=["organization"])
    ticket.organization = organization
    ticket.save(update_fields=["organization"])
    client.force_login(colleague)
    page = client.get(reverse("portal:ticket", args=[ticket.pk]))
    assert page.status_code == 200 and "How would you rate this reply?" not in page.content.decode()

    client.post(
        reverse("surveys:portal_rate", args=[ticket.pk]), {"message": reply.pk, "rating": Rating.GOOD}
    )

    assert not SatisfactionRating.objects.exists()


@pytest.mark.django_db
def test_a_customer_message_cannot_be_rated(client, ticket, customer):
    own = add_customer_message(ticket=ticket, author=customer, body="me again")
    client.force_login(customer)

    client.post(reverse("surveys:portal_rate", args=[ticket.pk]), {"message": own.pk, "rating": Rating.GOOD})

    assert not SatisfactionRating.objects.exists()


# --- the desk -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_desk_ticket_page_loads_the_ratings_panel(client, ticket, reply, agent):
    services.rate(ticket=ticket, message=reply, customer=ticket.requester, rating=Rating.OKAY, comment="fine")
    client.force_login(agent)

    page = client.get(reverse("desk:ticket", args=[ticket.pk])).content.decode()
    panel = client.get(reverse("surveys:desk_ticket_ratings", args=[ticket.pk])).content.decode()
    sidebar = client.get(
        reverse("surveys:desk_customer_ratings", args=[ticket.requester_id])
    ).content.decode()

    assert reverse("surveys:desk_ticket_ratings", args=[ticket.pk]) in page
    assert reverse("surveys:desk_customer_ratings", args=[ticket.requester_id]) in page
    assert "Okay" in panel and "fine" in panel and f"#message-{reply.pk}" in panel
    assert "Okay: 1" in sidebar


@pytest.mark.django_db
def test_an_agent_outside_the_team_does_not_see_the_ratings(client, ticket, reply):
    services.rate(ticket=ticket, message=reply, customer=ticket.requester, rating=Rating.BAD, comment="rude")
    outsider = AgentFactory()
    client.force_login(outsider)

    panel = client.get(reverse("surveys:desk_ticket_ratings", args=[ticket.pk]))
    sidebar = client.get(
        reverse("surveys:desk_customer_ratings", args=[ticket.requester_id])
    ).content.decode()

    assert panel.status_code == 404
    assert "rude" not in sidebar and "Bad: 1" not in sidebar


@pytest.mark.django_db
def test_customers_cannot_open_the_desk_panels(client, ticket, customer):
    client.force_login(customer)

    assert client.get(reverse("surveys:desk_ticket_ratings", args=[ticket.pk])).status_code == 403


def test_a_persian_comment_keeps_its_half_spaces():
    assert services.clean_comment("می\u200cخواهم  \r\n") == "می\u200cخواهم"


@pytest.mark.django_db
def test_the_desk_panels_cost_a_fixed_number_of_queries(client, ticket, agent, django_assert_num_queries):
    from awn.tickets.services import reply_to_ticket

    client.force_login(agent)
    panel = reverse("surveys:desk_ticket_ratings", args=[ticket.pk])
    sidebar = reverse("surveys:desk_customer_ratings", args=[ticket.requester_id])
    first = reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="one")
    services.rate(ticket=ticket, message=first, customer=ticket.requester, rating=Rating.GOOD)
    with django_assert_num_queries(PANEL_QUERIES):
        client.get(panel)
    with django_assert_num_queries(SIDEBAR_QUERIES):
        client.get(sidebar)

    for index in range(5):
        reply = reply_to_ticket(ticket=ticket, by=Actor.of(AgentFactory()), body=f"more {index}")
        services.rate(ticket=ticket, message=reply, customer=ticket.requester, rating=Rating.BAD, comment="x")

    with django_assert_num_queries(PANEL_QUERIES):
        client.get(panel)
    with django_assert_num_queries(SIDEBAR_QUERIES):
        client.get(sidebar)


# session, user; the agent's teams (visibility), the ticket, its ratings with agents and replies.
PANEL_QUERIES = 5
# session, user; the customer; the agent's teams (visibility) for the counts and for the latest ratings; the
# latest ratings; the last NPS answer.
SIDEBAR_QUERIES = 7


@pytest.mark.django_db
def test_a_rating_is_recorded_from_a_browser_without_cookies(ticket, reply):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)

    response = browser.post(reverse("surveys:rate_submit", args=[_token(ticket, reply)]), {"rating": "good"})

    assert response.status_code == 302
    assert SatisfactionRating.objects.get().rating == Rating.GOOD
