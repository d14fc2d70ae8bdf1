"""Words kept so that they can be said again in the reader's language."""

from django.utils import translation

from awn.core.words import Said, said_again
from awn.tickets.models import Priority


def test_said_words_are_text_now_and_data_for_later():
    with translation.override("en"):
        said = Said("priority → %(name)s", name=Said.label(Priority.HIGH.label))

    assert said == "priority → High"
    assert said.as_data() == {
        "msgid": "priority → %(name)s",
        "params": {"name": {"msgid": "High", "params": {}}},
    }


def test_words_said_in_one_language_are_said_again_in_another():
    with translation.override("ar"):
        said = Said("tags added: %(tags)s", tags="vip")

    with translation.override("fa"):
        again = said_again(said.as_data(), fallback=str(said))

    assert said == "وسوم مُضافة: vip"
    assert again == "برچسب‌های افزوده: vip"


def test_words_that_cannot_be_read_give_the_stored_text():
    fallback = "as it was stored"

    assert said_again(None, fallback) == fallback
    assert said_again({"msgid": 42}, fallback) == fallback
    assert said_again({"msgid": "tags added: %(tags)s", "params": "not a dict"}, fallback) == fallback
    assert said_again({"msgid": "tags added: %(tags)s", "params": {}}, fallback) == fallback
