import pytest

from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db

EXPECTED_PATHS = {
    "/api/v1/tickets": {"get", "post"},
    "/api/v1/tickets/{ticket_id}": {"get", "patch"},
    "/api/v1/tickets/{ticket_id}/merge": {"post"},
    "/api/v1/tickets/{ticket_id}/messages": {"get", "post"},
    "/api/v1/tickets/{ticket_id}/messages/upload": {"post"},
    "/api/v1/attachments/{attachment_id}": {"get"},
    "/api/v1/users": {"get", "post"},
    "/api/v1/users/{user_id}": {"get"},
    "/api/v1/me": {"get"},
    "/api/v1/organizations": {"get", "post"},
    "/api/v1/organizations/{organization_id}": {"get"},
    "/api/v1/teams": {"get", "post"},
    "/api/v1/teams/{team_id}": {"get"},
    "/api/v1/search": {"get"},
}


def test_the_openapi_document_loads_without_a_token_and_lists_every_endpoint(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    for path, methods in EXPECTED_PATHS.items():
        assert path in document["paths"], path
        assert methods <= set(document["paths"][path]), path


def test_the_openapi_document_declares_bearer_token_security(client):
    document = client.get("/api/openapi.json").json()

    schemes = document["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_the_openapi_document_describes_the_error_shape(client):
    document = client.get("/api/openapi.json").json()

    create = document["paths"]["/api/v1/tickets"]["post"]
    assert {"201", "200", "401", "422"} <= set(create["responses"])
    assert "ErrorOut" in document["components"]["schemas"]


def test_the_interactive_docs_page_loads(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert b"/api/openapi.json" in response.content


def test_an_unknown_endpoint_is_a_json_404(api_as, agent):
    response = api_as(agent).get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_the_api_root_is_a_json_404(client):
    response = client.get("/api/")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_an_unsupported_method_is_a_json_405(api_as, agent, ticket):
    response = api_as(agent).delete(f"/api/v1/tickets/{ticket.pk}")

    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "PATCH" in response["Allow"]
