"""Text normalization for search, shared by indexing and querying (DESIGN.md §7).

`normalize_text` folds equivalent spellings to one string; `search_words` turns text into the words the
full-text index stores and the query looks up. Both sides of a search go through the same functions, so a
spelling variant typed in the search box meets the variant stored in a message.
"""

from __future__ import annotations

import re
import unicodedata

# Combining marks removed after decomposition: Latin accents (so "cafe" finds "café" on both databases, not
# only where the FTS tokenizer happens to fold them), Arabic harakat, tanwin, shadda, sukun, hamza above and
# below (what is left of أ إ ؤ ئ once decomposed), superscript alef, Quranic marks, and the tatweel (ـ).
_MARKS = re.compile(
    "[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08e1\u08e3-\u08ff\u0640]"
)
_ZWNJ = "\u200c"  # Persian half-space: joins nothing visually, but is part of one word (می‌خواهم, کتاب‌ها)
_LETTERS = {
    "\u0622": "\u0627",  # آ → ا
    "\u0623": "\u0627",  # أ → ا
    "\u0625": "\u0627",  # إ → ا
    "\u0671": "\u0627",  # ٱ → ا
    "\u0672": "\u0627",  # ٲ → ا
    "\u0673": "\u0627",  # ٳ → ا
    "\u0674": "",  # ٴ high hamza
    "\u064a": "\u06cc",  # Arabic yeh ي → Persian yeh ی
    "\u0649": "\u06cc",  # alef maksura ى → ی
    "\u0626": "\u06cc",  # ئ → ی
    "\u0643": "\u06a9",  # Arabic kaf ك → Persian keheh ک
    "\u06aa": "\u06a9",  # swash kaf ڪ → ک
    "\u0629": "\u0647",  # teh marbuta ة → ه
    "\u06c0": "\u0647",  # ۀ → ه
    "\u06d5": "\u0647",  # ە (what ۀ decomposes to) → ه
    "\u06c1": "\u0647",  # ہ → ه
    "\u0624": "\u0648",  # ؤ → و
    # Invisible controls that change nothing a reader sees: zero-width joiner, bidi marks, BOM, soft hyphen.
    "\u200d": "",
    "\u200e": "",
    "\u200f": "",
    "\u061c": "",
    "\u202a": "",
    "\u202b": "",
    "\u202c": "",
    "\u202d": "",
    "\u202e": "",
    "\u2066": "",
    "\u2067": "",
    "\u2068": "",
    "\u2069": "",
    "\ufeff": "",
    "\u00ad": "",
    "\u200b": " ",  # zero-width space separates words in scripts written without spaces
}
# Arabic-Indic and Persian digits to ASCII so "۱۲۳" and "١٢٣" find "123".
_DIGITS = dict(zip("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789", strict=True))
# str.translate looks every character up in a dict, which for Arabic text costs more than all the Unicode
# normalization together; a regular expression finds the few characters to replace and leaves the rest.
_FOLD = {**_LETTERS, **_DIGITS, _ZWNJ: ""}
_FOLD_KEEPING_ZWNJ = {**_LETTERS, **_DIGITS}
_TO_FOLD = re.compile("[" + "".join(_FOLD) + "]")
_TO_FOLD_KEEPING_ZWNJ = re.compile("[" + "".join(_FOLD_KEEPING_ZWNJ) + "]")
# Folding is repeated until nothing changes, but text made only of these characters is already stable.
_MAYBE_UNSTABLE = re.compile("[^\x00-\x7f\u0600-\u06ff]")

# A word: letters and digits (no underscore), possibly joined by half-spaces.
_WORD = re.compile(r"[^\W_]+(?:\u200c[^\W_]+)*")
_PLAIN_WORD = re.compile(r"[^\W_]+")
# The Arabic article, alone and after the one-letter prepositions and conjunctions written attached to it
# (و, ب, ف, ک; ل + ال is written لل), each with the letters the rest of the word must keep for the prefix
# to count as one: enough that common Persian words that merely start the same way ("الان", "والدین",
# "کالا") stay whole. Spelled in normalized letters (ک, not ك).
_ARTICLES = (
    ("\u0648\u0627\u0644", 4),  # وال
    ("\u0628\u0627\u0644", 4),  # بال
    ("\u0641\u0627\u0644", 4),  # فال
    ("\u06a9\u0627\u0644", 4),  # کال
    ("\u0644\u0644", 3),  # لل
    ("\u0627\u0644", 3),  # ال
)
# Looked up by a word's first two letters, which tell the prefixes apart: one dict lookup rejects most words.
_ARTICLE_BY_START = {prefix[:2]: (prefix, rest) for prefix, rest in _ARTICLES}
assert len(_ARTICLE_BY_START) == len(_ARTICLES)
MAX_WORD_LENGTH = 64  # the index skips longer "words": base64, hashes and URLs run together are noise


def _fold(value: str, *, keep_zwnj: bool = False) -> str:
    if value.isascii():
        return value.lower()  # the common case, and exactly what the full path gives for ASCII
    value = unicodedata.normalize("NFKC", value).casefold()
    value = _MARKS.sub("", unicodedata.normalize("NFKD", value))
    if keep_zwnj:
        value = _TO_FOLD_KEEPING_ZWNJ.sub(lambda match: _FOLD_KEEPING_ZWNJ[match.group()], value)
    else:
        value = _TO_FOLD.sub(lambda match: _FOLD[match.group()], value)
    return unicodedata.normalize("NFC", value)


def normalize_text(value: str) -> str:
    """Fold case, diacritics, letter variants and digits so equivalent spellings index the same way."""
    if not value:
        return ""
    folded = _fold(value)
    # Case folding can expose characters that compatibility normalization changes again, and the reverse;
    # folding until nothing changes makes the result a fixed point, which indexing and querying rely on.
    for _attempt in range(4):
        if not _MAYBE_UNSTABLE.search(folded):
            break
        again = _fold(folded)
        if again == folded:
            break
        folded = again
    return folded


def strip_article(word: str) -> str:
    """`word` (normalized) without an attached Arabic article: "الفاتوره", "بالفاتوره" → "فاتوره"."""
    rule = _ARTICLE_BY_START.get(word[:2])
    if rule is not None and word.startswith(rule[0]) and len(word) - len(rule[0]) >= rule[1]:
        return word[len(rule[0]) :]
    return word


def search_words(value: str, *, for_index: bool = False) -> list[str]:
    """The normalized words of `value` (letters and digits; punctuation separates words).

    For the index (`for_index`), two kinds of words are also stored in a second form, after all the words, so
    that both ways people write them are found: a word written with a Persian half-space is stored joined and
    as its parts ("می‌خواهم" is found by "میخواهم" and by "می خواهم"), and an Arabic word with its attached
    article is also stored without it (a search for "فاتورة" finds "الفاتورة" and "بالفاتورة"; the query side
    strips the article from whole words, see `strip_article`).
    """
    if not value:
        return []
    if not for_index:
        return _PLAIN_WORD.findall(normalize_text(value))
    if _ZWNJ in value:
        words = []
        for word in _WORD.findall(_fold(value, keep_zwnj=True)):
            if _ZWNJ in word:
                words.append(word.replace(_ZWNJ, ""))
                words.extend(word.split(_ZWNJ))
            else:
                words.append(word)
    else:
        words = _PLAIN_WORD.findall(normalize_text(value))
    words = [word for word in words if len(word) <= MAX_WORD_LENGTH]
    return words + [stem for word in words if (stem := strip_article(word)) is not word]


def search_text(value: str) -> str:
    """`value` as the full-text index stores it: normalized words separated by single spaces."""
    return " ".join(search_words(value, for_index=True))
