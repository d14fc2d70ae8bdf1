"""The help center renders translated and right to left (its strings live in the project's catalogs,
src/awn/locale, checked by tests/test_translations.py)."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ar", "fa"])
def test_the_help_center_is_translated_and_right_to_left(client, publish, language):
    publish("Reset your password")
    client.post(reverse("accounts:set_language"), {"language": language, "next": "/help/"})

    html = client.get(reverse("knowledge:home")).content.decode()

    assert f'<html lang="{language}" dir="rtl">' in html
    for english in ("How can we help you?", "Popular articles", "Still need help?", "Search for answers"):
        assert english not in html
