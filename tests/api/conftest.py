import json

import pytest

from awn.accounts.api_tokens import create_api_token
from tests.factories import AgentFactory, TeamFactory


class ApiClient:
    """The real Django test client, speaking JSON with a personal API token."""

    def __init__(self, client, key=None):
        self.client = client
        self.key = key

    def _headers(self, headers):
        merged = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        merged.update(headers or {})
        return merged

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, headers=self._headers(headers))

    def post(self, path, payload=None, headers=None, raw=None):
        body = raw if raw is not None else json.dumps(payload if payload is not None else {})
        return self.client.post(path, body, content_type="application/json", headers=self._headers(headers))

    def patch(self, path, payload=None, headers=None, raw=None):
        body = raw if raw is not None else json.dumps(payload if payload is not None else {})
        return self.client.patch(path, body, content_type="application/json", headers=self._headers(headers))

    def delete(self, path, headers=None):
        return self.client.delete(path, headers=self._headers(headers))


@pytest.fixture
def api_as(client):
    """api_as(user) -> an ApiClient carrying a fresh token of `user`; api_as(None) -> no token at all."""

    def make(user):
        key = create_api_token(user=user, name="tests")[1] if user is not None else None
        return ApiClient(client, key)

    return make


@pytest.fixture
def outsider_agent(db):
    """An agent in another team (team visibility): must not see the Support team's tickets."""
    agent = AgentFactory(name="Otto Outsider")
    TeamFactory(name="Billing", members=[agent])
    return agent


def error_of(response):
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.json()["error"]
