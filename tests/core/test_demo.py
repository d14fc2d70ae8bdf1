"""The demo helpdesk that `awn demo` and `make run` load."""

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.db.models import Count, Q
from django.urls import reverse

from awn.accounts.models import Organization, Role, Team, User
from awn.core import clock
from awn.demo import DEMO_PASSWORD, demo_is_loaded, load_demo, reset_demo
from awn.demo.people import CUSTOMERS
from awn.surveys.models import NpsResponse, Rating, SatisfactionRating
from awn.tickets.models import Channel, Message, Status, Ticket, TicketEvent

ARABIC_ONLY = re.compile("[يكةى]")  # Arabic yeh, keheh-less kaf, teh marbuta, alef maksura
PERSIAN_ONLY = re.compile("[یکپچژگ]")  # Persian yeh and keheh, and the four letters Arabic lacks
LATIN = re.compile("[A-Za-z]")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load the demo once for this module (it takes seconds); remove it afterwards."""
    with django_db_blocker.unblock():
        outcome = load_demo()
        yield outcome
        reset_demo()


pytestmark = pytest.mark.django_db


def test_demo_loads_about_two_hundred_tickets_for_three_teams(demo):
    tickets = Ticket.objects.all()

    teams = set(Team.objects.values_list("name", flat=True))

    assert demo.loaded and demo.tickets == tickets.count() == 200
    assert teams == {"Support", "Billing", "Engineering"}
    assert set(tickets.exclude(team=None).values_list("team__name", flat=True)) == teams


def test_demo_tickets_are_written_in_english_arabic_and_persian(demo):
    subjects = {
        language: list(Ticket.objects.filter(requester__language=language).values_list("subject", flat=True))
        for language in ("en", "ar", "fa")
    }

    in_script = {
        "en": [s for s in subjects["en"] if LATIN.search(s)],
        "ar": [s for s in subjects["ar"] if ARABIC_ONLY.search(s) and not PERSIAN_ONLY.search(s)],
        "fa": [s for s in subjects["fa"] if PERSIAN_ONLY.search(s)],
    }

    for language in ("en", "ar", "fa"):
        assert len(subjects[language]) >= 30
        assert len(in_script[language]) == len(subjects[language]), language


def test_demo_history_is_spread_over_sixty_days_and_never_in_the_future(demo):
    now = clock.now()

    created = list(Ticket.objects.values_list("created_at", flat=True))
    latest_event = TicketEvent.objects.order_by("-created_at").values_list("created_at", flat=True).first()

    assert min(created) >= now - timedelta(days=61)
    assert min(created) <= now - timedelta(days=45)
    assert max(created) >= now - timedelta(days=2)
    assert latest_event <= now


def test_every_demo_ticket_has_its_history_recorded_by_the_services(demo):
    tickets = Ticket.objects.annotate(
        created_events=Count("events", filter=Q(events__kind=TicketEvent.Kind.CREATED))
    )

    messages = Message.objects.count()

    assert all(ticket.created_events == 1 for ticket in tickets)
    assert messages == sum(ticket.message_count for ticket in tickets)
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.MESSAGE).count() >= 400


def test_demo_has_replies_notes_tags_merges_and_every_status_and_channel(demo):
    agent_replies = Message.objects.filter(internal=False, author__role__in=[Role.AGENT, Role.MANAGER])

    notes = Message.objects.filter(internal=True)

    assert agent_replies.count() >= 150
    assert notes.count() >= 40
    assert Ticket.objects.filter(tags__isnull=False).distinct().count() >= 150
    assert Ticket.objects.filter(merged_into__isnull=False).count() == 3
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Ticket.objects.values_list("channel", flat=True)) == set(Channel.values)


def test_demo_customers_belong_to_organizations_one_of_which_shares_its_tickets(demo):
    customers = User.objects.filter(role=Role.CUSTOMER)

    shared = Organization.objects.filter(shared_tickets=True)

    assert 30 <= customers.count() <= 50 and customers.count() == len(CUSTOMERS)
    assert customers.exclude(organization=None).count() >= 15
    assert list(shared.values_list("name", flat=True)) == ["Northwind Traders"]


@pytest.mark.parametrize(
    ("email", "role", "language"),
    [
        ("admin@awn.example", Role.ADMIN, "en"),
        ("manager@awn.example", Role.MANAGER, "en"),
        ("agent1@awn.example", Role.AGENT, "en"),
        ("agent-ar@awn.example", Role.AGENT, "ar"),
        ("agent-fa@awn.example", Role.AGENT, "fa"),
        ("customer@awn.example", Role.CUSTOMER, "en"),
    ],
)
def test_demo_sign_ins_work_with_the_demo_password(demo, email, role, language):
    user = authenticate(email=email, password=DEMO_PASSWORD)

    assert user is not None
    assert (user.role, user.language) == (role, language)


def test_agent1_sees_only_support_and_untriaged_tickets(demo):
    agent = User.objects.get(email="agent1@awn.example")

    visible = Ticket.objects.visible_to(agent)

    assert 0 < visible.count() < Ticket.objects.count()
    assert set(visible.exclude(team=None).values_list("team__name", flat=True)) <= {"Support"} | set(
        visible.filter(assignee=agent).values_list("team__name", flat=True)
    )


def test_a_share_of_solved_demo_tickets_carry_mostly_good_ratings_from_their_requesters(demo):
    solved = Ticket.objects.filter(solved_at__isnull=False, merged_into=None)

    ratings = list(SatisfactionRating.objects.select_related("ticket", "agent"))
    of_requests = [rating for rating in ratings if rating.message_id is None]
    of_replies = [rating for rating in ratings if rating.message_id is not None]
    counts = Counter(rating.rating for rating in ratings)

    assert 0.2 * solved.count() <= len(of_requests) <= 0.5 * solved.count()
    assert of_replies
    assert counts[Rating.GOOD] > counts[Rating.OKAY] + counts[Rating.BAD] and counts[Rating.BAD] > 0
    for rating in ratings:
        assert rating.customer_id == rating.ticket.requester_id
        assert rating.agent.is_staff_member and rating.team_id == rating.ticket.team_id
        assert rating.created_at > (
            rating.ticket.solved_at if rating.message_id is None else rating.ticket.created_at
        )


def test_demo_rating_comments_are_written_in_the_customer_language(demo):
    commented = SatisfactionRating.objects.exclude(comment="").select_related("customer")

    by_language = {rating.customer.language: rating.comment for rating in commented}

    assert set(by_language) == {"en", "ar", "fa"}
    assert LATIN.search(by_language["en"])
    assert ARABIC_ONLY.search(by_language["ar"]) and not PERSIAN_ONLY.search(by_language["ar"])
    assert PERSIAN_ONLY.search(by_language["fa"])


def test_demo_customers_were_sent_nps_surveys_a_week_after_solving_and_answered_some(demo):
    responses = list(NpsResponse.objects.select_related("ticket"))

    answered = [response for response in responses if response.score is not None]

    assert len(answered) >= 3 and len(responses) > len(answered)
    assert len({response.customer_id for response in responses}) == len(responses)  # once per 90 days
    for response in responses:
        assert response.sent_at >= response.ticket.solved_at + timedelta(days=7)
    assert all(response.sent_at < response.answered_at <= clock.now() for response in answered)


def test_the_reports_dashboard_shows_the_demo_csat(demo, client):
    today = clock.now().date()
    client.force_login(User.objects.get(email="admin@awn.example"))

    response = client.get(
        reverse("reports:dashboard"),
        {"start": (today - timedelta(days=61)).isoformat(), "end": today.isoformat()},
    )

    figure = re.search(r'data-metric="csat">([^<]*)<', response.content.decode())
    assert response.status_code == 200
    assert figure and re.search(r"[0-9]+(\.[0-9])?%", figure.group(1))


def test_loading_the_demo_again_changes_nothing(demo):
    before = (Ticket.objects.count(), Message.objects.count(), TicketEvent.objects.count())

    outcome = load_demo()

    assert not outcome.loaded
    assert (Ticket.objects.count(), Message.objects.count(), TicketEvent.objects.count()) == before
    assert demo_is_loaded()


def test_resetting_the_demo_loads_the_same_tickets_again(demo):
    subjects = list(Ticket.objects.order_by("created_at").values_list("subject", flat=True))

    outcome = load_demo(reset=True)

    assert outcome.loaded
    assert list(Ticket.objects.order_by("created_at").values_list("subject", flat=True)) == subjects
    assert User.objects.filter(email="admin@awn.example").count() == 1
