import pytest

from awn.accounts import services
from awn.accounts.models import Organization, Role, Team, User
from awn.core.errors import NotPermitted, ValidationFailed
from tests.factories import AgentFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_create_user_normalizes_the_email_and_has_no_usable_password_by_default(admin_user):
    person = services.create_user(by=admin_user, email="  Ana@Example.COM ", name="  Ana   Lee ")

    assert (person.email, person.name, person.role) == ("ana@example.com", "Ana Lee", Role.CUSTOMER)
    assert not person.has_usable_password()


def test_only_admins_change_people(agent):
    with pytest.raises(NotPermitted):
        services.create_user(by=agent, email="x@example.com")

    assert not User.objects.filter(email="x@example.com").exists()


def test_the_system_may_act_without_a_person():
    person = services.create_user(
        by=None, email="root@example.com", role=Role.ADMIN, password="long secret pw"
    )

    assert person.is_admin and person.check_password("long secret pw")


@pytest.mark.parametrize(
    "field,value",
    [
        ("email", "not-an-email"),
        ("role", "emperor"),
        ("language", "xx"),
        ("timezone", "Mars/Olympus"),
        ("password", "short"),
    ],
)
def test_create_user_refuses_bad_values_and_writes_nothing(admin_user, field, value):
    before = User.objects.count()
    kwargs = {"email": "ok@example.com", field: value}

    with pytest.raises(ValidationFailed) as refused:
        services.create_user(by=admin_user, **kwargs)

    assert refused.value.field == field
    assert User.objects.count() == before


def test_an_address_known_as_an_extra_email_is_taken(admin_user, customer):
    customer.extra_emails.create(email="alias@example.com")

    with pytest.raises(ValidationFailed):
        services.create_user(by=admin_user, email="alias@example.com")


def test_update_user_changes_only_what_is_given(admin_user, customer):
    services.update_user(by=admin_user, user=customer, plan="Gold")

    customer.refresh_from_db()
    assert (customer.plan, customer.name) == ("Gold", "Cora Customer")


def test_deactivating_the_last_admin_is_refused(admin_user):
    with pytest.raises(ValidationFailed):
        services.update_user(by=admin_user, user=admin_user, is_active=False)


def test_demoting_an_admin_is_fine_when_another_remains(admin_user):
    other = services.create_user(by=admin_user, email="second@example.com", role=Role.ADMIN)

    services.update_user(by=admin_user, user=other, role=Role.AGENT)

    other.refresh_from_db()
    assert (other.role, other.is_superuser) == (Role.AGENT, False)


def test_team_names_are_unique_regardless_of_case(admin_user, team):
    with pytest.raises(ValidationFailed):
        services.create_team(by=admin_user, name="SUPPORT")


def test_update_team_replaces_members(admin_user, team, agent):
    newcomer = AgentFactory()

    services.update_team(by=admin_user, team=team, members=[newcomer])

    assert list(team.members.all()) == [newcomer]


def test_a_bad_tier_is_refused(admin_user):
    with pytest.raises(ValidationFailed):
        services.create_team(by=admin_user, name="X", tier=7)

    assert not Team.objects.filter(name="X").exists()


def test_organization_domains_are_cleaned(admin_user):
    organization = services.create_organization(
        by=admin_user, name="Acme", domains=["@ACME.com", "acme.com", ""]
    )

    assert organization.domains == ["acme.com"]


def test_organization_names_are_unique(admin_user):
    OrganizationFactory(name="Acme")

    with pytest.raises(ValidationFailed):
        services.create_organization(by=admin_user, name="acme")

    assert Organization.objects.count() == 1
