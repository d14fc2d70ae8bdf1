"""Suggestions while a request is typed, and deflections: read a suggestion, never send the request."""

from datetime import timedelta

import pytest
from django.urls import reverse

from awn.core import clock
from awn.knowledge import deflection, metrics
from awn.knowledge.models import ArticleStat, SuggestionSession, Visibility
from awn.tickets.models import Ticket
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def suggest(client, **params):
    return client.get(reverse("knowledge:suggest"), params)


def test_typing_a_request_suggests_matching_articles(client, publish):
    publish("Reset your password", "Use the sign-in page.")
    publish("Export invoices")

    response = suggest(client, source="contact", subject="Cannot log in", message="I forgot my password")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Reset your password" in html
    assert "Export invoices" not in html
    assert "from=suggestion" in html


def test_too_little_text_suggests_nothing_and_opens_no_session(client, publish):
    publish("Reset your password")

    response = suggest(client, subject="pa", message="")

    assert "Reset your password" not in response.content.decode()
    assert not SuggestionSession.objects.exists()


def test_internal_articles_are_never_suggested_to_customers(client, publish):
    publish("Refund policy for agents", visibility=Visibility.INTERNAL)

    response = suggest(client, subject="refund please")

    assert "Refund policy" not in response.content.decode()


def test_suggestions_follow_the_language_of_the_form(client, publish, translate):
    english = publish("Reset your password")
    translate(english, "fa", "بازنشانی رمز عبور")

    response = suggest(client, subject="رمز عبورم را فراموش کردم", lang="fa")

    assert "بازنشانی رمز عبور" in response.content.decode()


def test_each_suggested_article_is_counted_once_per_session(client, publish):
    translation = publish("Reset your password")
    first = suggest(client, subject="reset password")
    token = first.context["token"]

    suggest(client, subject="reset password please", kb_session=token)
    suggest(client, subject="reset my password please", kb_session=token)

    assert SuggestionSession.objects.count() == 1
    assert ArticleStat.objects.get(article=translation.article).suggested == 1


def test_opening_a_suggestion_marks_the_session_read(client, publish):
    translation = publish("Reset your password")
    token = suggest(client, subject="reset password").context["token"]

    response = client.get(
        reverse("knowledge:article", args=[translation.slug]), {"from": "suggestion", "s": token}
    )

    session = SuggestionSession.objects.get()
    assert session.read_article_id == translation.article_id
    assert "Did this answer your question?" in response.content.decode()
    assert ArticleStat.objects.get(article=translation.article).suggestion_opens == 1


def test_a_forged_token_marks_nothing(client, publish):
    translation = publish("Reset your password")

    response = client.get(
        reverse("knowledge:article", args=[translation.slug]), {"from": "suggestion", "s": "x" * 40}
    )

    assert response.status_code == 200
    assert "Did this answer your question?" not in response.content.decode()


def test_saying_it_answered_the_question_is_a_deflection_at_once(client, publish):
    translation = publish("Reset your password")
    token = suggest(client, subject="reset password").context["token"]
    client.get(reverse("knowledge:article", args=[translation.slug]), {"from": "suggestion", "s": token})

    client.post(reverse("knowledge:answered", args=[translation.slug]), {"kb_session": token})

    assert SuggestionSession.objects.filter(metrics.deflected()).count() == 1
    assert metrics.summarize().totals.deflections == 1


def test_reading_and_leaving_is_a_deflection_after_the_abandon_window(client, publish):
    translation = publish("Reset your password")
    token = suggest(client, subject="reset password").context["token"]
    client.get(reverse("knowledge:article", args=[translation.slug]), {"from": "suggestion", "s": token})

    soon = SuggestionSession.objects.filter(metrics.deflected()).count()
    later = SuggestionSession.objects.filter(
        metrics.deflected(clock.now() + metrics.ABANDON_AFTER + timedelta(seconds=1))
    ).count()

    assert (soon, later) == (0, 1)


def test_a_request_sent_after_reading_is_not_a_deflection(
    client, publish, django_capture_on_commit_callbacks
):
    customer = CustomerFactory()
    client.force_login(customer)
    translation = publish("Reset your password")
    token = suggest(client, source="portal", subject="reset password").context["token"]
    client.get(reverse("knowledge:article", args=[translation.slug]), {"from": "suggestion", "s": token})

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("portal:ticket_new"),
            {"subject": "reset password", "message": "Still stuck", "kb_session": token},
        )

    session = SuggestionSession.objects.get()
    assert session.submitted_at is not None
    assert session.ticket == Ticket.objects.get()
    assert not SuggestionSession.objects.filter(
        metrics.deflected(clock.now() + metrics.ABANDON_AFTER * 2)
    ).exists()


def test_a_contact_form_request_is_matched_by_the_typed_email(
    client, publish, django_capture_on_commit_callbacks
):
    translation = publish("Reset your password")
    token = suggest(client, source="contact", subject="reset password", email="Nina@Example.com").context[
        "token"
    ]
    client.get(reverse("knowledge:article", args=[translation.slug]), {"from": "suggestion", "s": token})

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("portal:contact"),
            {"name": "Nina", "email": "nina@example.com", "subject": "reset password", "message": "help"},
        )

    assert SuggestionSession.objects.get().submitted_at is not None


def test_someone_elses_request_does_not_close_my_session(client, publish, django_capture_on_commit_callbacks):
    translation = publish("Reset your password")
    token = suggest(client, source="contact", subject="reset password", email="nina@example.com").context[
        "token"
    ]
    client.get(reverse("knowledge:article", args=[translation.slug]), {"from": "suggestion", "s": token})

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("portal:contact"),
            {"name": "Omar", "email": "omar@example.com", "subject": "reset password", "message": "help"},
        )

    assert SuggestionSession.objects.get().submitted_at is None


def test_the_portal_form_and_the_contact_form_ask_for_suggestions(client):
    client.force_login(CustomerFactory())
    portal = client.get(reverse("portal:ticket_new")).content.decode()
    client.logout()
    contact = client.get(reverse("portal:contact")).content.decode()

    assert 'hx-get="/help/suggest/?source=portal' in portal
    assert 'hx-get="/help/suggest/?source=contact' in contact


def test_the_embedded_contact_form_loads_htmx_for_its_suggestions(client):
    html = client.get(reverse("portal:contact"), {"embed": "1"}).content.decode()

    assert "htmx-2.0.11.min.js" in html
    assert "embed=1" in html


def test_suggestions_are_rate_limited_per_address(client, publish, settings):
    publish("Reset your password")
    for _ in range(120):
        suggest(client, subject="reset password")

    response = suggest(client, subject="reset password")

    assert "Reset your password" not in response.content.decode()


def test_a_new_request_ends_only_the_requesters_sessions_seen_within_the_window(customer, ticket):
    now = clock.now()

    def session(token, **fields):
        return SuggestionSession.objects.create(token=token, source="contact", language="en", **fields)

    recent = session("recent", user=customer, last_seen_at=now)
    anonymous = session("anonymous", email_hash=deflection.email_hash(customer.email), last_seen_at=now)
    stale = session("stale", user=customer, last_seen_at=now - deflection.SESSION_MATCH_WINDOW * 2)
    stranger = session("stranger", user=CustomerFactory(), last_seen_at=now)

    def mark():
        return deflection.mark_submitted_by(
            ticket_id=ticket.pk, requester_id=customer.pk, email=customer.email
        )

    marked = mark()

    assert marked == 2
    ended = set(SuggestionSession.objects.filter(submitted_at__isnull=False).values_list("pk", flat=True))
    assert ended == {recent.pk, anonymous.pk}
    assert SuggestionSession.objects.get(pk=recent.pk).ticket_id == ticket.pk
    assert stale.pk not in ended and stranger.pk not in ended
    assert mark() == 0
