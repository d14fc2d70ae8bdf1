import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_sees_the_help_center(client):
    page = client.get(reverse("portal:home")).content.decode()

    for link in (
        reverse("portal:contact"),
        reverse("portal:tickets"),
        reverse("accounts:login"),
        reverse("accounts:signup"),
    ):
        assert f'href="{link}"' in page


def test_a_customer_submits_requests_from_the_portal_rather_than_the_contact_form(client, customer):
    client.force_login(customer)

    page = client.get(reverse("portal:home")).content.decode()

    assert f'href="{reverse("portal:ticket_new")}"' in page


def test_an_agent_lands_in_the_desk(client, agent):
    client.force_login(agent)

    response = client.get(reverse("portal:home"))

    assert response.status_code == 302 and response["Location"] == reverse("desk:inbox")


def test_the_portal_renders_right_to_left_in_persian(client, customer):
    customer.language = "fa"
    customer.save()
    client.force_login(customer)

    page = client.get(reverse("portal:tickets")).content.decode()

    assert 'dir="rtl"' in page and 'lang="fa"' in page


def test_the_portal_home_leads_to_the_knowledge_base_and_its_search(client):
    page = client.get(reverse("portal:home")).content.decode()

    assert f'href="{reverse("knowledge:home")}"' in page
    assert f'action="{reverse("knowledge:search")}"' in page and 'name="q"' in page
