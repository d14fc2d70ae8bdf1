import pytest
from django.urls import reverse

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_the_customer_sidebar_names_the_requesters_language_in_the_agents_language(client, agent, team):
    from awn.tickets.services import Actor, create_ticket

    requester = CustomerFactory(language="fa")
    ticket = create_ticket(requester=requester, subject="x", body="y", team=team, by=Actor.of(requester))
    agent.language = "ar"
    agent.save(update_fields=["language"])
    client.force_login(agent)

    page = client.get(reverse("desk:ticket", args=[ticket.pk])).content.decode()

    assert "الفارسية" in page


def test_the_admin_link_reads_as_the_area_not_the_role(client, admin_user):
    admin_user.language = "fa"
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)

    page = client.get(reverse("desk:inbox")).content.decode()

    assert f'<a href="{reverse("desk:admin")}"' in page
    assert ">مدیریت</a>" in page
