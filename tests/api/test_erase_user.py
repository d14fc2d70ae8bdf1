"""POST /api/v1/users/{id}/erase: admins erase a customer; everyone else is refused with the API's errors."""

import pytest

from awn.accounts.models import User
from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db


def test_an_admin_erases_a_customer(api_as, admin_user, ticket, customer):
    response = api_as(admin_user).post(f"/api/v1/users/{customer.pk}/erase")

    assert response.status_code == 200
    assert response.json()["email"] == f"erased-{customer.pk}@erased.invalid"
    assert response.json()["is_active"] is False
    ticket.refresh_from_db()
    assert ticket.subject == "[erased]"


def test_erasing_an_erased_customer_again_succeeds(api_as, admin_user, customer):
    api = api_as(admin_user)
    api.post(f"/api/v1/users/{customer.pk}/erase")

    response = api.post(f"/api/v1/users/{customer.pk}/erase")

    assert response.status_code == 200
    assert response.json()["email"] == f"erased-{customer.pk}@erased.invalid"


def test_only_admins_may_erase(api_as, customer, not_an_admin):
    caller = not_an_admin

    response = api_as(caller).post(f"/api/v1/users/{customer.pk}/erase")

    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert User.objects.get(pk=customer.pk).email == "customer@example.com"


def test_without_a_token_the_answer_is_401(api_as, customer):
    response = api_as(None).post(f"/api/v1/users/{customer.pk}/erase")

    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_staff_accounts_are_refused(api_as, admin_user, agent):
    response = api_as(admin_user).post(f"/api/v1/users/{agent.pk}/erase")

    assert response.status_code == 422
    assert error_of(response)["code"] == "validation_error"
    assert User.objects.get(pk=agent.pk).name == "Ada Agent"


def test_an_unknown_user_is_404(api_as, admin_user):
    response = api_as(admin_user).post("/api/v1/users/987654/erase")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
