"""The Arabic and Persian catalogs are complete, well-formed and compiled; pages render translated and RTL."""

from __future__ import annotations

import ast
import gettext
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from tests.factories import AgentFactory, CustomerFactory, TeamFactory

SOURCE = Path(__file__).resolve().parent.parent / "src" / "awn"
LANGUAGES = ["ar", "fa"]
# Every catalog under src/awn, wherever it is (the layout test below wants exactly one per language).
CATALOGS = [
    pytest.param(path, language, id=f"{'/'.join(path.relative_to(SOURCE).parts[:-4]) or 'awn'}-{language}")
    for language in LANGUAGES
    for path in sorted(SOURCE.glob(f"**/locale/{language}/LC_MESSAGES/django.po"))
]

# %(name)s, %(seconds).1f, %s, %d …; {name} / {0} for str.format strings; and a template's literal "%%", which
# `{% translate %}` doubles (in "%%(name)s" the name is filled in later by the page's script, not by Python).
PLACEHOLDER = re.compile(
    r"%%\(\w+\)[a-z]|%%|%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[-#0 +]*\d*(?:\.\d+)?[sdif]|\{\w*\}"
)
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
ZWNJ = "\u200c"
TEMPLATES = sorted(path for path in SOURCE.glob("**/templates/**/*") if path.suffix in {".html", ".txt"})


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def _unquote(text: str) -> str:
    return ast.literal_eval(text.strip())


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader: enough for msgid, msgid_plural, msgstr[n], flags and obsolete entries."""
    entries: list[Entry] = []
    entry, target = Entry(), None

    def finish():
        nonlocal entry, target
        if entry.msgstr or entry.msgid:
            entries.append(entry)
        entry, target = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            if entry.msgstr:
                finish()
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, value = line.partition(" ")
        if keyword == "msgid":
            if entry.msgstr:
                finish()
            entry.msgid, target = _unquote(value), "msgid"
        elif keyword == "msgid_plural":
            entry.msgid_plural, target = _unquote(value), "msgid_plural"
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            entry.msgstr[index], target = _unquote(value), index
        elif keyword == "msgctxt":
            if entry.msgstr:
                finish()
            entry.msgctxt, target = _unquote(value), "msgctxt"
        elif line.startswith('"'):
            if target == "msgid":
                entry.msgid += _unquote(line)
            elif target == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + _unquote(line)
            elif target == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + _unquote(line)
            elif isinstance(target, int):
                entry.msgstr[target] += _unquote(line)
    finish()
    return entries


def catalog(po: Path) -> tuple[dict[str, str], list[Entry]]:
    """The header fields and the (non-obsolete) messages of one catalog."""
    entries = parse_po(po)
    header_entry = next(e for e in entries if e.msgid == "")
    header = dict(line.split(": ", 1) for line in header_entry.msgstr[0].splitlines() if ": " in line)
    return header, [e for e in entries if e.msgid and not e.obsolete]


def plural_rule(header: dict[str, str]) -> tuple[int, object]:
    forms = header["Plural-Forms"]
    nplurals = int(re.search(r"nplurals\s*=\s*(\d+)", forms).group(1))
    expression = re.search(r"plural\s*=\s*(.+?);?\s*$", forms).group(1)
    return nplurals, gettext.c2py(expression)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def tags(text: str) -> list[str]:
    return sorted(HTML_TAG.findall(text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_arabic_and_persian_catalogs_ship_compiled(language):
    messages = SOURCE / "locale" / language / "LC_MESSAGES"

    shipped = [path.name for path in sorted(messages.glob("django.*"))]

    assert shipped == ["django.mo", "django.po"]


def test_each_language_has_one_catalog_for_the_whole_project():
    # Django lets an app keep its own catalog, but the project's (LOCALE_PATHS) shadows every app's and an
    # app listed earlier shadows a later one: the same msgid in two catalogs shows whichever wins, whatever
    # the page. So every string lives in src/awn/locale; makemessages puts it there when no app has a locale
    # folder of its own.
    catalogs = sorted(str(path.relative_to(SOURCE)) for path in SOURCE.glob("**/locale/*/LC_MESSAGES/*.po"))

    assert catalogs == [f"locale/{language}/LC_MESSAGES/django.po" for language in LANGUAGES]


@pytest.mark.parametrize(("po", "language"), CATALOGS)
def test_every_message_has_a_translation(po, language):
    _header, entries = catalog(po)

    untranslated = [e.msgid for e in entries if not all(s.strip() for s in e.msgstr.values())]

    assert entries
    assert untranslated == []


def test_the_catalogs_hold_every_string_the_code_marks(tmp_path, monkeypatch):
    # A string marked for translation after the last `make makemessages` is in no catalog, so the tests
    # above cannot see it, and it shows in English on Arabic and Persian pages. Extract afresh from a copy of
    # the source (as `make makemessages` does) and look for what the committed catalogs lack.
    from django.core.management import call_command

    copy = tmp_path / "awn"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static", "bench"))
    monkeypatch.chdir(copy)

    call_command("makemessages", locale=LANGUAGES, verbosity=0)

    for language in LANGUAGES:
        committed = {
            (e.msgctxt, e.msgid) for e in catalog(SOURCE / f"locale/{language}/LC_MESSAGES/django.po")[1]
        }
        extracted = {
            (e.msgctxt, e.msgid) for e in catalog(copy / f"locale/{language}/LC_MESSAGES/django.po")[1]
        }
        assert sorted(extracted - committed, key=str) == [], (
            f"run `make makemessages` and translate ({language})"
        )


@pytest.mark.parametrize(("po", "language"), CATALOGS)
def test_no_translation_is_fuzzy(po, language):
    header, entries = catalog(po)

    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]

    assert fuzzy == []
    assert header.get("Language") == language


@pytest.mark.parametrize(("po", "language"), CATALOGS)
def test_plural_messages_have_every_form_of_the_language(po, language):
    header, entries = catalog(po)
    nplurals, _rule = plural_rule(header)

    plurals = [e for e in entries if e.msgid_plural is not None]
    wrong = [e.msgid for e in plurals if sorted(e.msgstr) != list(range(nplurals))]

    assert nplurals == {"ar": 6, "fa": 2}[language]
    assert wrong == []


@pytest.mark.parametrize(("po", "language"), CATALOGS)
def test_translations_keep_the_placeholders(po, language):
    header, entries = catalog(po)
    nplurals, rule = plural_rule(header)
    numbers_of_form = {index: [n for n in range(1000) if rule(n) == index] for index in range(nplurals)}

    broken = []
    for entry in entries:
        if entry.msgid_plural is None:
            if placeholders(entry.msgstr[0]) != placeholders(entry.msgid):
                broken.append((entry.msgid, entry.msgstr[0]))
            continue
        expected = sorted(set(placeholders(entry.msgid)) | set(placeholders(entry.msgid_plural)))
        for index, text in entry.msgstr.items():
            found = placeholders(text)
            # A form used for exactly one number ("one file", Arabic "two files") may leave the count out.
            allowed_missing = 1 if len(numbers_of_form[index]) == 1 else 0
            if not set(found) <= set(expected) or len(set(expected) - set(found)) > allowed_missing:
                broken.append((entry.msgid, text))

    assert broken == []


@pytest.mark.parametrize(("po", "language"), CATALOGS)
def test_translations_keep_the_html_tags(po, language):
    _header, entries = catalog(po)

    broken = [(e.msgid, text) for e in entries for text in e.msgstr.values() if tags(text) != tags(e.msgid)]

    assert broken == []


@pytest.mark.parametrize(("po", "language"), CATALOGS)
def test_the_compiled_catalog_matches_the_po_file(po, language):
    header, entries = catalog(po)
    nplurals, rule = plural_rule(header)
    with po.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    stale = []
    for entry in entries:
        if entry.msgid_plural is None:
            if entry.msgctxt is None:
                found = compiled.gettext(entry.msgid)
            else:
                found = compiled.pgettext(entry.msgctxt, entry.msgid)
            if found != entry.msgstr[0]:
                stale.append(entry.msgid)
            continue
        for index in range(nplurals):
            n = next(n for n in range(1000) if rule(n) == index)
            if entry.msgctxt is None:
                found = compiled.ngettext(entry.msgid, entry.msgid_plural, n)
            else:
                found = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
            if found != entry.msgstr[index]:
                stale.append(entry.msgid)

    assert stale == []


@pytest.mark.parametrize(("po", "language"), [c for c in CATALOGS if c.values[1] == "fa"])
def test_the_persian_catalog_uses_persian_letters_not_arabic_ones(po, language):
    _header, entries = catalog(po)

    arabic_letters = [(e.msgid, t) for e in entries for t in e.msgstr.values() if re.search("[يكى]", t)]

    assert arabic_letters == []


@pytest.mark.parametrize(("po", "language"), [c for c in CATALOGS if c.values[1] == "ar"])
def test_the_arabic_catalog_uses_arabic_letters_not_persian_ones(po, language):
    _header, entries = catalog(po)

    persian_letters = [(e.msgid, t) for e in entries for t in e.msgstr.values() if re.search("[یکگچپژ]", t)]

    assert persian_letters == []


@pytest.mark.parametrize(("po", "language"), [c for c in CATALOGS if c.values[1] == "fa"])
def test_persian_verb_prefixes_and_plural_suffixes_use_the_zero_width_non_joiner(po, language):
    _header, entries = catalog(po)
    texts = [t for e in entries for t in e.msgstr.values()]

    # "می شود" / "نمی توان" / "تیکت ها" written with a space instead of U+200C.
    spaced = [t for t in texts if re.search(r"(?:^|\s)ن?می |\S ها(?:ی|یی)?(?:\s|$|[.،؛:])", t)]

    assert spaced == []
    assert any(f"می{ZWNJ}" in t for t in texts)


# Rendering: the pages people see first, in each language, are translated and laid out right to left.


def _choose_language(client, language: str, page: str) -> None:
    client.post(reverse("accounts:set_language"), {"language": language, "next": page})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ar", ["تسجيل الدخول", "كلمة المرور", "ليس لديك حساب بعد؟ أنشئ حسابًا"]),
        ("fa", ["ورود", "رمز عبور", "هنوز حساب ندارید؟ ثبت\u200cنام کنید"]),
    ],
)
def test_the_login_page_is_translated_and_right_to_left(client, language, expected):
    _choose_language(client, language, reverse("accounts:login"))

    page = client.get(reverse("accounts:login")).content.decode()

    assert f'<html lang="{language}" dir="rtl">' in page
    for text in expected:
        assert text in page
    assert "Password" not in page and "No account yet?" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ar", ["كيف يمكننا مساعدتك؟", "تقديم طلب", "طلباتي"]),
        ("fa", ["چطور می\u200cتوانیم به شما کمک کنیم؟", "ثبت درخواست", "درخواست\u200cهای من"]),
    ],
)
def test_the_portal_home_follows_the_customers_language(client, language, expected):
    customer = CustomerFactory(language=language)
    client.force_login(customer)

    page = client.get(reverse("portal:home")).content.decode()

    assert f'<html lang="{language}" dir="rtl">' in page
    for text in expected:
        assert text in page
    assert "How can we help you?" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ar", ["صندوق الوارد", "تسجيل مكالمة", "تذكرة جديدة", "تصفية", "الموضوع", "مقدم الطلب"]),
        ("fa", ["صندوق ورودی", "ثبت تماس", "تیکت جدید", "فیلتر", "موضوع", "درخواست\u200cکننده"]),
    ],
)
def test_the_desk_inbox_follows_the_agents_language(client, language, expected):
    agent = AgentFactory(language=language)
    TeamFactory(members=[agent])
    client.force_login(agent)

    page = client.get(reverse("desk:inbox")).content.decode()

    assert f'<html lang="{language}" dir="rtl">' in page
    for text in expected:
        assert text in page
    assert "Inbox" not in page and "Log a call" not in page


@pytest.mark.django_db
def test_choosing_persian_in_the_language_switch_renders_the_portal_in_persian(client):
    _choose_language(client, "fa", reverse("portal:home"))

    page = client.get(reverse("portal:home")).content.decode()

    assert '<html lang="fa" dir="rtl">' in page
    assert "مرکز راهنما" in page


@pytest.mark.django_db
def test_english_stays_left_to_right(client):
    _choose_language(client, "en", reverse("accounts:login"))

    page = client.get(reverse("accounts:login")).content.decode()

    assert '<html lang="en" dir="ltr">' in page
    assert "Password" in page


@pytest.mark.django_db
def test_an_unknown_language_is_ignored(client):
    _choose_language(client, "fa", reverse("accounts:login"))

    _choose_language(client, "xx-evil", reverse("accounts:login"))
    page = client.get(reverse("accounts:login")).content.decode()

    assert '<html lang="fa" dir="rtl">' in page


PHYSICAL_CSS = re.compile(
    r"(?<![-\w])(?:(?:margin|padding|border)-(?:left|right)[\w-]*|left|right)\s*:"
    r"|(?:text-align|float|clear)\s*:\s*(?:left|right)\b"
)
JS_STRING = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")
STYLE_IN_TEMPLATE = re.compile(
    r"""<style\b[^>]*>(.*?)</style>|\bstyle\s*=\s*("[^"]*"|'[^']*')""", re.S | re.I
)


def _css_of(path: Path) -> list[str]:
    """The CSS in a file: a stylesheet's lines, a template's <style> and style="…", script strings."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".css":
        return text.splitlines()
    if path.suffix == ".js":
        return JS_STRING.findall(text)
    return ["".join(parts) for parts in STYLE_IN_TEMPLATE.findall(text)]


def test_styles_use_logical_properties_only():
    # Every stylesheet (the project's and the apps'), the styles templates carry (pages, emails) and the CSS
    # scripts write (the chat widget styles its shadow root from JavaScript).
    files = [
        path
        for pattern in ("**/static/**/*.css", "**/static/**/*.js", "**/templates/**/*.html")
        for path in SOURCE.glob(pattern)
        if "vendor" not in path.parts
    ]

    offending = [
        (path.name, css.strip()[:120]) for path in files for css in _css_of(path) if PHYSICAL_CSS.search(css)
    ]

    assert any(path.suffix == ".css" for path in files) and any(path.suffix == ".js" for path in files)
    assert offending == []


def test_the_style_check_finds_physical_properties():
    assert PHYSICAL_CSS.search("a { margin-left: 1rem }") and PHYSICAL_CSS.search(".x{text-align:right}")
    assert PHYSICAL_CSS.search("position:fixed;left:0") and not PHYSICAL_CSS.search("inset-inline-start:0")
    assert not PHYSICAL_CSS.search("margin-inline-start: 1rem; text-align: start")
    assert JS_STRING.findall("var css = 'a{right:0}' + \"b\";") == ["'a{right:0}'", '"b"']


def test_every_layout_declares_its_language_and_direction():
    # Pages, emails, the embeddable contact form, the chat transcript: each document names its language and
    # direction from the language it is rendered in.
    documents = [path for path in TEMPLATES if "<html" in path.read_text(encoding="utf-8")]
    html_tag = re.compile(r"<html\b[^>]*>")

    missing = [
        str(path.relative_to(SOURCE))
        for path in documents
        for tag in html_tag.findall(path.read_text(encoding="utf-8"))
        if not re.search(r'\blang="\{\{ *\w+ *\}\}"', tag) or not re.search(r'\bdir="\{% if \w+ %\}rtl', tag)
    ]

    assert len(documents) >= 5
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_chat_widget_gets_every_string_in_the_visitors_language(client, language):
    # The widget's script carries no text of its own: everything it shows comes in its config response.
    from tests.chat.factories import ChatWidgetFactory

    widget = ChatWidgetFactory(team=TeamFactory())
    url = reverse("chat:widget_config", args=[widget.key])

    def strings(lang):
        return client.get(url, {"lang": lang}, HTTP_ORIGIN=widget.allowed_origins[0]).json()["strings"]

    english, translated = strings("en"), strings(language)

    assert english and translated.keys() == english.keys()
    assert [key for key, text in english.items() if translated[key] == text] == []


def test_a_rules_json_problems_are_explained_in_the_editors_language():
    # pydantic words its own messages in English; the rule editor gets them in the language it works in.
    from awn.automation.actions import ActionError, parse_actions

    with translation.override("fa"), pytest.raises(ActionError) as refused:
        parse_actions([{"type": "set_priority"}, {"type": "add_tags", "tags": []}, {"type": "nope"}])

    assert refused.value.messages == [
        "اقدام 1 (set_priority) priority: لازم است",
        "اقدام 2 (add_tags) tags: دست\u200cکم 1 مورد",
        "اقدام 3: نوع ناشناختهٔ 'nope'",
    ]


@pytest.mark.parametrize(
    ("language", "long", "short"),
    [
        ("ar", "29 نوفمبر 2026، 2:05 م", "29\u200f/11\u200f/2026 2:05 م"),
        ("fa", "29 نوامبر 2026، ساعت 14:05", "2026/11/29،\u200f 14:05"),
    ],
)
def test_dates_and_times_follow_the_language(language, long, short):
    moment = datetime(2026, 11, 29, 14, 5)

    with translation.override(language):
        shown = (date_format(moment, "DATETIME_FORMAT"), date_format(moment, "SHORT_DATETIME_FORMAT"))

    assert shown == (long, short)


# Error pages: Django's own are English and left to right; ours follow the viewer's language.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"), [("ar", "الصفحة غير موجودة"), ("fa", "صفحه پیدا نشد"), ("en", "Page not found")]
)
def test_a_missing_page_is_shown_in_the_viewers_language(client, language, expected):
    _choose_language(client, language, reverse("accounts:login"))

    response = client.get("/desk/no-such-page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}" dir="{"ltr" if language == "en" else "rtl"}">' in page
    assert expected in page


@pytest.mark.django_db
def test_a_refused_page_is_shown_in_the_users_language(client):
    customer = CustomerFactory(language="fa")
    client.force_login(customer)

    response = client.get(reverse("desk:inbox"))

    page = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="fa" dir="rtl">' in page
    assert "دسترسی ممنوع" in page


@pytest.mark.django_db
def test_an_htmx_request_for_a_missing_page_gets_the_message_alone(client):
    _choose_language(client, "ar", reverse("accounts:login"))

    response = client.get("/desk/no-such-page/", headers={"HX-Request": "true"})

    page = response.content.decode()
    assert response.status_code == 404
    assert "<html" not in page
    assert 'role="alert"' in page and "الصفحة غير موجودة" in page


@pytest.mark.django_db
def test_an_expired_form_is_explained_in_the_viewers_language():
    client = Client(enforce_csrf_checks=True, headers={"Accept-Language": "ar"})

    response = client.post(reverse("accounts:login"), {"email": "a@example.com", "password": "x"})

    page = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="ar" dir="rtl">' in page
    assert "انتهت صلاحية النموذج" in page


@pytest.mark.parametrize("template", ["400.html", "500.html"])
def test_the_pages_rendered_without_a_request_are_translated_and_right_to_left(template):
    with translation.override("fa"):
        page = render_to_string(template)

    assert '<html lang="fa" dir="rtl">' in page
    assert "صفحهٔ اصلی" in page


# Templates: text a person reads is inside {% translate %} / {% blocktranslate %}, never bare English.

TEMPLATE_NOISE = [
    re.compile(r"\{#.*?#\}", re.S),
    re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S),
    re.compile(r"\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}", re.S),
    # Not prose: scripts and styles, and what is shown as code or keys (<code dir="ltr">{"field": …}</code>).
    re.compile(r"<(script|style|code|kbd|pre|samp)\b[^>]*>.*?</\1\s*>", re.S | re.I),
    # Blocks that hold a class name or a URL ({% block body_class %}desk{% endblock %}).
    re.compile(r"\{%\s*block\s+\w*(?:class|url|id)\s*%\}.*?\{%\s*endblock\b[^%]*%\}", re.S),
]
TEMPLATE_CODE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
HTML_MARKUP = re.compile(r"<!--.*?-->|<[^>]*>|&[#\w]+;", re.S)
READ_ATTRIBUTES = re.compile(
    r"""\b(?:placeholder|title|alt|aria-label|aria-description)\s*=\s*("[^"]*"|'[^']*')""", re.I
)
# A word of two letters or more that is not an acronym (SLA, API, HTML and the like read the same everywhere).
ENGLISH_WORD = re.compile(r"(?<![\w.@/-])(?![A-Z0-9]+\b)[A-Za-z][a-z]+(?:['’-][A-Za-z]+)*(?![\w@/-])")


def untranslated_text(source: str) -> list[str]:
    """English words a template shows outside translation tags, in its text and in attributes people read."""
    for noise in TEMPLATE_NOISE:
        source = noise.sub(" ", source)
    found = [
        value
        for value in READ_ATTRIBUTES.findall(source)
        if ENGLISH_WORD.search(TEMPLATE_CODE.sub(" ", value[1:-1]))
    ]
    text = HTML_MARKUP.sub(" ", TEMPLATE_CODE.sub(" ", source))
    found += [line.strip() for line in text.splitlines() if ENGLISH_WORD.search(line)]
    return found


def test_the_template_check_finds_bare_english_and_nothing_else():
    marked = """{% load i18n %}<h1 class="title">{% translate "Inbox" %}</h1>{# a note #}
        <p>{% blocktranslate with n=count %}{{ n }} open{% endblocktranslate %} · SLA · #{{ ticket.pk }}</p>
        <a href="{% url 'desk:inbox' %}" aria-label="{% translate 'Main' %}" title="{{ user.email }}">→</a>
        <code dir="ltr">{"field": 1}</code><kbd>Ctrl+/</kbd>{% block body_class %}desk{% endblock %}"""
    bare = (
        """<p>{% translate "Inbox" %}</p><button>Save changes</button><input placeholder="Search tickets">"""
    )

    assert untranslated_text(marked) == []
    assert untranslated_text(bare) == ['"Search tickets"', "Save changes"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(SOURCE)))
def test_templates_show_no_untranslated_english(template):
    assert untranslated_text(template.read_text(encoding="utf-8")) == []
