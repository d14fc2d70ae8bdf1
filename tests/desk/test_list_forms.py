"""The inbox's filter and bulk-action forms: selects rendered without per-option templates, choices cached."""

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from awn.accounts.models import Role
from awn.desk.forms.tickets import PlainSelect, staff_choices, team_choices
from awn.tickets.services.messages import get_or_create_customer
from tests.factories import AgentFactory, CustomerFactory, TeamFactory

CHOICES = [("", "Anyone"), ("0", "Nobody"), ("7", 'Zoë <b>"Z"</b> & co'), ("12", "نرگس")]
GROUPED = [("", "—"), ("Support", [("1", "Ada"), ("2", "Bo")]), ("Billing", [("3", "Cy")])]
ODD = [
    (None, gettext_lazy("Status")),
    (1, mark_safe("<em>kept</em>")),
    (2, "twice"),
    ("2", "the second 2 stays unselected"),
    (3, 3.5),
]


@pytest.mark.parametrize(
    ("choices", "value", "attrs"),
    [
        (CHOICES, None, {"id": "id_assignee"}),
        (CHOICES, "7", {"id": "id_assignee"}),
        (CHOICES, 12, {"id": "id_x", "required": True, "disabled": False, "aria-invalid": "true"}),
        (GROUPED, "2", {"id": "id_grouped", "data-note": 'a "quoted" & <odd> value'}),
        (ODD, "2", None),
        (ODD, None, {"id": "id_odd", "class": mark_safe("a&amp;b")}),
        ([], None, None),
    ],
)
def test_a_plain_select_renders_the_html_of_djangos_select(choices, value, attrs):
    expected = forms.Select(choices=choices).render("assignee", value, attrs=attrs)

    rendered = PlainSelect(choices=choices).render("assignee", value, attrs=attrs)

    assert rendered == expected


def test_an_invalid_filter_keeps_its_error_and_invalid_marker(admin_user, client, db):
    client.force_login(admin_user)

    html = client.get(reverse("desk:inbox") + "?view=all&status=bogus").content.decode()

    assert (
        '<select name="status" aria-invalid="true" aria-describedby="id_status_error" id="id_status">' in html
    )
    assert '<ul class="errorlist" id="id_status_error"><li>' in html


def test_the_filter_form_marks_the_chosen_assignee(admin_user, agent, client, db):
    client.force_login(admin_user)

    html = client.get(reverse("desk:inbox") + f"?view=all&assignee={agent.pk}").content.decode()

    assert f'<option value="{agent.pk}" selected>Ada Agent</option>' in html


# The cache is used outside transactions only (a transaction's own rows are never shared), so these run
# with committed data.


@pytest.mark.django_db(transaction=True)
def test_a_new_agent_is_in_the_assignee_choices_at_once():
    staff_choices()

    newcomer = AgentFactory(name="Nina Newcomer")

    assert (str(newcomer.pk), "Nina Newcomer") in staff_choices()


@pytest.mark.django_db(transaction=True)
def test_a_renamed_agent_is_listed_under_the_new_name():
    person = AgentFactory(name="Old Name")
    staff_choices()

    person.name = "New Name"
    person.save(update_fields=["name"])

    assert (str(person.pk), "New Name") in staff_choices()


@pytest.mark.django_db(transaction=True)
def test_a_deactivated_or_demoted_agent_leaves_the_assignee_choices():
    leaving, demoted = AgentFactory(), AgentFactory()
    staff_choices()

    leaving.is_active = False
    leaving.save(update_fields=["is_active"])
    demoted.role = Role.CUSTOMER
    demoted.save(update_fields=["role"])

    ids = {pk for pk, _name in staff_choices()}
    assert str(leaving.pk) not in ids and str(demoted.pk) not in ids


@pytest.mark.django_db(transaction=True)
def test_a_deleted_agent_leaves_the_assignee_choices():
    gone = AgentFactory()
    staff_choices()

    gone.delete()

    assert str(gone.pk) not in {pk for pk, _name in staff_choices()}


@pytest.mark.django_db(transaction=True)
def test_teams_created_renamed_and_deleted_show_in_the_team_choices_at_once():
    first = TeamFactory(name="Support")
    team_choices("Any team")

    second = TeamFactory(name="Billing")
    first.name = "Help"
    first.save()
    assert team_choices("Any team")[1:] == [(str(second.pk), "Billing"), (str(first.pk), "Help")]

    second.delete()
    assert team_choices("Any team")[1:] == [(str(first.pk), "Help")]


@pytest.mark.django_db(transaction=True)
def test_cached_choices_are_read_once_and_kept_across_sign_ins():
    AgentFactory()
    TeamFactory()
    customer = CustomerFactory()
    staff_choices(), team_choices("Any team")

    customer.set_password("another password")
    customer.save(update_fields=["password"])
    with CaptureQueriesContext(connection) as reads:
        staff_choices(), team_choices("Any team")

    assert len(reads) == 0


@pytest.mark.django_db(transaction=True)
def test_a_new_customer_keeps_the_cached_choices():
    """Every API ticket from a new address creates a customer: that must not send every process to reload."""
    AgentFactory()
    staff_choices(), team_choices("Any team")

    get_or_create_customer(email="new.customer@example.com", name="New Customer")
    with CaptureQueriesContext(connection) as reads:
        staff_choices(), team_choices("Any team")

    assert len(reads) == 0


@pytest.mark.django_db(transaction=True)
def test_choices_read_inside_a_transaction_are_not_kept():
    from django.db import transaction

    with transaction.atomic():
        ghost = AgentFactory(name="Rolled Back")
        assert (str(ghost.pk), "Rolled Back") in staff_choices()
        transaction.set_rollback(True)

    assert "Rolled Back" not in {name for _pk, name in staff_choices()}


def test_every_element_id_on_the_inbox_is_unique_and_every_label_points_at_one(admin_user, client, ticket):
    import re
    from collections import Counter

    client.force_login(admin_user)

    html = client.get(reverse("desk:inbox") + "?view=all").content.decode()

    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1] == []
    assert ids["id_bulk_status"] == 1 and ids["id_status"] == 1
    for target in re.findall(r'<label for="([^"]+)"', html):
        assert ids[target] == 1, target
