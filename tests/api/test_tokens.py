import threading
from datetime import timedelta

import pytest

from awn.accounts.api_tokens import authenticate_api_key, create_api_token, revoke_api_token
from awn.accounts.models import ApiToken, Role, User
from awn.core import clock
from awn.core.errors import NotPermitted
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def test_a_new_token_is_returned_once_and_stored_only_as_a_hash(agent):
    token, key = create_api_token(user=agent, name="Zapier")

    stored = ApiToken.objects.get(pk=token.pk)
    assert key.startswith("awn_")
    assert stored.key_hash == ApiToken.hash_key(key)
    assert key not in {stored.key_hash, stored.prefix, stored.name}
    assert stored.prefix == key[:12]
    assert stored.name == "Zapier"


def test_a_token_is_not_created_for_a_disabled_account():
    disabled = AgentFactory(is_active=False)

    with pytest.raises(NotPermitted):
        create_api_token(user=disabled)

    assert not ApiToken.objects.exists()


def test_a_revoked_token_no_longer_authenticates(agent):
    token, key = create_api_token(user=agent)

    revoke_api_token(token=token)

    assert authenticate_api_key(key) is None


def test_last_use_is_recorded_at_most_once_a_minute(agent):
    token, key = create_api_token(user=agent)
    recent = clock.now() - timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)

    authenticate_api_key(key)

    assert ApiToken.objects.get(pk=token.pk).last_used_at == recent


def test_last_use_is_refreshed_when_older_than_a_minute(agent):
    token, key = create_api_token(user=agent)
    old = clock.now() - timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)

    authenticate_api_key(key)

    assert ApiToken.objects.get(pk=token.pk).last_used_at > old


def _in_another_connection(work):
    """Run `work` in a thread of its own: Django gives it a database connection of its own."""
    from django.db import connection

    found = {}

    def run():
        try:
            found["result"] = work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return found["result"]


@pytest.mark.django_db(transaction=True)
def test_a_token_revoked_through_one_connection_is_refused_at_once_through_another(agent):
    token, key = create_api_token(user=agent)
    assert _in_another_connection(lambda: authenticate_api_key(key)) is not None

    revoke_api_token(token=token)

    assert _in_another_connection(lambda: authenticate_api_key(key)) is None
    assert authenticate_api_key(key) is None


@pytest.mark.django_db(transaction=True)
def test_a_changed_or_disabled_account_is_seen_at_the_next_request(agent):
    _token, key = create_api_token(user=agent)
    assert authenticate_api_key(key).user.role == Role.AGENT

    User.objects.filter(pk=agent.pk).update(role=Role.CUSTOMER, name="Now a customer")

    seen = _in_another_connection(lambda: authenticate_api_key(key))
    assert (seen.user.role, seen.user.name) == (Role.CUSTOMER, "Now a customer")

    User.objects.filter(pk=agent.pk).update(is_active=False)

    assert authenticate_api_key(key) is None
