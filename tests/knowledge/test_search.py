"""Article search: the ticket search's Arabic/Persian normalization, any-word matching, who finds what."""

import pytest

from awn.knowledge import services
from awn.knowledge.models import ArticleDocument, State, Visibility
from awn.knowledge.search import find_articles, parse_article_query, rebuild_article_index
from awn.knowledge.selectors import search_help_center
from tests.factories import AgentFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def titles(results):
    return [t.title for t in results]


def search(query, language="en", user=None):
    return titles(search_help_center(user=user or CustomerFactory(), query=query, language=language))


def test_a_sentence_finds_the_article_with_its_content_words(publish):
    publish("Reset your password", "Use the link on the sign-in page.")
    publish("Export your invoices", "Download a PDF of every invoice.")

    found = search("I cannot reset my password, how do I do it?")

    assert found == ["Reset your password"]


def test_the_word_being_typed_matches_as_a_prefix(publish):
    publish("Reset your password")

    assert search("reset my passw") == ["Reset your password"]


def test_common_words_alone_are_still_looked_up(publish):
    publish("How to get help")

    assert search("how to") == ["How to get help"]


def test_a_title_match_ranks_above_a_passing_mention(publish):
    publish("Billing overview", "Everything about invoices, plans and the password of the billing portal.")
    publish("Password rules", "Choose a long password.")

    assert search("password")[0] == "Password rules"


def test_arabic_spelling_variants_find_each_other(publish):
    publish("إعادة تعيين كلمة المرور", language="ar")

    assert search("اعاده تعيين كلمه المرور", language="ar") == ["إعادة تعيين كلمة المرور"]


def test_arabic_diacritics_and_tatweel_are_ignored(publish):
    publish("تصدير الفواتير", language="ar")

    assert search("تَصْدِيـــر", language="ar") == ["تصدير الفواتير"]


def test_the_arabic_article_is_optional(publish):
    publish("تصدير الفاتورة", language="ar")

    assert search("فاتورة", language="ar") == ["تصدير الفاتورة"]


def test_persian_and_arabic_yeh_and_kaf_are_the_same_letter(publish):
    publish("تغییر رمز عبور کاربر", language="fa")

    assert search("تغيير رمز كاربر", language="fa") == ["تغییر رمز عبور کاربر"]


def test_the_persian_half_space_is_optional(publish):
    publish("دریافت فاکتور\u200cها", "راهنمای دریافت", language="fa")

    assert search("فاکتورها", language="fa") == ["دریافت فاکتور\u200cها"]
    assert search("فاکتور ها", language="fa") == ["دریافت فاکتور\u200cها"]
    assert search("فاکتور\u200cها", language="fa") == ["دریافت فاکتور\u200cها"]


def test_drafts_and_archived_articles_are_not_found(writer, section, publish):
    services.create_article(by=writer, section=section, language="en", title="Secret roadmap")
    archived = publish("Old pricing")
    services.change_state(by=writer, translation=archived, state=State.ARCHIVED)

    assert search("roadmap") == []
    assert search("pricing") == []


def test_unpublishing_takes_an_article_out_of_the_index(writer, publish):
    translation = publish("Reset your password")

    services.change_state(by=writer, translation=translation, state=State.DRAFT)

    assert search("password") == []
    assert not ArticleDocument.objects.exists()


def test_customers_never_find_internal_articles(publish):
    publish("Refund policy for agents", visibility=Visibility.INTERNAL)

    assert search("refund") == []
    assert search("refund", user=None) == []


def test_agents_find_internal_articles(publish):
    publish("Refund policy for agents", visibility=Visibility.INTERNAL)

    assert search("refund", user=AgentFactory()) == ["Refund policy for agents"]


def test_making_an_article_internal_hides_it_from_customers_at_once(writer, publish, section):
    translation = publish("Refund policy")

    services.update_article(
        by=writer, article=translation.article, section=section, visibility=Visibility.INTERNAL
    )

    assert search("refund") == []


def test_a_reader_of_persian_also_finds_articles_only_in_the_default_language(publish):
    publish("VPN setup", "Configure the VPN client.")

    assert search("vpn", language="fa") == ["VPN setup"]


def test_a_reader_sees_the_translation_in_their_language(publish, translate):
    english = publish("Reset your password", "Click the link.")
    translate(english, "fa", "بازنشانی رمز عبور", "روی پیوند بزنید.")

    assert search("password", language="fa") == ["بازنشانی رمز عبور"]
    assert search("رمز", language="fa") == ["بازنشانی رمز عبور"]


def test_other_languages_are_not_searched(publish, translate):
    publish("تصدير الفواتير", language="ar")

    assert search("تصدير", language="fa") == []


def test_operators_and_quotes_in_the_query_are_plain_words(publish):
    publish("Reset your password")

    for hostile in [
        'password" OR "x',
        "password AND NOT x",
        "pass*word",
        "'; DROP TABLE x; --",
        "NEAR(a b)",
        "!password & x | y:*",
        "\\' \\\\",
    ]:
        search(hostile)  # never raises


def test_a_query_of_punctuation_finds_nothing_and_parses_to_no_terms(publish):
    publish("Reset your password")

    assert parse_article_query("?!… ،") is None
    assert search("?!…") == []


def test_rebuilding_the_index_finds_the_same_articles(publish, translate):
    english = publish("Reset your password")
    translate(english, "fa", "بازنشانی رمز عبور")
    ArticleDocument.objects.all().delete()

    total = rebuild_article_index()

    assert total == 2
    assert [hit.language for hit in find_articles(query="رمز", languages=["fa"], include_internal=False)] == [
        "fa"
    ]
