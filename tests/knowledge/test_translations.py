"""The knowledge base's own Arabic and Persian catalogs (src/awn/knowledge/locale) pass the checks the main
catalogs pass, and the help center renders translated and right to left."""

import gettext
import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.test_translations import parse_po, placeholders, plural_rule, tags

LOCALE = Path(__file__).resolve().parents[2] / "src" / "awn" / "knowledge" / "locale"


def entries(language):
    parsed = parse_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    header_entry = next(e for e in parsed if e.msgid == "")
    header = dict(line.split(": ", 1) for line in header_entry.msgstr[0].splitlines() if ": " in line)
    return header, [e for e in parsed if e.msgid and not e.obsolete]


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_every_knowledge_base_message_is_translated_and_not_fuzzy(language):
    header, items = entries(language)

    assert items
    assert header["Language"] == language
    assert [e.msgid for e in items if not all(s.strip() for s in e.msgstr.values())] == []
    assert [e.msgid for e in items if "fuzzy" in e.flags] == []


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_knowledge_base_translations_keep_placeholders_tags_and_plural_forms(language):
    header, items = entries(language)
    nplurals, _rule = plural_rule(header)

    singular = [e for e in items if e.msgid_plural is None]
    plural = [e for e in items if e.msgid_plural is not None]

    assert [e.msgid for e in singular if placeholders(e.msgstr[0]) != placeholders(e.msgid)] == []
    assert [e.msgid for e in items for t in e.msgstr.values() if tags(t) != tags(e.msgid)] == []
    assert [e.msgid for e in plural if sorted(e.msgstr) != list(range(nplurals))] == []


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_the_compiled_knowledge_base_catalog_is_current(language):
    _header, items = entries(language)
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    stale = [e.msgid for e in items if e.msgid_plural is None and compiled.gettext(e.msgid) != e.msgstr[0]]

    assert stale == []


def test_the_persian_catalog_uses_persian_letters_and_the_half_space():
    _header, items = entries("fa")
    texts = [t for e in items for t in e.msgstr.values()]

    assert [t for t in texts if re.search("[يكى]", t)] == []
    assert [t for t in texts if re.search(r"(?:^|\s)ن?می |\S ها(?:ی|یی)?(?:\s|$|[.،؛:])", t)] == []


def test_the_arabic_catalog_uses_arabic_letters():
    _header, items = entries("ar")

    assert [t for e in items for t in e.msgstr.values() if re.search("[یکگچپژ]", t)] == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ar", "fa"])
def test_the_help_center_is_translated_and_right_to_left(client, publish, language):
    publish("Reset your password")
    client.post(reverse("accounts:set_language"), {"language": language, "next": "/help/"})

    html = client.get(reverse("knowledge:home")).content.decode()

    # Translated by this app's catalog or by the project's (src/awn/locale), which takes precedence.
    assert f'<html lang="{language}" dir="rtl">' in html
    for english in ("How can we help you?", "Popular articles", "Still need help?", "Search for answers"):
        assert english not in html
