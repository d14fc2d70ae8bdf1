import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROFILE = {"action": "profile", "name": "Cora C.", "language": "ar", "timezone": "Asia/Tehran"}


@pytest.fixture
def signed_in(client, customer):
    client.force_login(customer)
    return client


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_saving_the_profile_changes_name_language_and_timezone(signed_in, customer):
    response = signed_in.post(reverse("accounts:profile"), PROFILE)

    customer.refresh_from_db()
    assert response.status_code == 302
    assert (customer.name, customer.language, customer.timezone) == ("Cora C.", "ar", "Asia/Tehran")


def test_the_new_language_applies_at_once(signed_in):
    signed_in.post(reverse("accounts:profile"), PROFILE)

    page = signed_in.get(reverse("accounts:profile")).content.decode()

    assert 'dir="rtl"' in page and 'lang="ar"' in page


@pytest.mark.parametrize("timezone", ["Mars/Olympus_Mons", "../../etc/passwd", "localtime", ""])
def test_an_unknown_timezone_is_refused(signed_in, customer, timezone):
    response = signed_in.post(reverse("accounts:profile"), {**PROFILE, "timezone": timezone})

    customer.refresh_from_db()
    assert response.status_code == 400
    assert customer.timezone == "UTC" and customer.name == "Cora Customer"


def test_an_unknown_language_is_refused(signed_in, customer):
    response = signed_in.post(reverse("accounts:profile"), {**PROFILE, "language": "xx"})

    assert response.status_code == 400


def test_times_are_shown_in_the_chosen_timezone(signed_in, customer):
    from awn.tickets.services import Actor, create_ticket

    ticket = create_ticket(requester=customer, subject="When?", body="x", by=Actor.of(customer))
    customer.timezone = "Asia/Tehran"
    customer.save()

    page = signed_in.get(reverse("portal:ticket", args=[ticket.number])).content.decode()

    assert "+03:30" in page


def test_changing_the_password_needs_the_old_one(signed_in, customer):
    response = signed_in.post(
        reverse("accounts:profile"),
        {
            "action": "password",
            "old_password": "wrong",
            "new_password1": "a new long passphrase",
            "new_password2": "a new long passphrase",
        },
    )

    customer.refresh_from_db()
    assert response.status_code == 400
    assert customer.check_password("correct horse battery")


def test_changing_the_password_keeps_the_session(signed_in, customer):
    response = signed_in.post(
        reverse("accounts:profile"),
        {
            "action": "password",
            "old_password": "correct horse battery",
            "new_password1": "a new long passphrase",
            "new_password2": "a new long passphrase",
        },
    )

    customer.refresh_from_db()
    assert response.status_code == 302
    assert customer.check_password("a new long passphrase")
    assert signed_in.get(reverse("accounts:profile")).status_code == 200


def test_someone_who_signs_in_by_link_can_set_a_first_password(client, customer):
    customer.set_unusable_password()
    customer.save()
    client.force_login(customer)

    response = client.post(
        reverse("accounts:profile"),
        {
            "action": "password",
            "new_password1": "a new long passphrase",
            "new_password2": "a new long passphrase",
        },
    )

    customer.refresh_from_db()
    assert response.status_code == 302
    assert customer.check_password("a new long passphrase")
