"""The help center's public pages: what each reader sees, caching validators, feedback, files, branding."""

import pytest
from django.urls import reverse

from awn.knowledge import services
from awn.knowledge.models import ArticleStat, Feedback, SearchStat, State, Visibility
from tests.factories import AgentFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return response.content.decode()


def article_url(translation) -> str:
    return reverse("knowledge:article", args=[translation.slug])


def test_home_lists_categories_and_popular_articles(client, publish, category):
    read = publish("Reset your password")
    publish("Export invoices")
    client.get(article_url(read))

    html = page(client.get(reverse("knowledge:home")))

    assert "Account" in html
    assert "Popular articles" in html
    assert html.index("Reset your password") < html.index("Export invoices")


def test_home_hides_categories_with_nothing_readable(client, publish, kb_manager):
    empty = services.save_category(by=kb_manager, names={"en": "Empty shelf"})
    services.save_section(by=kb_manager, category=empty, names={"en": "Nothing"})
    publish("Reset your password")

    html = page(client.get(reverse("knowledge:home")))

    assert "Empty shelf" not in html


def test_the_home_pages_counts_follow_every_change_of_what_is_readable(client, writer, publish, section):
    first = publish("Reset your password")
    assert "1 article" in page(client.get(reverse("knowledge:home")))
    second = publish("Export invoices")
    assert "2 articles" in page(client.get(reverse("knowledge:home")))

    services.change_state(by=writer, translation=second, state=State.ARCHIVED)
    after_archiving = page(client.get(reverse("knowledge:home")))
    services.update_article(by=writer, article=first.article, section=section, visibility=Visibility.INTERNAL)
    after_hiding = page(client.get(reverse("knowledge:home")))
    client.force_login(AgentFactory())
    for_staff = page(client.get(reverse("knowledge:home")))

    assert "1 article" in after_archiving and "2 articles" not in after_archiving
    assert "Account" not in after_hiding
    assert "1 article" in for_staff


def test_the_home_page_is_counted_once_until_something_changes(
    client, publish, django_assert_max_num_queries
):
    publish("Reset your password")
    client.get(reverse("knowledge:home"), HTTP_ACCEPT_LANGUAGE="en")

    with django_assert_max_num_queries(12) as captured:
        client.get(reverse("knowledge:home"), HTTP_ACCEPT_LANGUAGE="en")

    assert not any("GROUP BY" in query["sql"] for query in captured.captured_queries)


def test_the_article_page_is_readable_without_javascript(client, publish):
    translation = publish("Reset your password", "Click **Forgot password**.")

    response = client.get(article_url(translation))

    assert response.status_code == 200
    assert "<strong>Forgot password</strong>" in page(response)
    assert 'name="helpful" value="yes"' in page(response)  # a plain form, no script needed


def test_a_persian_article_page_is_right_to_left_with_a_persian_slug(client, publish):
    translation = publish("تغییر رمز عبور", "روی «فراموشی رمز» بزنید.", language="fa")
    client.post(reverse("accounts:set_language"), {"language": "fa", "next": "/help/"})

    response = client.get(article_url(translation))

    assert (
        article_url(translation)
        == "/help/articles/%D8%AA%D8%BA%DB%8C%DB%8C%D8%B1-%D8%B1%D9%85%D8%B2-%D8%B9%D8%A8%D9%88%D8%B1/"
    )
    assert response.status_code == 200
    assert '<html lang="fa" dir="rtl">' in page(response)
    assert "تغییر رمز عبور" in page(response)


def test_a_reader_of_another_language_is_told_there_is_a_translation(client, publish, translate):
    english = publish("Reset your password")
    persian = translate(english, "fa", "بازنشانی رمز عبور")
    client.post(reverse("accounts:set_language"), {"language": "fa", "next": "/help/"})

    html = page(client.get(article_url(english)))

    assert article_url(persian) in html
    assert "Reset your password" in html


def test_an_article_only_in_the_default_language_says_so(client, publish):
    english = publish("Reset your password")
    client.post(reverse("accounts:set_language"), {"language": "fa", "next": "/help/"})

    response = client.get(article_url(english))

    assert response.status_code == 200
    assert response.context["fallback"] is True


def test_the_article_page_answers_a_conditional_request_with_304(client, publish):
    translation = publish("Reset your password")
    first = client.get(article_url(translation))

    again = client.get(article_url(translation), HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["ETag"] and first["Last-Modified"]
    assert again.status_code == 304


def test_a_changed_article_gets_a_new_etag(client, writer, publish):
    translation = publish("Reset your password")
    first = client.get(article_url(translation))

    services.save_translation(
        by=writer, article=translation.article, language="en", title="Reset", body="New"
    )
    again = client.get(article_url(translation), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_another_language_gets_another_etag(client, publish):
    translation = publish("Reset your password")
    english = client.get(article_url(translation))
    client.post(reverse("accounts:set_language"), {"language": "ar", "next": "/help/"})

    arabic = client.get(article_url(translation), HTTP_IF_NONE_MATCH=english["ETag"])

    assert arabic.status_code == 200


def test_signing_in_changes_the_etag(client, publish):
    translation = publish("Reset your password")
    anonymous = client.get(article_url(translation))
    client.force_login(CustomerFactory())

    signed_in = client.get(article_url(translation), HTTP_IF_NONE_MATCH=anonymous["ETag"])

    assert signed_in.status_code == 200


def test_home_and_category_pages_answer_conditional_requests(client, publish, category):
    publish("Reset your password")
    for url in (reverse("knowledge:home"), reverse("knowledge:category", args=[category.slug])):
        first = client.get(url)

        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

        assert again.status_code == 304, url


def test_an_if_modified_since_request_gets_304(client, publish):
    translation = publish("Reset your password")
    first = client.get(article_url(translation))

    again = client.get(article_url(translation), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again.status_code == 304


def test_a_full_view_is_counted_per_article_and_language(client, publish):
    translation = publish("Reset your password")

    client.get(article_url(translation))
    client.get(article_url(translation))

    translation.article.refresh_from_db()
    assert translation.article.view_count == 2
    assert ArticleStat.objects.get(article=translation.article, language="en").views == 2


@pytest.mark.parametrize("who", ["anonymous", "customer"])
def test_an_internal_article_is_not_found_by_customers_or_visitors(client, publish, who):
    translation = publish("Refund policy", visibility=Visibility.INTERNAL)
    if who == "customer":
        client.force_login(CustomerFactory())

    response = client.get(article_url(translation))

    assert response.status_code == 404
    assert "Refund policy" not in page(response)


def test_an_agent_reads_an_internal_article_marked_as_such(client, publish):
    translation = publish("Refund policy", visibility=Visibility.INTERNAL)
    client.force_login(AgentFactory())

    response = client.get(article_url(translation))

    assert response.status_code == 200
    assert "Internal: agents only" in page(response)


def test_a_draft_is_not_published_anywhere(client, writer, section):
    draft = services.create_article(by=writer, section=section, language="en", title="Unreleased feature")

    response = client.get(article_url(draft))

    assert response.status_code == 404
    assert "Unreleased feature" not in page(client.get(reverse("knowledge:home")))


def test_an_archived_article_is_gone(client, writer, publish):
    translation = publish("Old pricing")
    services.change_state(by=writer, translation=translation, state=State.ARCHIVED)

    assert client.get(article_url(translation)).status_code == 404


def test_an_unknown_category_is_404(client):
    assert client.get(reverse("knowledge:category", args=["nope"])).status_code == 404


def test_a_helpful_vote_with_a_comment_is_recorded(client, publish):
    translation = publish("Reset your password")

    response = client.post(
        reverse("knowledge:feedback", args=[translation.slug]),
        {"helpful": "no", "comment": "The link was <b>broken</b>"},
    )

    assert response.status_code == 302
    assert response["Location"].endswith("?feedback=thanks#feedback")
    feedback = Feedback.objects.get()
    assert (feedback.helpful, feedback.comment) == (False, "The link was <b>broken</b>")
    assert ArticleStat.objects.get(article=translation.article).not_helpful == 1
    assert "Thank you for your feedback" in page(client.get(response["Location"]))


def test_a_vote_that_is_neither_yes_nor_no_writes_nothing(client, publish):
    translation = publish("Reset your password")

    client.post(reverse("knowledge:feedback", args=[translation.slug]), {"helpful": "maybe"})

    assert not Feedback.objects.exists()


def test_votes_are_rate_limited_per_address(client, publish):
    translation = publish("Reset your password")
    url = reverse("knowledge:feedback", args=[translation.slug])
    for _ in range(20):
        client.post(url, {"helpful": "yes"})

    response = client.post(url, {"helpful": "yes"})

    assert response.status_code == 429
    assert Feedback.objects.count() == 20


def test_nobody_votes_on_an_internal_article_from_outside(client, publish):
    translation = publish("Refund policy", visibility=Visibility.INTERNAL)

    response = client.post(reverse("knowledge:feedback", args=[translation.slug]), {"helpful": "yes"})

    assert response.status_code == 404
    assert not Feedback.objects.exists()


def test_the_comment_is_shown_escaped_nowhere_public(client, publish):
    translation = publish("Reset your password")
    client.post(
        reverse("knowledge:feedback", args=[translation.slug]),
        {"helpful": "no", "comment": "<script>alert(1)</script>"},
    )

    assert "<script>alert(1)" not in page(client.get(article_url(translation)))


def test_search_finds_articles_and_counts_the_search(client, publish):
    publish("Reset your password", "Use the sign-in page.")

    html = page(client.get(reverse("knowledge:search"), {"q": "forgot my password"}))

    assert "Reset your password" in html
    assert SearchStat.objects.get(query="forgot my password").no_results == 0


def test_a_search_with_no_result_is_recorded_as_a_content_gap(client, publish):
    publish("Reset your password")

    html = page(client.get(reverse("knowledge:search"), {"q": "Refund  MY order"}))

    assert "No articles match" in html
    stat = SearchStat.objects.get()
    assert (stat.query, stat.no_results, stat.language) == ("refund my order", 1, "en")


def test_the_search_page_escapes_the_query(client, publish):
    html = page(client.get(reverse("knowledge:search"), {"q": "<img src=x onerror=alert(1)>"}))

    assert "<img src=x" not in html


def test_still_need_help_leads_to_the_contact_form_or_a_new_request(client, publish):
    translation = publish("Reset your password")

    anonymous = page(client.get(article_url(translation)))
    client.force_login(CustomerFactory())
    customer = page(client.get(article_url(translation)))

    assert reverse("portal:contact") in anonymous
    assert reverse("portal:ticket_new") in customer


def test_branding_name_colours_and_footer_are_shown(client, kb_manager, publish):
    publish("Reset your password")
    services.update_branding(
        by=kb_manager, name="Acme Help", primary_color="#aa0000", header_color="#101010", footer="© Acme Inc."
    )

    html = page(client.get(reverse("knowledge:home")))

    assert "Acme Help" in html
    assert "--accent: #aa0000" in html
    assert "© Acme Inc." in html


def test_changing_the_branding_changes_the_etag(client, kb_manager, publish):
    publish("Reset your password")
    first = client.get(reverse("knowledge:home"))

    services.update_branding(
        by=kb_manager, name="New", primary_color="#aa0000", header_color="#101010", footer=""
    )
    again = client.get(reverse("knowledge:home"), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200


def test_the_logo_is_served_as_an_image(client, kb_manager):
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 32
    services.update_branding(
        by=kb_manager,
        name="",
        primary_color="#000000",
        header_color="#000000",
        footer="",
        logo=("logo.png", png, "image/png"),
    )

    response = client.get(reverse("knowledge:logo"))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png


def test_no_logo_is_404(client):
    assert client.get(reverse("knowledge:logo")).status_code == 404


def test_an_image_of_a_public_article_is_served_inline(client, writer, publish):
    translation = publish("Screens")
    item = services.add_article_file(
        by=writer,
        article=translation.article,
        filename="a.png",
        content=b"\x89PNG....",
        content_type="image/png",
    )

    response = client.get(reverse("knowledge:file", args=[item.pk, "a.png"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "attachment" not in response.get("Content-Disposition", "")
    assert response["Content-Security-Policy"] == "default-src 'none'"


def test_a_non_image_file_is_a_download_of_a_safe_type(client, writer, publish):
    translation = publish("Files")
    item = services.add_article_file(
        by=writer,
        article=translation.article,
        filename="x.html",
        content=b"<script>alert(1)</script>",
        content_type="text/html",
    )

    response = client.get(reverse("knowledge:file", args=[item.pk, "x.html"]))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("case", ["internal", "draft", "wrong name"])
def test_files_of_unreadable_articles_are_404_for_visitors(client, writer, section, publish, case):
    if case == "draft":
        translation = services.create_article(by=writer, section=section, language="en", title="Draft")
    else:
        translation = publish("Files", visibility=Visibility.INTERNAL if case == "internal" else "public")
    item = services.add_article_file(
        by=writer,
        article=translation.article,
        filename="a.png",
        content=b"\x89PNG....",
        content_type="image/png",
    )
    name = "b.png" if case == "wrong name" else "a.png"

    assert client.get(reverse("knowledge:file", args=[item.pk, name])).status_code == 404


def test_an_agent_may_open_a_file_of_a_draft(client, writer, section):
    translation = services.create_article(by=writer, section=section, language="en", title="Draft")
    item = services.add_article_file(
        by=writer,
        article=translation.article,
        filename="a.png",
        content=b"\x89PNG....",
        content_type="image/png",
    )
    client.force_login(writer)

    assert client.get(reverse("knowledge:file", args=[item.pk, "a.png"])).status_code == 200


def test_staff_go_to_the_help_center_not_the_desk(client, publish):
    publish("Reset your password")
    client.force_login(AgentFactory())

    assert client.get(reverse("knowledge:home")).status_code == 200


def test_an_article_moved_to_another_category_leaves_the_old_categorys_page(
    client, writer, kb_manager, publish, category
):
    moved = publish("Export invoices")
    publish("Reset your password")
    elsewhere = services.save_section(
        by=kb_manager,
        category=services.save_category(by=kb_manager, names={"en": "Billing"}),
        names={"en": "Bills"},
    )
    url = reverse("knowledge:category", args=[category.slug])
    first = client.get(url)
    assert "Export invoices" in page(first)

    services.update_article(by=writer, article=moved.article, section=elsewhere, visibility=Visibility.PUBLIC)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert "Export invoices" not in page(again)
    assert "Reset your password" in page(again)


def test_a_category_page_shows_an_article_published_since_it_was_last_shown(client, publish, category):
    publish("Reset your password")
    url = reverse("knowledge:category", args=[category.slug])
    client.get(url)

    publish("Export invoices")

    assert "Export invoices" in page(client.get(url))
