import pytest
from django.test import Client

from awn.accounts.api_tokens import create_api_token, revoke_api_token
from awn.accounts.models import ApiToken
from awn.tickets.models import Ticket
from tests.api.conftest import ApiClient, error_of

pytestmark = pytest.mark.django_db

NEW_TICKET = {"subject": "Printer", "message": {"body": "It jams"}, "requester": {"email": "x@example.com"}}


def test_a_request_without_a_token_is_refused_with_401_json(api_as):
    response = api_as(None).get("/api/v1/tickets")

    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_is_refused(client):
    response = ApiClient(client, "awn_not-a-real-token").get("/api/v1/tickets")

    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


def test_a_revoked_token_is_refused(client, agent):
    token, key = create_api_token(user=agent)
    revoke_api_token(token=token)

    response = ApiClient(client, key).get("/api/v1/me")

    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


def test_a_token_of_a_disabled_person_is_refused(client, agent):
    key = create_api_token(user=agent)[1]
    agent.is_active = False
    agent.save(update_fields=["is_active"])

    response = ApiClient(client, key).get("/api/v1/me")

    assert response.status_code == 401


def test_another_authorization_scheme_is_refused(client, agent):
    response = client.get("/api/v1/me", headers={"Authorization": "Basic YWdlbnQ6cGFzcw=="})

    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_authorization"


def test_a_signed_in_browser_session_does_not_authorize_api_calls(client, agent):
    client.force_login(agent)

    response = client.get("/api/v1/me")

    assert response.status_code == 401


def test_a_token_request_needs_no_csrf_token(agent):
    key = create_api_token(user=agent)[1]
    strict = ApiClient(Client(enforce_csrf_checks=True), key)

    response = strict.post("/api/v1/tickets", NEW_TICKET)

    assert response.status_code == 201
    assert Ticket.objects.count() == 1


def test_using_a_token_records_when_it_was_last_used(client, agent):
    token, key = create_api_token(user=agent)

    ApiClient(client, key).get("/api/v1/me")

    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


def test_an_unauthenticated_write_creates_nothing(api_as):
    response = api_as(None).post("/api/v1/tickets", NEW_TICKET)

    assert response.status_code == 401
    assert Ticket.objects.count() == 0
