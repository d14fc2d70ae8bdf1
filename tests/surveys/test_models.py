import pytest
from django.db import IntegrityError, transaction

from awn.surveys.models import NpsResponse, Rating, SatisfactionRating, SurveySettings
from awn.tickets.services import Actor, reply_to_ticket


@pytest.mark.django_db
def test_a_customer_has_one_rating_per_reply_and_one_per_solved_ticket(ticket, customer, agent):
    reply = reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Unplug it")
    SatisfactionRating.objects.create(ticket=ticket, message=reply, customer=customer, rating=Rating.GOOD)
    SatisfactionRating.objects.create(ticket=ticket, message=None, customer=customer, rating=Rating.BAD)

    for message in (reply, None):
        with pytest.raises(IntegrityError), transaction.atomic():
            SatisfactionRating.objects.create(
                ticket=ticket, message=message, customer=customer, rating=Rating.OKAY
            )


@pytest.mark.django_db
def test_a_ticket_triggers_at_most_one_nps_survey(ticket, customer):
    NpsResponse.objects.create(customer=customer, ticket=ticket)

    with pytest.raises(IntegrityError), transaction.atomic():
        NpsResponse.objects.create(customer=customer, ticket=ticket)


@pytest.mark.django_db
def test_an_nps_score_above_ten_is_refused_by_the_database(customer):
    with pytest.raises(IntegrityError), transaction.atomic():
        NpsResponse.objects.create(customer=customer, score=11)


@pytest.mark.django_db
def test_there_is_one_global_survey_settings_row(team):
    SurveySettings.objects.create(team=None)
    SurveySettings.objects.create(team=team)

    with pytest.raises(IntegrityError), transaction.atomic():
        SurveySettings.objects.create(team=None)
