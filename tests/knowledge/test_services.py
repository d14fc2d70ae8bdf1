"""Writing the knowledge base: slugs in any script, revisions, states, sanitized Markdown, who may do what."""

import re

import pytest

from awn.core.errors import AttachmentTooLarge, NotPermitted, ValidationFailed
from awn.knowledge import services
from awn.knowledge.models import Article, ArticleRevision, ArticleTranslation, Category, HelpCenter, State
from awn.tickets.services import Actor, reply_to_ticket
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_persian_title_gets_a_persian_slug(publish):
    translation = publish("تغییر رمز عبور", language="fa")

    assert translation.slug == "تغییر-رمز-عبور"


def test_an_arabic_title_gets_an_arabic_slug(publish):
    translation = publish("إعادة تعيين كلمة المرور", language="ar")

    assert translation.slug == "إعادة-تعيين-كلمة-المرور"


def test_a_title_with_no_letters_gets_a_generic_slug(publish):
    translation = publish("???")

    assert translation.slug == "article"


def test_slugs_are_unique_within_a_language(publish):
    first = publish("Reset your password")

    second = publish("Reset your password")

    assert (first.slug, second.slug) == ("reset-your-password", "reset-your-password-2")


def test_the_same_slug_may_be_used_in_two_languages(publish, translate):
    english = publish("VPN")

    persian = translate(english, "fa", "VPN")

    assert english.slug == persian.slug == "vpn"


def test_saving_again_keeps_the_published_slug(writer, publish):
    translation = publish("Reset your password")

    changed = services.save_translation(
        by=writer,
        article=translation.article,
        language="en",
        title="How to reset a forgotten password",
        body="New text",
    )

    assert changed.slug == "reset-your-password"
    assert changed.title == "How to reset a forgotten password"


def test_every_save_writes_a_revision(writer, publish):
    translation = publish("Reset your password", body="one")

    services.save_translation(
        by=writer, article=translation.article, language="en", title="Reset", body="two"
    )
    services.save_translation(
        by=writer, article=translation.article, language="en", title="Reset", body="three"
    )

    bodies = list(
        ArticleRevision.objects.filter(translation=translation)
        .order_by("number")
        .values_list("body", flat=True)
    )
    assert bodies == ["one", "two", "three"]


def test_restoring_a_revision_brings_its_text_back_as_a_new_revision(writer, publish):
    translation = publish("Reset your password", body="the good text")
    services.save_translation(
        by=writer, article=translation.article, language="en", title="Reset", body="vandalized"
    )
    first = translation.revisions.get(number=1)

    restored = services.restore_revision(by=writer, revision=first)

    assert restored.body == "the good text"
    assert restored.title == "Reset your password"
    assert restored.revision_count == 3


def test_markdown_is_stored_rendered_and_sanitized(publish):
    hostile = (
        "# Title\n\n<script>alert(1)</script>\n\n"
        "[click](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n"
        '<a href="#" onclick="steal()">x</a> <div style="position:fixed">overlay</div>'
    )

    translation = publish("Hostile", body=hostile)

    tags = re.findall(r"<[a-zA-Z][^>]*>", translation.html)
    assert "<h1>Title</h1>" in translation.html
    assert not [tag for tag in tags if re.search(r"script|javascript:|\son\w+=|style=", tag)]
    assert "&lt;script&gt;" in translation.html  # shown as text, never run


def test_markdown_links_and_images_survive(publish):
    translation = publish("Links", body="[Docs](https://example.com/docs) ![Screen](/help/files/1/a.png)")

    assert 'href="https://example.com/docs"' in translation.html
    assert '<img src="/help/files/1/a.png" alt="Screen">' in translation.html
    assert translation.text.startswith("Docs")


def test_a_new_article_is_a_draft_unless_published(writer, section):
    translation = services.create_article(by=writer, section=section, language="en", title="Draft")

    assert translation.state == State.DRAFT
    assert translation.published_at is None


def test_publishing_sets_the_publication_time_and_archiving_keeps_it(writer, section):
    translation = services.create_article(by=writer, section=section, language="en", title="Draft")

    services.change_state(by=writer, translation=translation, state=State.PUBLISHED)
    published_at = translation.published_at
    services.change_state(by=writer, translation=translation, state=State.ARCHIVED)

    translation.refresh_from_db()
    assert translation.state == State.ARCHIVED
    assert translation.published_at == published_at
    assert [r.note for r in translation.revisions.order_by("number")] == ["", "published", "archived"]


def test_a_customer_cannot_write_articles_and_nothing_is_written(section):
    customer = CustomerFactory()

    with pytest.raises(NotPermitted):
        services.create_article(by=customer, section=section, language="en", title="Spam")

    assert Article.objects.count() == 0


def test_an_agent_cannot_change_categories(writer):
    with pytest.raises(NotPermitted):
        services.save_category(by=writer, names={"en": "Mine"})

    assert Category.objects.count() == 0


def test_an_empty_title_is_refused_and_nothing_is_written(writer, section):
    with pytest.raises(ValidationFailed) as refused:
        services.create_article(by=writer, section=section, language="en", title="   ")

    assert refused.value.field == "title"
    assert Article.objects.count() == 0


def test_an_unknown_language_is_refused(writer, section):
    with pytest.raises(ValidationFailed):
        services.create_article(by=writer, section=section, language="xx", title="Hello")

    assert ArticleTranslation.objects.count() == 0


def test_a_category_needs_a_name_in_the_default_language(kb_manager):
    with pytest.raises(ValidationFailed):
        services.save_category(by=kb_manager, names={"fa": "حساب"})


def test_a_category_slug_is_made_from_its_name_in_any_script(kb_manager):
    category = services.save_category(by=kb_manager, names={"en": "فوترة"})

    assert category.slug == "فوترة"


def test_category_names_fall_back_to_the_default_language(category):
    assert category.name_in("fa") == "حساب کاربری"
    assert category.description_in("fa") == "Signing in and your profile"


def test_a_file_over_the_limit_is_refused(writer, publish, settings):
    settings.AWN_MAX_ATTACHMENT_BYTES = 10
    translation = publish("Files")

    with pytest.raises(AttachmentTooLarge):
        services.add_article_file(
            by=writer,
            article=translation.article,
            filename="big.png",
            content=b"x" * 11,
            content_type="image/png",
        )

    assert translation.article.files.count() == 0


def test_branding_refuses_a_colour_that_is_not_hex(kb_manager):
    with pytest.raises(ValidationFailed) as refused:
        services.update_branding(
            by=kb_manager,
            name="Help",
            primary_color="red;}</style><script>",
            header_color="#000000",
            footer="",
        )

    assert refused.value.field == "primary_color"
    assert not HelpCenter.objects.filter(name="Help").exists()


def test_branding_footer_is_sanitized_markdown(kb_manager):
    branding = services.update_branding(
        by=kb_manager,
        name="Acme Help",
        primary_color="#AA0000",
        header_color="#000000",
        footer="© Acme · [Privacy](javascript:x)",
    )

    assert branding.primary_color == "#aa0000"
    assert 'href="javascript' not in branding.footer_html
    assert "© Acme" in branding.footer_html


def test_an_svg_logo_is_refused(kb_manager):
    with pytest.raises(ValidationFailed):
        services.update_branding(
            by=kb_manager,
            name="",
            primary_color="#000000",
            header_color="#000000",
            footer="",
            logo=("logo.svg", b"<svg onload=alert(1)>", "image/svg+xml"),
        )


def test_an_agent_reply_becomes_a_draft_article(writer, section, ticket, team):
    team.members.add(writer)
    reply = reply_to_ticket(ticket=ticket, by=Actor.of(writer), body="Turn it off and on again.")

    draft = services.draft_article_from_message(by=writer, message=reply, section=section)

    assert draft.state == State.DRAFT
    assert draft.title == ticket.subject
    assert draft.body == "Turn it off and on again."


def test_a_customer_message_cannot_become_an_article(writer, section, ticket):
    first = ticket.messages.first()

    with pytest.raises(ValidationFailed):
        services.draft_article_from_message(by=writer, message=first, section=section)

    assert Article.objects.count() == 0
