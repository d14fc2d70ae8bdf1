import os

import pytest

from awn.tickets.services import Actor, create_ticket
from tests.factories import AdminFactory, AgentFactory, CustomerFactory, ManagerFactory, TeamFactory


@pytest.fixture
def customer(db):
    return CustomerFactory(email="customer@example.com", name="Cora Customer")


@pytest.fixture
def agent(db):
    return AgentFactory(name="Ada Agent")


@pytest.fixture
def admin_user(db):
    return AdminFactory(name="Adam Admin")


@pytest.fixture
def team(db, agent):
    return TeamFactory(name="Support", members=[agent])


@pytest.fixture
def ticket(db, customer, team):
    return create_ticket(
        requester=customer,
        subject="My printer is on fire",
        body="Please help",
        team=team,
        by=Actor.of(customer),
    )


@pytest.fixture
def redis_url() -> str:
    """The tests' Redis (AWN_TEST_REDIS_URL, or database 11 of the local server); skips without one."""
    import redis

    url = os.environ.get("AWN_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    return url


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttles and rate limits live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request in Arabic or Persian leaves that language active in the thread (the middleware activates it
    and nothing deactivates it); each test starts in English, whatever the one before it asked for."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(params=["agent", "manager", "customer themselves", "another customer"])
def not_an_admin(request, agent, customer):
    """Everyone but an admin, as seen from `customer`: an agent, a manager, the customer, another customer."""
    return {
        "agent": lambda: agent,
        "manager": ManagerFactory,
        "customer themselves": lambda: customer,
        "another customer": CustomerFactory,
    }[request.param]()
