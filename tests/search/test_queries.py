"""Whatever is typed into the box, search answers with a list and never an error."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awn.search.query import parse_query
from awn.search.selectors import search_tickets

pytestmark = pytest.mark.django_db

HOSTILE = [
    '"',
    '""',
    '"lamp',
    'lamp"',
    "'",
    "''",
    "lamp'",
    "*",
    "lamp*",
    "**",
    "(",
    ")",
    "(lamp",
    "lamp)",
    "NEAR(lamp flickers)",
    "NEAR",
    "lamp NEAR/2 flickers",
    "lamp AND",
    "OR lamp",
    "NOT lamp",
    "lamp -flickers",
    "^lamp",
    "subject:lamp",
    "body : lamp",
    "{subject body}: lamp",
    "lamp + flickers",
    "lamp & | ! flickers",
    "lamp <-> flickers",
    "lamp:*",
    "lamp:A",
    "!lamp",
    "'; DROP TABLE tickets_ticket; --",
    "1' OR '1'='1",
    "lamp\\",
    "\\'",
    "%",
    "_",
    "%lamp%",
    "\x00lamp",
    "lamp\x00",
    "\u200f\u200e",
    "#",
    "#-1",
    "#0",
    "#99999999999999999999999",
    "-1",
    "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩",
    "ـ",
    "\ufeff",
    "🙂 lamp",
    "la" * 500,
    "lamp " * 200,
    "a b c d e f g h i j k l m n o p q r s t u v w x y z",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_do_not_error(admin_user, customer, open_ticket, query):
    open_ticket(customer, "Lamp flickers")

    found = search_tickets(user=admin_user, query=query)

    assert isinstance(found, list)


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_from_a_customer_do_not_error(customer, open_ticket, query):
    open_ticket(customer, "Lamp flickers")

    found = search_tickets(user=customer, query=query)

    assert isinstance(found, list)


@pytest.mark.parametrize(
    "query",
    ["NEAR(lamp door", "lamp AND door", "(door)", '"lamp door"', "lamp & door", "'lamp' | door", "near:*"],
)
def test_operators_are_read_as_plain_words(admin_user, customer, open_ticket, query):
    wanted = open_ticket(customer, "Near the lamp and the door")
    open_ticket(customer, "Lamp flickers")

    found = search_tickets(user=admin_user, query=query)

    assert [ticket.pk for ticket in found] == [wanted.pk]


@pytest.mark.parametrize("query", ["", "   ", "!!!", "?؟،", "--", "ـــ", "\u200c", "...", None])
def test_an_empty_or_punctuation_only_query_returns_nothing_without_touching_the_database(
    admin_user, django_assert_num_queries, query
):
    with django_assert_num_queries(0):
        found = search_tickets(user=admin_user, query=query)

    assert found == []


WORDS = st.sampled_from(
    [
        "lamp",
        "ال",
        "الفاتورة",
        "NEAR",
        "AND",
        "OR",
        "NOT",
        "#1",
        "*",
        '"',
        "'",
        "(",
        ")",
        ":",
        "^",
        "!",
        "&",
        "|",
        "<->",
        "\\",
        "-",
        "۱۲",
        "می\u200cخواهم",
        "ـ",
        "é",
        "x" * 70,
    ]
)
QUERIES = st.one_of(
    st.text(max_size=80), st.lists(WORDS, max_size=8).map(" ".join), st.lists(WORDS).map("".join)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERIES)
def test_no_typed_query_makes_the_database_raise(admin_user, customer, query):
    search_tickets(user=admin_user, query=query)
    search_tickets(user=customer, query=query)


def test_a_thousand_character_query_is_answered(admin_user, customer, open_ticket):
    wanted = open_ticket(customer, "Lamp flickers")
    query = "lamp " + "x" * 995

    found = search_tickets(user=admin_user, query=query)

    assert found == []  # every word must match, and no stored word is that long
    assert search_tickets(user=admin_user, query=("lamp " * 200)[:1000]) == [wanted]


@pytest.mark.parametrize("who", ["admin_user", "agent", "customer"])
def test_the_number_of_queries_does_not_grow_with_the_number_of_results(
    request, customer, team, open_ticket, django_assert_max_num_queries, who
):
    user = request.getfixturevalue(who)
    open_ticket(customer, "Lamp 0", team=team)
    with CaptureQueriesContext(connection) as one_result:
        search_tickets(user=user, query="lamp")
    for n in range(1, 10):
        open_ticket(customer, f"Lamp {n}", team=team)

    with django_assert_max_num_queries(len(one_result)):
        found = search_tickets(user=user, query="lamp")

    assert len(found) == 10


def test_only_the_last_word_is_a_prefix():
    parsed = parse_query("refund printer")

    assert parsed.terms.words == (("refund",), ("printer",))
    assert parsed.terms.prefix is True


def test_the_article_is_not_stripped_from_a_prefix_when_too_little_would_be_left():
    parsed = parse_query("الت")

    assert parsed.terms.words == (("الت",),)
    assert parsed.terms.prefix is True


def test_the_article_is_stripped_from_a_prefix_long_enough_without_it():
    parsed = parse_query("الفات")

    assert parsed.terms.words == (("الفات", "فات"),)


def test_a_short_last_word_is_not_a_prefix():
    parsed = parse_query("lamp ab")

    assert parsed.terms.prefix is False


def test_repeated_words_are_looked_up_once():
    parsed = parse_query("lamp lamp LAMP")

    assert parsed.terms.words == (("lamp",),)


def test_at_most_sixteen_words_are_looked_up():
    parsed = parse_query(" ".join(f"word{n}" for n in range(40)))

    assert len(parsed.terms.words) == 16


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner settings are PostgreSQL's")
def test_a_search_inside_a_transaction_leaves_the_planner_settings_as_they_were(
    admin_user, customer, open_ticket
):
    open_ticket(customer, "Lamp flickers")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '1MB'")

    search_tickets(user=admin_user, query="lamp")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
            "current_setting('enable_bitmapscan'), current_setting('work_mem')"
        )
        assert cursor.fetchone() == ("on", "on", "on", "1MB")
