import pytest

from awn.accounts.models import Organization, Role, Team, User
from tests.api.conftest import error_of
from tests.factories import CustomerFactory, OrganizationFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_me_describes_the_tokens_owner_and_their_teams(api_as, agent, team):
    response = api_as(agent).get("/api/v1/me")

    assert response.status_code == 200
    body = response.json()
    assert body["email"] == agent.email
    assert body["role"] == "agent"
    assert body["teams"] == [{"id": team.pk, "name": "Support"}]


def test_staff_list_people_filtered_by_role_and_text(api_as, agent, customer):
    CustomerFactory(name="Someone Else")

    response = api_as(agent).get("/api/v1/users", {"role": "customer", "q": "cora"})

    assert response.status_code == 200
    assert [u["id"] for u in response.json()["items"]] == [customer.pk]


def test_the_people_list_is_paginated_by_offset(api_as, admin_user):
    for _ in range(4):
        CustomerFactory()
    api = api_as(admin_user)

    first = api.get("/api/v1/users", {"limit": 3}).json()
    rest = api.get("/api/v1/users", {"limit": 3, "offset": first["next_offset"]}).json()

    assert len(first["items"]) == 3
    assert len(rest["items"]) == 2
    assert rest["next_offset"] is None


def test_customers_cannot_list_people(api_as, customer):
    response = api_as(customer).get("/api/v1/users")

    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_a_customer_reads_their_own_profile(api_as, customer):
    response = api_as(customer).get(f"/api/v1/users/{customer.pk}")

    assert response.status_code == 200
    assert response.json()["email"] == customer.email


def test_a_customer_cannot_read_someone_elses_profile(api_as, customer, agent):
    response = api_as(customer).get(f"/api/v1/users/{agent.pk}")

    assert response.status_code == 404


def test_a_customer_sees_only_their_own_organization(api_as):
    own = OrganizationFactory(name="Acme")
    other = OrganizationFactory(name="Globex")
    member = CustomerFactory(organization=own)
    api = api_as(member)

    listed = api.get("/api/v1/organizations").json()["items"]
    foreign = api.get(f"/api/v1/organizations/{other.pk}")

    assert [o["name"] for o in listed] == ["Acme"]
    assert foreign.status_code == 404


def test_staff_list_every_organization(api_as, agent):
    OrganizationFactory(name="Acme")
    OrganizationFactory(name="Globex")

    response = api_as(agent).get("/api/v1/organizations")

    assert [o["name"] for o in response.json()["items"]] == ["Acme", "Globex"]


def test_staff_list_teams_with_their_members(api_as, agent, team):
    response = api_as(agent).get("/api/v1/teams")

    assert response.status_code == 200
    assert response.json()["items"][0]["members"] == [
        {"id": agent.pk, "email": agent.email, "name": agent.name}
    ]


def test_customers_cannot_see_teams(api_as, customer, team):
    assert api_as(customer).get("/api/v1/teams").status_code == 403
    assert api_as(customer).get(f"/api/v1/teams/{team.pk}").status_code == 403


def test_an_admin_adds_a_customer_to_an_organization(api_as, admin_user):
    acme = OrganizationFactory(name="Acme")

    response = api_as(admin_user).post(
        "/api/v1/users", {"email": "New@Acme.example", "name": "Nia", "organization": acme.pk}
    )

    assert response.status_code == 201
    created = User.objects.get(email="new@acme.example")
    assert created.role == Role.CUSTOMER
    assert created.organization == acme
    assert response.json()["organization"] == {"id": acme.pk, "name": "Acme"}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": "customer@example.com"}, "email"),
        ({"email": "x@example.com", "role": "overlord"}, "role"),
        ({"email": "x@example.com", "timezone": "Mars/Olympus"}, "timezone"),
        ({"email": "x@example.com", "organization": 999999}, "organization"),
    ],
)
def test_a_bad_new_person_is_refused_and_nobody_is_added(api_as, admin_user, customer, payload, field):
    before = User.objects.count()

    response = api_as(admin_user).post("/api/v1/users", payload)

    assert response.status_code == 422
    assert error_of(response)["field"] == field
    assert User.objects.count() == before


def test_only_admins_add_people(api_as, agent):
    before = User.objects.count()

    response = api_as(agent).post("/api/v1/users", {"email": "x@example.com"})

    assert response.status_code == 403
    assert User.objects.count() == before


def test_an_admin_adds_an_organization(api_as, admin_user):
    response = api_as(admin_user).post(
        "/api/v1/organizations", {"name": "Initech", "domains": ["initech.example"]}
    )

    assert response.status_code == 201
    assert Organization.objects.get().domains == ["initech.example"]


def test_a_duplicate_organization_is_refused(api_as, admin_user):
    OrganizationFactory(name="Initech")

    response = api_as(admin_user).post("/api/v1/organizations", {"name": "initech"})

    assert response.status_code == 422
    assert Organization.objects.count() == 1


def test_a_customer_cannot_add_an_organization(api_as, customer):
    response = api_as(customer).post("/api/v1/organizations", {"name": "Mine"})

    assert response.status_code == 403
    assert not Organization.objects.exists()


def test_an_admin_adds_a_team_with_members(api_as, admin_user, agent):
    response = api_as(admin_user).post("/api/v1/teams", {"name": "L2", "tier": 2, "members": [agent.pk]})

    assert response.status_code == 201
    assert list(Team.objects.get(name="L2").members.all()) == [agent]


def test_a_team_with_an_unknown_member_is_refused(api_as, admin_user):
    response = api_as(admin_user).post("/api/v1/teams", {"name": "L2", "members": [999999]})

    assert response.status_code == 422
    assert error_of(response)["field"] == "members"
    assert not Team.objects.exists()


def test_a_team_cannot_include_a_customer(api_as, admin_user, customer):
    response = api_as(admin_user).post("/api/v1/teams", {"name": "L2", "members": [customer.pk]})

    assert response.status_code == 422
    assert not Team.objects.exists()


def test_a_duplicate_team_name_is_refused(api_as, admin_user):
    TeamFactory(name="Support")

    response = api_as(admin_user).post("/api/v1/teams", {"name": "support"})

    assert response.status_code == 422
    assert Team.objects.count() == 1
