"""What a query finds: words in subjects and messages, in English, Arabic and Persian spelling variants."""

import pytest

from awn.search.selectors import search_tickets
from awn.tickets.services import Actor, add_internal_note, reply_to_ticket
from tests.search.conftest import numbers

pytestmark = pytest.mark.django_db


def test_a_word_in_the_subject_finds_the_ticket(admin_user, customer, open_ticket):
    wanted = open_ticket(customer, "Refund for my order")
    open_ticket(customer, "Printer jammed")

    found = search_tickets(user=admin_user, query="refund")

    assert numbers(found) == [wanted.pk]


def test_a_word_in_a_later_reply_finds_the_ticket(admin_user, agent, customer, open_ticket):
    wanted = open_ticket(customer, "Question")
    reply_to_ticket(ticket=wanted, by=Actor.of(agent), body="Your parcel left the warehouse today")

    found = search_tickets(user=admin_user, query="warehouse")

    assert numbers(found) == [wanted.pk]


def test_words_from_the_subject_and_from_a_message_match_together(admin_user, customer, open_ticket):
    wanted = open_ticket(customer, "Printer trouble", body="It shows error E42 since Monday")
    open_ticket(customer, "Printer ink", body="Where do I buy cartridges?")

    found = search_tickets(user=admin_user, query="printer e42")

    assert numbers(found) == [wanted.pk]


def test_every_word_of_the_query_must_match(admin_user, customer, open_ticket):
    open_ticket(customer, "Refund please", body="for the blue lamp")

    found = search_tickets(user=admin_user, query="refund sofa")

    assert found == []


def test_the_last_word_matches_as_a_prefix_while_typing(admin_user, customer, open_ticket):
    wanted = open_ticket(customer, "Refund for my order")

    found = search_tickets(user=admin_user, query="refu")

    assert numbers(found) == [wanted.pk]


def test_earlier_words_match_whole_words_only(admin_user, customer, open_ticket):
    open_ticket(customer, "Refund for my order")

    found = search_tickets(user=admin_user, query="refu order")

    assert found == []


def test_case_and_latin_accents_do_not_matter(admin_user, customer, open_ticket):
    wanted = open_ticket(customer, "Problème au CAFÉ")

    found = search_tickets(user=admin_user, query="probleme cafe")

    assert numbers(found) == [wanted.pk]


def test_a_subject_match_ranks_above_a_match_in_a_message_body(admin_user, customer, open_ticket):
    in_body = open_ticket(
        customer, "Question about my account", body="Also the invoice was wrong, see attached"
    )
    in_subject = open_ticket(customer, "Invoice", body="Please check")

    found = search_tickets(user=admin_user, query="invoice")

    assert numbers(found) == [in_subject.pk, in_body.pk]


def test_each_ticket_is_returned_once_however_many_messages_match(admin_user, agent, customer, open_ticket):
    ticket = open_ticket(customer, "Wifi drops", body="The wifi drops every hour")
    reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Restart the wifi router")
    add_internal_note(ticket=ticket, by=Actor.of(agent), body="wifi firmware bug again")

    found = search_tickets(user=admin_user, query="wifi")

    assert numbers(found) == [ticket.pk]


def test_the_limit_is_respected(admin_user, customer, open_ticket):
    for n in range(5):
        open_ticket(customer, f"Lamp broken {n}")

    found = search_tickets(user=admin_user, query="lamp", limit=3)

    assert len(found) == 3


def test_among_equal_matches_the_most_recent_comes_first(admin_user, customer, open_ticket):
    older = open_ticket(customer, "Lamp broken")
    newer = open_ticket(customer, "Lamp broken")

    found = search_tickets(user=admin_user, query="lamp broken")

    assert numbers(found) == [newer.pk, older.pk]


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("الفاتورة غير صحيحة", "فاتوره"),  # teh marbuta and the attached article
        ("فاتورة", "الفاتورة"),  # the article typed, not stored
        ("أريد استرداد المبلغ", "اريد"),  # alef with hamza above
        ("إلغاء الاشتراك", "الغاء"),  # alef with hamza below
        ("مُشْكِلَةٌ في الدَّفْع", "مشكله"),  # harakat
        ("الحســـاب مقفل", "حساب"),  # tatweel and the article
        ("كلمة المرور", "کلمه"),  # Arabic kaf, typed with a Persian keyboard
        ("نسيت كلمة المرور", "كلمة المرور"),  # two words, the last one with the article
        ("نسيت كلمة المرور", "المرور كلمة"),  # the article on an earlier word
        ("مسؤول الحساب", "مسوول"),  # waw with hamza
        ("مطالبة بالضمان", "الضمان"),  # the article after an attached preposition
        ("رقم للطلب", "طلب"),  # ل + ال written لل
        ("الضمان", "بالضمان"),  # the preposition typed, not stored
    ],
)
def test_arabic_spelling_variants_find_each_other(admin_user, customer, open_ticket, stored, typed):
    wanted = open_ticket(customer, "طلب", body=stored)

    found = search_tickets(user=admin_user, query=typed)

    assert numbers(found) == [wanted.pk]


def test_arabic_type_ahead_with_the_article_finds_the_word(admin_user, customer, open_ticket):
    wanted = open_ticket(customer, "مشكلة في الفاتورة")

    found = search_tickets(user=admin_user, query="الفات")

    assert numbers(found) == [wanted.pk]


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("چاپگر کار نمی‌کند", "نمیکند"),  # half-space typed as nothing
        ("چاپگر کار نمی‌کند", "نمی کند"),  # half-space typed as a space
        ("چاپگر کار نمی‌کند", "نمی‌کند"),  # half-space typed as a half-space
        ("رمز عبور را فراموش کردم", "رمز عبور"),
        ("مشکل در پرداخت", "مشكل"),  # Arabic kaf typed
        ("فاکتور شماره ۱۲۳۴۵", "12345"),  # Persian digits stored, ASCII typed
        ("invoice 12345", "۱۲۳۴۵"),  # ASCII stored, Persian digits typed
        ("کیف پول", "كيف"),  # Arabic yeh and kaf typed
    ],
)
def test_persian_spelling_variants_find_each_other(admin_user, customer, open_ticket, stored, typed):
    wanted = open_ticket(customer, "درخواست", body=stored)

    found = search_tickets(user=admin_user, query=typed)

    assert numbers(found) == [wanted.pk]


def test_a_ticket_number_finds_that_ticket_first(admin_user, customer, open_ticket):
    wanted = open_ticket(customer, "Lamp")
    mentions = open_ticket(customer, "Follow-up", body=f"See ticket {wanted.pk}")

    found = search_tickets(user=admin_user, query=f"#{wanted.pk}")

    assert numbers(found) == [wanted.pk, mentions.pk]


@pytest.mark.parametrize("typed", ["{n}", "#{n}", " # {n} "])
def test_a_ticket_number_is_found_in_any_usual_form(admin_user, customer, open_ticket, typed):
    wanted = open_ticket(customer, "Lamp")

    found = search_tickets(user=admin_user, query=typed.format(n=wanted.pk))

    assert numbers(found)[:1] == [wanted.pk]


def test_a_ticket_number_in_persian_digits_finds_the_ticket(admin_user, customer, open_ticket):
    wanted = open_ticket(customer, "Lamp")
    persian = str(wanted.pk).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))

    found = search_tickets(user=admin_user, query=f"#{persian}")

    assert numbers(found)[:1] == [wanted.pk]
