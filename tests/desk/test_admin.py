import pytest
from django.urls import reverse

from awn.accounts.models import Organization, Role, Team, User
from tests.factories import AgentFactory, OrganizationFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_an_admin_adds_an_agent_who_can_then_sign_in(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("desk:admin_user_new"),
        {
            "email": "New.Agent@Support.example",
            "name": "Nora New",
            "role": "agent",
            "timezone": "Europe/Berlin",
            "language": "ar",
            "is_active": "on",
            "password": "a long enough secret",
        },
    )

    assert response.status_code == 302
    person = User.objects.get(email="new.agent@support.example")
    assert (person.role, person.timezone, person.language) == (Role.AGENT, "Europe/Berlin", "ar")
    client.logout()
    assert client.login(email="new.agent@support.example", password="a long enough secret")


def test_adding_someone_with_a_used_email_is_refused(client, admin_user, customer):
    client.force_login(admin_user)

    response = client.post(
        reverse("desk:admin_user_new"), {"email": customer.email, "role": "customer", "timezone": "UTC"}
    )

    assert response.status_code == 422
    assert "already used by another person" in response.content.decode()
    assert User.objects.filter(email=customer.email).count() == 1


def test_an_admin_edits_a_customers_profile(client, admin_user, customer):
    acme = OrganizationFactory(name="Acme")
    client.force_login(admin_user)

    client.post(
        reverse("desk:admin_user", args=[customer.pk]),
        {
            "email": customer.email,
            "name": "Cora C.",
            "role": "customer",
            "timezone": "Asia/Tehran",
            "language": "fa",
            "organization": str(acme.pk),
            "plan": "Gold",
            "phone": "+98",
            "is_active": "on",
        },
    )

    customer.refresh_from_db()
    assert (customer.name, customer.organization, customer.plan, customer.timezone) == (
        "Cora C.",
        acme,
        "Gold",
        "Asia/Tehran",
    )


def test_the_last_admin_cannot_demote_themselves(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("desk:admin_user", args=[admin_user.pk]),
        {
            "email": admin_user.email,
            "role": "agent",
            "timezone": "UTC",
            "is_active": "on",
        },
    )

    assert response.status_code == 422
    assert "last active administrator" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN


def test_the_people_list_filters_by_role_and_text(client, admin_user, agent, customer):
    client.force_login(admin_user)

    response = client.get(reverse("desk:admin_users"), {"role": "customer", "q": "cora"})

    assert list(response.context["page"]) == [customer]


def test_an_admin_creates_a_team_with_members(client, admin_user, agent):
    client.force_login(admin_user)

    client.post(
        reverse("desk:admin_team_new"),
        {"name": "Escalations", "tier": "3", "visibility": "all", "members": [str(agent.pk)]},
    )

    team = Team.objects.get(name="Escalations")
    assert (team.tier, team.visibility, list(team.members.all())) == (3, "all", [agent])


def test_customers_cannot_be_team_members(client, admin_user, customer):
    client.force_login(admin_user)

    response = client.post(
        reverse("desk:admin_team_new"),
        {"name": "Odd", "tier": "1", "visibility": "team", "members": [str(customer.pk)]},
    )

    assert response.status_code == 422
    assert not Team.objects.filter(name="Odd").exists()


def test_an_admin_edits_a_team(client, admin_user, team, agent):
    newcomer = AgentFactory()
    client.force_login(admin_user)

    client.post(
        reverse("desk:admin_team", args=[team.pk]),
        {"name": "Support L2", "tier": "2", "visibility": "team", "members": [str(newcomer.pk)]},
    )

    team.refresh_from_db()
    assert (team.name, team.tier, list(team.members.all())) == ("Support L2", 2, [newcomer])


def test_a_manager_sees_only_their_teams_read_only(client, manager, team):
    other = TeamFactory(name="Elsewhere")
    client.force_login(manager)

    listing = client.get(reverse("desk:admin_teams"))
    own = client.get(reverse("desk:admin_team", args=[team.pk]))
    foreign = client.get(reverse("desk:admin_team", args=[other.pk]))
    edit = client.post(
        reverse("desk:admin_team", args=[team.pk]), {"name": "Hijacked", "tier": "1", "visibility": "all"}
    )

    assert list(listing.context["teams"]) == [team]
    assert own.status_code == 200 and own.context["editable"] is False
    assert foreign.status_code == 404
    assert edit.status_code == 403
    team.refresh_from_db()
    assert team.name == "Support"


def test_managers_cannot_reach_people_or_organizations(client, manager):
    client.force_login(manager)

    assert client.get(reverse("desk:admin_users")).status_code == 403
    assert client.get(reverse("desk:admin_organizations")).status_code == 403
    assert client.get(reverse("desk:admin")).status_code == 302


def test_an_admin_creates_an_organization_with_domains(client, admin_user):
    client.force_login(admin_user)

    client.post(
        reverse("desk:admin_organization_new"),
        {"name": "Acme", "domains": "Acme.com, @acme.co.uk", "shared_tickets": "on"},
    )

    organization = Organization.objects.get(name="Acme")
    assert (organization.domains, organization.shared_tickets) == (["acme.com", "acme.co.uk"], True)


def test_a_bad_domain_is_refused_clearly(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("desk:admin_organization_new"), {"name": "Acme", "domains": "not a domain!"}
    )

    assert response.status_code == 422
    assert "is not a valid domain" in response.content.decode()
    assert not Organization.objects.exists()


def test_an_admin_edits_an_organization(client, admin_user):
    organization = OrganizationFactory(name="Acme")
    client.force_login(admin_user)

    client.post(
        reverse("desk:admin_organization", args=[organization.pk]), {"name": "Acme Inc", "domains": ""}
    )

    organization.refresh_from_db()
    assert (organization.name, organization.domains, organization.shared_tickets) == ("Acme Inc", [], False)


def test_hostile_names_are_escaped_in_admin_lists(client, admin_user):
    OrganizationFactory(name="<script>alert(1)</script>")
    client.force_login(admin_user)

    html = client.get(reverse("desk:admin_organizations")).content.decode()

    assert "<script>alert(1)</script>" not in html
