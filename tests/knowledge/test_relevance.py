"""Relevance on a fixed corpus: twenty customer questions in English, Arabic and Persian, precision@3.

precision@3 of one question = relevant articles among the first three results / min(3, relevant articles),
so a question with one right answer scores 1 when that answer is in the top three. The mean over the twenty
questions is reported (run with -s to see the table) and must stay at or above FLOOR; docs/knowledge-base.md
gives the figures on SQLite and PostgreSQL.
"""

import pytest

from awn.knowledge import services
from awn.knowledge.selectors import search_help_center
from tests.factories import CustomerFactory
from tests.knowledge.relevance_corpus import QUERIES, TOPICS

pytestmark = pytest.mark.django_db

FLOOR = 0.9


@pytest.fixture
def corpus(writer, section):
    articles = {}
    for topic, texts in TOPICS.items():
        title, body = texts["en"]
        first = services.create_article(
            by=writer, section=section, language="en", title=title, body=body, publish=True
        )
        for language in ("ar", "fa"):
            title, body = texts[language]
            services.save_translation(
                by=writer, article=first.article, language=language, title=title, body=body, state="published"
            )
        articles[first.article_id] = topic
    return articles


def test_precision_at_3_on_the_fixed_corpus(corpus):
    reader = CustomerFactory()
    rows = []
    for language, question, expected in QUERIES:
        found = search_help_center(user=reader, query=question, language=language, limit=3)
        top = [corpus[t.article_id] for t in found]
        hits = len(set(top) & expected)
        rank = next((i for i, topic in enumerate(top, start=1) if topic in expected), None)
        rows.append(
            (language, question, top, hits / min(3, len(expected)), hits / 3, 1 / rank if rank else 0.0)
        )

    precision = sum(row[3] for row in rows) / len(rows)
    strict = sum(row[4] for row in rows) / len(rows)
    mrr = sum(row[5] for row in rows) / len(rows)
    print()
    for language, question, top, p, _strict, _rr in rows:
        print(f"  {language}  p@3={p:.2f}  {question!r} -> {top}")
    for language in ("en", "ar", "fa"):
        mine = [row[3] for row in rows if row[0] == language]
        print(f"  precision@3 {language}: {sum(mine) / len(mine):.3f} over {len(mine)} questions")
    print(
        f"  precision@3 = {precision:.3f}  (strict hits/3 = {strict:.3f}, MRR = {mrr:.3f}, "
        f"{len(rows)} questions)"
    )
    assert len(rows) == 20
    assert precision >= FLOOR
