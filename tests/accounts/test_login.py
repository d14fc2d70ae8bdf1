import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_agent_signs_in_and_lands_on_the_desk(client, agent):
    response = client.post(
        reverse("accounts:login"), {"email": agent.email.upper(), "password": "correct horse battery"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("desk:inbox")


def test_a_wrong_password_is_refused_with_a_clear_message(client, agent):
    response = client.post(reverse("accounts:login"), {"email": agent.email, "password": "nope"})

    assert response.status_code == 400
    assert b"do not match" in response.content
    assert "_auth_user_id" not in client.session


def test_sign_in_is_locked_after_repeated_failures_even_with_the_right_password(client, agent, settings):
    settings.AWN_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        client.post(reverse("accounts:login"), {"email": agent.email, "password": "nope"})

    response = client.post(
        reverse("accounts:login"), {"email": agent.email, "password": "correct horse battery"}
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_next_cannot_redirect_off_site(client, agent):
    response = client.post(
        reverse("accounts:login") + "?next=https://evil.example/",
        {"email": agent.email, "password": "correct horse battery"},
    )

    assert response["Location"] == reverse("desk:inbox")


def test_choosing_arabic_renders_right_to_left(client):
    client.post(reverse("accounts:set_language"), {"language": "ar", "next": "/accounts/login/"})

    response = client.get(reverse("accounts:login"))

    assert b'dir="rtl"' in response.content and b'lang="ar"' in response.content
