"""Reading what a person typed into a search box: words to look up and, maybe, a ticket number."""

from __future__ import annotations

import re
from dataclasses import dataclass

from awn.core.text import MAX_WORD_LENGTH, normalize_text, search_words, strip_article
from awn.search.backends import Terms

MAX_QUERY_LENGTH = 2000  # characters read from the box; the rest is ignored
MAX_WORDS = 16  # every word is one more doclist to intersect; nobody types more into a search box
MIN_PREFIX_LENGTH = 3  # "re*" would expand to thousands of words: type-ahead starts at the third letter
_NUMBER = re.compile(r"#?\s*(\d{1,18})")


@dataclass(frozen=True)
class SearchQuery:
    terms: Terms | None
    number: int | None  # "#123", "123" or "۱۲۳": also look up ticket 123 itself

    @property
    def is_empty(self) -> bool:
        return self.terms is None and self.number is None


def parse_query(text: str) -> SearchQuery:
    """Words (normalized as the index is) and a ticket number; never raises on any input."""
    text = (text or "")[:MAX_QUERY_LENGTH]
    number_match = _NUMBER.fullmatch(normalize_text(text).strip())
    number = int(number_match.group(1)) if number_match else None
    words = list(dict.fromkeys(search_words(text)))[:MAX_WORDS]
    if not words or any(len(word) > MAX_WORD_LENGTH for word in words):
        # Every word must match, and the index holds no word that long: nothing can match.
        return SearchQuery(terms=None, number=number)
    *whole, last = words
    # Whole words are looked up without the Arabic article (the index stores article words in both forms). The
    # word being typed is matched as a prefix both as typed and without the article, so "الفا" already finds
    # "الفاتورة" and "الفاتورة" finds "فاتورة".
    groups: dict[tuple[str, ...], None] = dict.fromkeys((strip_article(word),) for word in whole)
    prefix = len(last) >= MIN_PREFIX_LENGTH
    if prefix:
        # Without the article, "الت" would leave "ت" as a prefix: every word starting with that letter (a
        # second's work at a million tickets, for nothing anyone meant). The form as typed still matches.
        bare = strip_article(last)
        last_forms = tuple(dict.fromkeys((last, bare))) if len(bare) >= MIN_PREFIX_LENGTH else (last,)
    else:
        last_forms = (strip_article(last),)
    groups.pop(last_forms, None)
    return SearchQuery(terms=Terms(words=(*groups, last_forms), prefix=prefix), number=number)
