"""PostgreSQL: a prefix looked up in the GIN index as the words it stands for (search_word), and the same
matches as the index's own partial match, whatever the words."""

import pytest
from django.db import connection

from awn.search.backends import Terms, get_backend
from awn.search.backends import postgresql as backend_module
from awn.search.indexing import rebuild_index
from awn.search.query import parse_query
from awn.search.scope import visibility_keys
from awn.tickets.services import Actor, change_team
from tests.factories import AdminFactory, AgentFactory, CustomerFactory, TeamFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's vocabulary of the index"),
]

TEXTS = [
    ("Invoice missing", "Where is my invoice INV-20431? The invoices page is empty."),
    ("Invoiced twice", "I was invoiced twice for one order, see ORD-771201."),
    ("Inventory sync", "The inventory export fails for e-mail jane.doe@example.com and foo-bar items."),
    ("الفاتورة", "لم تصلني الفاتورة، والفواتير السابقة أيضا."),
    ("فاکتور", "فاکتور‌ها را نمی‌بینم؛ فاکتور آخر کجاست؟"),
    ("Quote's test", "It's a back\\slash and a quote ' in the text."),
]


def indexed_words() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT unnest(tsvector_to_array(tsv)) FROM search_searchdocument")
        return {word for (word,) in cursor.fetchall()}


def vocabulary() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM search_word")
        return {word for (word,) in cursor.fetchall()}


@pytest.fixture
def tickets(open_ticket):
    agent = AgentFactory()
    team = TeamFactory(members=[agent])
    customer = CustomerFactory()
    made = [open_ticket(customer, subject, body, team=team) for subject, body in TEXTS]
    return agent, customer, made


def test_every_word_the_index_holds_is_in_the_vocabulary(tickets):
    assert indexed_words()
    assert indexed_words() <= vocabulary()


def test_the_vocabulary_holds_the_words_of_a_rebuilt_index(tickets):
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE search_word")

    rebuild_index()

    assert indexed_words() <= vocabulary()


QUERIES = [
    "inv",
    "invoice",
    "invoiced",
    "INV-204",
    "ORD-771",
    "foo-bar",
    "jane.doe",
    "الفا",
    "فاکت",
    "quote",
    "back",
    "zzz",
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("max_words", [200, 1])
def test_a_prefix_looked_up_as_its_words_matches_what_the_partial_match_matches(
    tickets, monkeypatch, query, max_words
):
    agent, customer, _made = tickets
    admin = AdminFactory()
    monkeypatch.setattr(backend_module, "FIRST_WALK", 0)  # the index lookup alone
    monkeypatch.setattr(backend_module, "MAX_PREFIX_WORDS", max_words)
    backend = get_backend()
    terms = parse_query(query).terms
    assert terms is not None and terms.prefix, query

    for user in (admin, agent, customer):
        keys = visibility_keys(user)
        found = backend.find(terms=terms, keys=keys, include_internal=True, window=50)
        monkeypatch.setattr(
            backend_module,
            "index_lookup_query",
            lambda cursor, terms: (backend_module.TSQUERY, [backend_module.tsquery_expression(terms)]),
        )
        partial = backend.find(terms=terms, keys=keys, include_internal=True, window=50)
        monkeypatch.undo()
        monkeypatch.setattr(backend_module, "FIRST_WALK", 0)
        monkeypatch.setattr(backend_module, "MAX_PREFIX_WORDS", max_words)

        assert sorted((hit.document_id, hit.score) for hit in found) == sorted(
            (hit.document_id, hit.score) for hit in partial
        ), user


def test_a_prefix_no_word_starts_with_asks_the_index_nothing(tickets, monkeypatch):
    monkeypatch.setattr(backend_module, "FIRST_WALK", 0)
    terms = Terms(words=(("invoice",), ("zzqx",)), prefix=True)

    with connection.cursor() as cursor:
        assert backend_module.index_lookup_query(cursor, terms) is None
    assert get_backend().find(terms=terms, keys=None, include_internal=True, window=50) == []


def test_the_words_of_a_prefix_are_read_in_code_point_order(tickets):
    with connection.cursor() as cursor:
        words = backend_module.prefix_words(cursor, ["invoice"])

    assert words == ["invoice", "invoiced", "invoices"]


def test_a_document_whose_text_is_rewritten_in_place_has_its_words_in_the_vocabulary(tickets):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE search_searchdocument SET tsv = to_tsvector('simple', 'quixotically rewritten') "
            "WHERE id = (SELECT min(id) FROM search_searchdocument)"
        )

    assert {"quixotically", "rewritten"} <= vocabulary()


def test_moving_a_ticket_to_another_team_looks_no_word_up_again(tickets):
    _agent, _customer, made = tickets
    assert "invoice" in vocabulary()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_word WHERE word = 'invoice'")

    change_team(ticket=made[0], team=TeamFactory(), by=Actor.system())

    # The keys' UPDATE rewrites no text: the vocabulary is not read or written for it.
    assert "invoice" not in vocabulary()
