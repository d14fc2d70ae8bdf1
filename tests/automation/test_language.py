"""Language detection (lingua, offline): Arabic, Persian and English told apart and stored."""

import pytest

from awn.automation.language import LONG_TEXT, detect_language, detector
from awn.tickets.models import Message, TicketEvent
from awn.tickets.services import Actor, add_customer_message

SAMPLES = {
    "fa": [
        "سلام، سفارش من هنوز نرسیده است. لطفا پیگیری کنید.",
        "چاپگر من کار نمی‌کند و کاغذ گیر کرده است.",
        "می‌خواهم رمز عبورم را عوض کنم ولی ایمیلی دریافت نکردم.",
        "صورتحساب این ماه دو بار از کارت من کم شده است.",
    ],
    "ar": [
        "مرحبا، طلبي لم يصل بعد. أرجو المتابعة.",
        "الطابعة لا تعمل والورق عالق فيها.",
        "أريد تغيير كلمة المرور لكنني لم أستلم أي بريد.",
        "تم خصم الفاتورة مرتين من بطاقتي هذا الشهر.",
    ],
    "en": [
        "Hello, my order has not arrived yet. Please check.",
        "My printer does not work and the paper is stuck.",
        "I want to change my password but I did not get any email.",
        "This month's invoice was charged twice to my card.",
    ],
}


@pytest.mark.parametrize(
    ("language", "text"), [(lang, text) for lang, texts in SAMPLES.items() for text in texts]
)
def test_arabic_persian_and_english_are_told_apart(language, text):
    assert detect_language(text) == language


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_long_messages_are_told_apart_too(language):
    text = " ".join(SAMPLES[language])
    assert len(text) >= LONG_TEXT  # decided by the low-accuracy detector

    assert detect_language(text) == language


def test_on_long_realistic_messages_the_low_accuracy_detector_says_what_the_full_one_says():
    import random

    from awn.bench.scenarios import creation_payload

    rng = random.Random(5)
    bodies = [creation_payload(rng, ["ann@example.com"], 1)["message"]["body"] for _ in range(200)]
    long = [body for body in bodies if len(body) >= LONG_TEXT]
    assert len(long) > 50

    def code(found):
        return found.iso_code_639_1.name.lower() if found is not None else ""

    full = [code(detector().detect_language_of(body)) for body in long]
    assert [code(detector(low_accuracy=True).detect_language_of(body)) for body in long] == full
    assert {"en", "ar", "fa"} <= set(full)


@pytest.mark.parametrize("text", ["", "ok", "thanks!", "12345", "😀😀"])
def test_too_little_text_has_no_language(text):
    assert detect_language(text) == ""


def test_a_new_tickets_language_is_stored_on_the_message_and_the_ticket(open_ticket):
    ticket = open_ticket(subject="مشکل", body=SAMPLES["fa"][0])

    assert ticket.language == "fa"
    assert Message.objects.get(ticket=ticket).language == "fa"
    assert ticket.events.get(kind=TicketEvent.Kind.LANGUAGE).new == "fa"


def test_the_ticket_follows_the_customer_when_they_switch_language(open_ticket, customer, run_events):
    ticket = open_ticket(body=SAMPLES["en"][1])

    with run_events():
        add_customer_message(ticket=ticket, author=customer, body=SAMPLES["ar"][1])

    ticket.refresh_from_db()
    assert ticket.language == "ar"
    assert list(ticket.events.filter(kind=TicketEvent.Kind.LANGUAGE).values_list("old", "new")) == [
        (None, "en"),
        ("en", "ar"),
    ]


def test_a_customer_replys_language_is_stored_in_the_replys_own_transaction(open_ticket, customer):
    ticket = open_ticket(body=SAMPLES["en"][1])

    # No after-commit handler runs here: the ticket service stores the language with the message.
    message = add_customer_message(ticket=ticket, author=customer, body=SAMPLES["fa"][3])

    ticket.refresh_from_db()
    assert Message.objects.get(pk=message.pk).language == "fa"
    assert ticket.language == "fa"
    switched = ticket.events.get(kind=TicketEvent.Kind.LANGUAGE, message=message)
    assert (switched.old, switched.new, switched.actor_id) == ("en", "fa", None)


def test_a_reply_in_the_tickets_language_records_no_switch(open_ticket, customer):
    ticket = open_ticket(body=SAMPLES["ar"][0])

    message = add_customer_message(ticket=ticket, author=customer, body=SAMPLES["ar"][2])

    assert Message.objects.get(pk=message.pk).language == "ar"
    assert ticket.events.filter(kind=TicketEvent.Kind.LANGUAGE).count() == 1  # the opening's only


def test_agent_replies_do_not_change_the_tickets_language(open_ticket, agent, run_events):
    from awn.tickets.services import reply_to_ticket

    ticket = open_ticket(body=SAMPLES["fa"][1])

    with run_events():
        reply_to_ticket(ticket=ticket, by=Actor.of(agent), body=SAMPLES["en"][0])

    ticket.refresh_from_db()
    assert ticket.language == "fa"


def test_rules_see_the_detected_language(make_rule, open_ticket):
    make_rule(
        "persian",
        conditions={"all": [{"field": "language", "op": "is", "value": "fa"}]},
        actions=[{"type": "add_tags", "tags": ["persian"]}],
    )

    ticket = open_ticket(body=SAMPLES["fa"][2])

    assert ticket.tags.filter(name="persian").exists()


def test_models_preloaded_in_the_background_detect_as_before():
    from awn.automation.language import preload_in_background

    thread = preload_in_background()
    thread.join()

    assert detect_language(SAMPLES["en"][0]) == "en"
    assert detect_language(SAMPLES["fa"][0]) == "fa"
