import pytest
from django.core import signing

from awn.connectors.chat.identity import (
    Identity,
    identity_signature,
    visitor_id_from_token,
    visitor_token,
)
from awn.connectors.chat.services import greet_visitor
from tests.chat.factories import ChatWidgetFactory

pytestmark = pytest.mark.django_db


def test_a_visitor_token_names_its_visitor(widget, visitor):
    token = visitor_token(visitor)

    found = visitor_id_from_token(token, widget=widget)

    assert found == visitor.pk


def test_a_token_of_another_widget_names_nobody(widget, visitor):
    other = ChatWidgetFactory()

    found = visitor_id_from_token(visitor_token(visitor), widget=other)

    assert found is None


def test_a_forged_token_names_nobody(widget, visitor):
    forged = signing.dumps({"v": visitor.pk, "w": widget.pk}, salt="something else")

    assert visitor_id_from_token(forged, widget=widget) is None
    assert visitor_id_from_token("garbage", widget=widget) is None


def test_the_same_token_continues_the_same_visitor(widget, visitor):
    token = visitor_token(visitor)

    again = greet_visitor(widget=widget, token=token).visitor

    assert again.pk == visitor.pk


def test_a_signed_identity_joins_the_customers_history(widget, customer):
    identity = Identity(
        email=customer.email, name="Cora", signature=identity_signature(widget.secret, customer.email)
    )

    greeting = greet_visitor(widget=widget, identity=identity)

    assert greeting.visitor.user == customer
    assert greeting.visitor.verified
    assert not greeting.identity_rejected


def test_an_identity_with_a_wrong_signature_is_ignored(widget, customer):
    identity = Identity(email=customer.email, signature=identity_signature("not the secret", customer.email))

    greeting = greet_visitor(widget=widget, identity=identity)

    assert greeting.identity_rejected
    assert greeting.visitor.user is None
    assert not greeting.visitor.verified


def test_the_signature_ignores_the_case_of_the_email(widget):
    assert identity_signature(widget.secret, "Cora@Example.com") == identity_signature(
        widget.secret, "cora@example.com"
    )


def test_a_signed_in_visitors_token_without_the_identity_starts_a_new_visitor(widget, customer):
    identity = Identity(email=customer.email, signature=identity_signature(widget.secret, customer.email))
    signed_in = greet_visitor(widget=widget, identity=identity).visitor

    anonymous = greet_visitor(widget=widget, token=visitor_token(signed_in)).visitor

    assert anonymous.pk != signed_in.pk
    assert anonymous.user is None


def test_another_person_signing_in_on_the_same_browser_gets_a_new_visitor(widget, customer):
    first = greet_visitor(
        widget=widget,
        identity=Identity(email=customer.email, signature=identity_signature(widget.secret, customer.email)),
    ).visitor
    other_email = "someone.else@example.com"

    second = greet_visitor(
        widget=widget,
        token=visitor_token(first),
        identity=Identity(email=other_email, signature=identity_signature(widget.secret, other_email)),
    ).visitor

    assert second.pk != first.pk
    assert second.user.email == other_email
