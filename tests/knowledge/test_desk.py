"""The agents' side: who may open what, writing with a preview, publishing, revisions, the ticket panel."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from awn.knowledge import services
from awn.knowledge.events import linked_translations
from awn.knowledge.models import Article, ArticleShare, ArticleStat, Category, HelpCenter, State, Visibility
from awn.tickets.services import Actor, add_internal_note, reply_to_ticket
from tests.factories import AdminFactory, AgentFactory, CustomerFactory, TeamFactory

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["knowledge:articles", "knowledge:article_new", "knowledge:metrics"]
MANAGER_PAGES = ["knowledge:categories", "knowledge:branding"]


@pytest.mark.parametrize("name", STAFF_PAGES + MANAGER_PAGES)
def test_a_customer_gets_403_on_every_desk_page(client, name):
    client.force_login(CustomerFactory())

    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", STAFF_PAGES + MANAGER_PAGES)
def test_a_visitor_is_sent_to_sign_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_an_agent_opens_the_writing_pages(client, writer, section, name):
    client.force_login(writer)

    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", MANAGER_PAGES)
def test_an_agent_cannot_change_categories_or_branding(client, writer, name):
    client.force_login(writer)

    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", MANAGER_PAGES)
def test_a_manager_sets_the_help_center_up(client, kb_manager, name):
    client.force_login(kb_manager)

    assert client.get(reverse(name)).status_code == 200


def test_the_desk_nav_links_to_the_knowledge_base(client, writer):
    client.force_login(writer)

    assert reverse("knowledge:articles") in client.get(reverse("desk:inbox")).content.decode()


def test_an_agent_writes_and_publishes_an_article(client, writer, section):
    client.force_login(writer)

    response = client.post(
        reverse("knowledge:article_new"),
        {
            "language": "fa",
            "title": "تغییر رمز عبور",
            "slug": "",
            "body": "**مهم**",
            "section": section.pk,
            "visibility": "public",
            "publish": "on",
        },
    )

    article = Article.objects.get()
    translation = article.translations.get()
    assert response.status_code == 302
    assert (translation.language, translation.state, translation.slug) == (
        "fa",
        State.PUBLISHED,
        "تغییر-رمز-عبور",
    )
    assert translation.html == "<p><strong>مهم</strong></p>\n"


def test_a_new_article_without_a_title_writes_nothing(client, writer, section):
    client.force_login(writer)

    response = client.post(
        reverse("knowledge:article_new"),
        {"language": "en", "title": "", "body": "x", "section": section.pk, "visibility": "public"},
    )

    assert response.status_code == 400
    assert not Article.objects.exists()


def test_adding_a_translation_from_the_editor(client, writer, publish):
    english = publish("Reset your password")
    client.force_login(writer)

    client.post(
        reverse("knowledge:article_edit", args=[english.article_id]) + "?lang=ar",
        {"language": "ar", "title": "إعادة تعيين كلمة المرور", "body": "نص"},
    )

    arabic = english.article.translations.get(language="ar")
    assert (arabic.state, arabic.slug) == (State.DRAFT, "إعادة-تعيين-كلمة-المرور")


def test_the_editor_shows_every_language_and_its_state(client, writer, publish):
    english = publish("Reset your password")
    client.force_login(writer)

    html = client.get(
        reverse("knowledge:article_edit", args=[english.article_id]) + "?lang=fa"
    ).content.decode()

    assert "not translated" in html
    assert "Published" in html


def test_the_live_preview_renders_sanitized_markdown(client, writer):
    client.force_login(writer)

    response = client.post(
        reverse("knowledge:preview"), {"body": "# Hi\n\n<script>x</script>"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert "<h1>Hi</h1>" in html
    assert "<script>" not in html


def test_a_customer_cannot_use_the_preview(client):
    client.force_login(CustomerFactory())

    assert client.post(reverse("knowledge:preview"), {"body": "x"}).status_code == 403


def test_publishing_archiving_from_the_editor(client, writer, section):
    draft = services.create_article(by=writer, section=section, language="en", title="Draft")
    client.force_login(writer)

    client.post(
        reverse("knowledge:article_state", args=[draft.article_id]), {"language": "en", "state": "published"}
    )
    published = draft.article.translations.get().state
    client.post(
        reverse("knowledge:article_state", args=[draft.article_id]), {"language": "en", "state": "archived"}
    )

    assert (published, draft.article.translations.get().state) == (State.PUBLISHED, State.ARCHIVED)


def test_restoring_a_revision_from_the_history_page(client, writer, publish):
    translation = publish("Reset", body="good")
    services.save_translation(
        by=writer, article=translation.article, language="en", title="Reset", body="bad"
    )
    client.force_login(writer)
    history = client.get(reverse("knowledge:article_revisions", args=[translation.article_id]) + "?lang=en")

    client.post(reverse("knowledge:revision_restore", args=[translation.revisions.get(number=1).pk]))

    translation.refresh_from_db()
    assert "Restore this revision" in history.content.decode()
    assert translation.body == "good"


def test_making_an_article_internal_from_the_editor(client, writer, publish, section):
    translation = publish("Refunds")
    client.force_login(writer)

    client.post(
        reverse("knowledge:article_settings", args=[translation.article_id]),
        {"section": section.pk, "visibility": "internal"},
    )

    translation.article.refresh_from_db()
    assert translation.article.visibility == Visibility.INTERNAL
    assert client.get(reverse("knowledge:article", args=[translation.slug])).status_code == 200  # staff
    client.logout()
    assert client.get(reverse("knowledge:article", args=[translation.slug])).status_code == 404


def test_uploading_an_image_gives_its_markdown(client, writer, publish):
    translation = publish("Screens")
    client.force_login(writer)

    client.post(
        reverse("knowledge:article_upload", args=[translation.article_id]),
        {"file": SimpleUploadedFile("shot.png", b"\x89PNG....", content_type="image/png")},
    )

    item = translation.article.files.get()
    html = client.get(
        reverse("knowledge:article_edit", args=[translation.article_id]) + "?lang=en"
    ).content.decode()
    assert f"![shot.png](/help/files/{item.pk}/shot.png)" in html


def test_an_oversized_upload_writes_nothing(client, writer, publish, settings):
    settings.AWN_MAX_ATTACHMENT_BYTES = 4
    translation = publish("Screens")
    client.force_login(writer)

    client.post(
        reverse("knowledge:article_upload", args=[translation.article_id]),
        {"file": SimpleUploadedFile("shot.png", b"\x89PNG....", content_type="image/png")},
    )

    assert not translation.article.files.exists()


def test_a_manager_adds_a_category_with_a_persian_name(client, kb_manager):
    client.force_login(kb_manager)

    client.post(
        reverse("knowledge:categories"),
        {
            "kind": "category",
            "category-name_en": "Billing",
            "category-name_fa": "صورت‌حساب",
            "category-position": 1,
        },
    )

    category = Category.objects.get()
    assert category.names == {"en": "Billing", "fa": "صورت‌حساب"}


def test_a_manager_changes_the_branding(client, kb_manager):
    client.force_login(kb_manager)

    client.post(
        reverse("knowledge:branding"),
        {"name": "Acme", "primary_color": "#123456", "header_color": "#000000", "footer": "Acme Inc."},
    )

    assert HelpCenter.objects.get().primary_color == "#123456"


def test_a_bad_colour_in_the_branding_form_writes_nothing(client, kb_manager):
    client.force_login(kb_manager)

    response = client.post(
        reverse("knowledge:branding"),
        {"name": "Acme", "primary_color": "red", "header_color": "#000000", "footer": ""},
    )

    assert response.status_code == 422
    assert not HelpCenter.objects.filter(name="Acme").exists()


def test_the_metrics_page_shows_views_votes_and_content_gaps(client, writer, publish):
    translation = publish("Reset your password")
    client.get(reverse("knowledge:article", args=[translation.slug]))
    client.post(reverse("knowledge:feedback", args=[translation.slug]), {"helpful": "yes"})
    client.get(reverse("knowledge:search"), {"q": "refund"})
    client.force_login(writer)

    html = client.get(reverse("knowledge:metrics")).content.decode()

    assert "Reset your password" in html
    assert "100%" in html
    assert "refund" in html


# --- the ticket page ---------------------------------------------------------------------------------------


def test_the_ticket_page_has_a_slot_for_the_knowledge_panel(client, agent, ticket):
    client.force_login(agent)

    html = client.get(reverse("desk:ticket", args=[ticket.pk])).content.decode()

    assert reverse("knowledge:ticket_panel", args=[ticket.pk]) in html


def test_the_panel_is_404_for_an_agent_outside_the_team(client, ticket):
    outsider = AgentFactory()
    TeamFactory(members=[outsider])
    client.force_login(outsider)

    assert client.get(reverse("knowledge:ticket_panel", args=[ticket.pk])).status_code == 404


def test_looking_up_articles_offers_a_link_and_the_text(client, agent, publish):
    publish("Reset your password", "Use the sign-in page.")
    client.force_login(agent)

    html = client.get(reverse("knowledge:lookup"), {"q": "password", "lang": "en"}).content.decode()

    assert "Insert link" in html and "Insert text" in html
    assert "http://127.0.0.1:8000/help/articles/reset-your-password/" in html


def test_an_internal_article_offers_its_text_but_no_link(client, agent, publish):
    publish("Refund policy", "Refund within 30 days.", visibility=Visibility.INTERNAL)
    client.force_login(agent)

    html = client.get(reverse("knowledge:lookup"), {"q": "refund"}).content.decode()

    assert "Insert text" in html and "Insert link" not in html


def test_a_customer_cannot_look_articles_up_from_the_desk(client):
    client.force_login(CustomerFactory())

    assert client.get(reverse("knowledge:lookup"), {"q": "refund"}).status_code == 403


def test_a_reply_linking_an_article_records_it_as_sent(
    client, agent, ticket, publish, django_capture_on_commit_callbacks
):
    translation = publish("Reset your password")
    url = "http://127.0.0.1:8000" + reverse("knowledge:article", args=[translation.slug])

    with django_capture_on_commit_callbacks(execute=True):
        reply_to_ticket(ticket=ticket, by=Actor.of(agent), body=f"See {url} and again {url}")
    client.force_login(agent)
    panel = client.get(reverse("knowledge:ticket_panel", args=[ticket.pk])).content.decode()

    assert ArticleShare.objects.get().article_id == translation.article_id
    assert ArticleStat.objects.get(article=translation.article).sent == 1
    assert "Reset your password" in panel


def test_a_persian_article_link_is_recognized_percent_encoded_or_not(publish):
    translation = publish("تغییر رمز عبور", language="fa")
    encoded = reverse("knowledge:article", args=[translation.slug])

    assert linked_translations(f"x {encoded} y") == [translation]
    assert linked_translations(f"x /help/articles/{translation.slug}/ y") == [translation]


def test_an_internal_note_linking_an_article_is_not_sending_it(
    agent, ticket, publish, django_capture_on_commit_callbacks
):
    translation = publish("Reset your password")

    with django_capture_on_commit_callbacks(execute=True):
        add_internal_note(
            ticket=ticket, by=Actor.of(agent), body=reverse("knowledge:article", args=[translation.slug])
        )

    assert not ArticleShare.objects.exists()


def test_a_reply_becomes_a_draft_from_the_ticket_page(client, agent, ticket, section):
    reply = reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Unplug it for ten seconds.")
    client.force_login(agent)
    page = client.get(reverse("desk:ticket", args=[ticket.pk])).content.decode()

    response = client.post(
        reverse("knowledge:from_message", args=[reply.pk]), {"title": "Printer fire", "section": section.pk}
    )

    draft = Article.objects.get().translations.get()
    assert reverse("knowledge:from_message", args=[reply.pk]) in page
    assert response.status_code == 302
    assert (draft.state, draft.body) == (State.DRAFT, "Unplug it for ten seconds.")


def test_a_reply_on_a_ticket_outside_my_view_cannot_become_an_article(client, agent, ticket, section):
    reply = reply_to_ticket(ticket=ticket, by=Actor.of(AdminFactory()), body="Secret")
    outsider = AgentFactory()
    TeamFactory(members=[outsider])
    client.force_login(outsider)

    response = client.post(
        reverse("knowledge:from_message", args=[reply.pk]), {"title": "x", "section": section.pk}
    )

    assert response.status_code == 404
    assert not Article.objects.exists()
