"""Search normalization (DESIGN.md §7): equivalent spellings fold to one string, and folding is stable."""

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from awn.core.text import normalize_text, search_text, search_words, strip_article

ARABIC_BLOCK = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
ANY_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"), ARABIC_BLOCK, st.sampled_from("\u200c\u200d\u200e\u200f")
    ),
    max_size=60,
)
DIACRITICS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"


@given(ANY_TEXT)
@example("ϴ")
@example("ǅ")
@example("ﷺ")
@example("İ")
@example("ΐ")
def test_normalizing_is_idempotent(value):
    once = normalize_text(value)

    assert normalize_text(once) == once


@given(ANY_TEXT)
def test_search_words_of_normalized_text_are_the_same_words(value):
    assert search_words(normalize_text(value)) == search_words(value)


@given(ANY_TEXT)
def test_indexed_text_contains_every_word_a_query_would_look_up(value):
    indexed = set(search_text(value).split())

    assert {strip_article(word) for word in search_words(value)} <= indexed


@given(st.text(alphabet=st.sampled_from("يكىةبتنسمل "), min_size=1, max_size=30))
def test_arabic_and_persian_forms_of_yeh_and_kaf_fold_together(arabic):
    persian = arabic.replace("ي", "ی").replace("ى", "ی").replace("ك", "ک")

    assert normalize_text(arabic) == normalize_text(persian)


def test_arabic_yeh_and_kaf_match_their_persian_forms():
    assert normalize_text("كتاب علي") == normalize_text("کتاب علی")


@given(st.sampled_from("أإآٱا"), st.text(alphabet=st.sampled_from("بتسملن"), max_size=8))
def test_every_alef_form_folds_to_the_bare_alef(alef, rest):
    assert normalize_text(alef + rest) == "ا" + rest


@given(st.text(alphabet=st.sampled_from("بتسملنرو"), min_size=1, max_size=12), st.data())
def test_diacritics_and_tatweel_are_removed(word, data):
    decorated = "".join(
        letter + data.draw(st.text(alphabet=st.sampled_from(DIACRITICS + "\u0640"), max_size=3))
        for letter in word
    )

    assert normalize_text(decorated) == word


def test_a_fully_vowelled_word_matches_the_plain_one():
    assert normalize_text("مُحَمَّدٌ") == normalize_text("محمد")


def test_teh_marbuta_folds_to_heh():
    assert normalize_text("فاتورة") == normalize_text("فاتوره")


def test_hamza_seats_fold_to_their_letters():
    assert normalize_text("مسؤول") == "مسوول"
    assert normalize_text("مسئول") == "مسیول"


@given(st.integers(min_value=0, max_value=10**12))
def test_arabic_indic_and_persian_digits_fold_to_ascii(number):
    ascii_digits = str(number)
    arabic = ascii_digits.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    persian = ascii_digits.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))

    assert normalize_text(arabic) == normalize_text(persian) == ascii_digits


def test_a_half_space_word_normalizes_to_the_joined_word():
    assert normalize_text("می\u200cخواهم") == "میخواهم"


def test_a_half_space_word_is_indexed_joined_and_as_its_parts():
    assert search_words("می\u200cخواهم", for_index=True) == ["میخواهم", "می", "خواهم"]


@given(st.lists(st.text(alphabet=st.sampled_from("الوبفکدینسرت"), min_size=1, max_size=9), max_size=12))
def test_indexed_article_forms_follow_the_rules_of_strip_article(words):
    expected = [strip_article(word) for word in words if strip_article(word) != word]

    assert search_words(" ".join(words), for_index=True) == words + expected


@given(
    st.text(alphabet=st.sampled_from("بتسملنرو"), min_size=1, max_size=6),
    st.text(alphabet=st.sampled_from("بتسملنرو"), min_size=1, max_size=6),
)
def test_every_way_of_typing_a_half_space_word_finds_it(left, right):
    indexed = set(search_text(f"{left}\u200c{right}").split())

    assert set(search_words(left + right)) <= indexed
    assert set(search_words(f"{left} {right}")) <= indexed
    assert set(search_words(f"{left}\u200c{right}")) <= indexed


def test_invisible_direction_marks_and_joiners_are_dropped():
    assert normalize_text("\u200fسلام\u200d\u200e") == "سلام"


def test_latin_case_and_accents_fold():
    assert normalize_text("Café CRÈME Straße") == "cafe creme strasse"


def test_arabic_presentation_forms_fold_to_letters():
    assert normalize_text("\ufefb") == normalize_text("لا")


def test_the_attached_arabic_article_is_indexed_with_and_without_it():
    assert search_words("الفاتورة", for_index=True) == ["الفاتوره", "فاتوره"]


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("الفاتوره", "فاتوره"),
        ("بالضمان", "ضمان"),
        ("والحساب", "حساب"),
        ("فالمشکله", "مشکله"),
        ("کالعاده", "عاده"),
        ("للطلب", "طلب"),
    ],
)
def test_the_attached_article_and_its_prepositions_are_stripped(word, stem):
    assert strip_article(word) == stem


@pytest.mark.parametrize("word", ["الان", "الگو", "والدین", "کالا", "بالا", "فالوده", "ال", "لل", "کتاب"])
def test_words_that_merely_start_like_the_article_keep_it(word):
    assert strip_article(word) == word


def test_punctuation_separates_words():
    assert search_words("invoice#123, refund؟ (urgent)—now_please") == [
        "invoice",
        "123",
        "refund",
        "urgent",
        "now",
        "please",
    ]


def test_overlong_words_are_not_indexed():
    assert search_words("ok " + "x" * 65, for_index=True) == ["ok"]


@given(ANY_TEXT)
def test_normalized_text_is_in_nfc(value):
    once = normalize_text(value)

    assert unicodedata.normalize("NFC", once) == once


def test_empty_text_stays_empty():
    assert normalize_text("") == ""
    assert search_words("") == []
