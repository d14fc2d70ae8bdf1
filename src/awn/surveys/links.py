"""Absolute survey links for emails: one per rating (or score), each carrying the same signed token."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from awn.surveys import tokens
from awn.surveys.models import NpsResponse, Rating

# URL words for the ratings: what the customer sees in the link, never a number that reads like a score.
RATING_SLUGS: dict[int, str] = {Rating.GOOD: "good", Rating.OKAY: "okay", Rating.BAD: "bad"}
SLUG_RATINGS = {slug: value for value, slug in RATING_SLUGS.items()}


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    value: int


def rating_labels() -> dict[int, str]:
    return {Rating.GOOD: _("Good"), Rating.OKAY: _("Okay"), Rating.BAD: _("Bad")}


def csat_links(*, ticket_id: int, message_id: int | None, customer_id: int) -> list[Link]:
    """Good, okay, bad: the three links of one rating request, best first."""
    token = tokens.make_csat_token(ticket_id=ticket_id, message_id=message_id, customer_id=customer_id)
    labels = rating_labels()
    return [
        Link(labels[value], settings.AWN_BASE_URL + reverse("surveys:rate", args=[token, slug]), value)
        for value, slug in sorted(RATING_SLUGS.items(), reverse=True)
    ]


def nps_links(response: NpsResponse) -> list[Link]:
    """0 to 10, one link each."""
    token = tokens.make_nps_token(response_id=response.pk)
    return [
        Link(str(score), settings.AWN_BASE_URL + reverse("surveys:nps", args=[token, score]), score)
        for score in range(11)
    ]
