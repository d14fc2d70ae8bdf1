"""Article search: the ticket search's Arabic/Persian normalization, any-word matching, who finds what."""

import pytest
from django.db import connection

from awn.knowledge import services
from awn.knowledge.models import ArticleDocument, State, Visibility
from awn.knowledge.search import (
    BODY_RANK_WEIGHT,
    RANK_WEIGHTS,
    TITLE_RANK_WEIGHT,
    find_articles,
    parse_article_query,
    rebuild_article_index,
)
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


# --- PostgreSQL: the bound that chooses which matches are ranked (awn.knowledge.search._postgresql_find) ----

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's ranking")


def _rank_and_bound(query: str) -> list[tuple[float, float]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ts_rank({RANK_WEIGHTS}, tsv, q, 1), "
            f"({1 - BODY_RANK_WEIGHT / TITLE_RANK_WEIGHT} * ts_rank({RANK_WEIGHTS}, title_tsv, q, 0) "
            f"+ {BODY_RANK_WEIGHT}) / (ln(greatest(doc_length, 1) + 1) / ln(2)) "
            f"FROM knowledge_articledocument, to_tsquery('simple', %s) q WHERE tsv @@ q",
            [query],
        )
        return cursor.fetchall()


@postgresql_only
def test_no_document_ranks_above_its_bound_for_a_whole_word(publish):
    publish("Password", "Your password.")
    publish("Password password rules", "A password, then another password, and a third password here.")
    publish("Billing", "Mentions the password once in a much longer body of text about invoices and plans.")
    publish("Password", "")
    publish("Invoices", " ".join(["password"] * 300))

    ranks = _rank_and_bound("'password'")

    assert len(ranks) == 5
    for rank, bound in ranks:
        assert rank <= bound + 1e-6


@postgresql_only
def test_the_stored_length_is_the_one_ts_rank_normalizes_by(publish, translate):
    english = publish("Password rules", "Choose a long password, and never the same password twice.")
    translate(english, "fa", "قوانین رمز عبور", "رمز عبور طولانی انتخاب کنید.")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ts_rank(tsv, q, 1), ts_rank(tsv, q, 0) / (ln(doc_length + 1) / ln(2)) "
            "FROM knowledge_articledocument, to_tsquery('simple', 'password | رمز') q"
        )
        rows = cursor.fetchall()

    assert len(rows) == 2
    for normalized, by_stored_length in rows:
        assert normalized == pytest.approx(by_stored_length, rel=1e-5)


@postgresql_only
def test_ranking_only_the_best_bounded_candidates_finds_what_ranking_every_match_finds(publish, monkeypatch):
    for n in range(3):
        publish(f"Password {'rules ' * n}", "Choose a long password.")
    for n in range(9):
        publish(f"Article {n}", "A long text about plans and invoices " * (n + 3) + "and the password.")
    every = find_articles(query="password", languages=["en"], include_internal=False, limit=3)
    # Given: no document outside the three best bounds could rank among the first three.
    ranks, bounds = zip(*_rank_and_bound("'password'"), strict=True)
    assert sorted(bounds, reverse=True)[3] < sorted(ranks, reverse=True)[2]

    monkeypatch.setattr("awn.knowledge.search.CANDIDATES", 3)
    few = find_articles(query="password", languages=["en"], include_internal=False, limit=3)

    assert [hit.translation_id for hit in few] == [hit.translation_id for hit in every]
    assert [hit.score for hit in few] == pytest.approx([hit.score for hit in every])


@postgresql_only
def test_a_search_inside_a_transaction_leaves_sequential_scans_as_they_were(publish):
    publish("Reset your password")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = on")

    find_articles(query="password", languages=["en"], include_internal=False)

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan')")
        assert cursor.fetchone() == ("on",)
