"""Text normalization for search, shared by indexing and querying (DESIGN.md §7)."""

import re
import unicodedata

# Arabic diacritics (harakat, tanwin, shadda, sukun, superscript alef, Quranic marks) and tatweel.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_LETTERS = str.maketrans(
    {
        "\u0623": "\u0627",  # أ → ا
        "\u0625": "\u0627",  # إ → ا
        "\u0622": "\u0627",  # آ → ا
        "\u0671": "\u0627",  # ٱ → ا
        "\u064a": "\u06cc",  # Arabic yeh ي → Persian yeh ی
        "\u0649": "\u06cc",  # alef maksura ى → ی
        "\u0643": "\u06a9",  # Arabic kaf ك → Persian keheh ک
        "\u0629": "\u0647",  # teh marbuta ة → ه
        "\u0624": "\u0648",  # ؤ → و
        "\u0626": "\u06cc",  # ئ → ی
        "\u06c0": "\u0647",  # ۀ → ه
        "\u200c": " ",  # zero-width non-joiner (Persian half-space) separates word parts
        "\u200d": "",
        "\u200f": "",
        "\u200e": "",
    }
)
# Arabic-Indic and Persian digits to ASCII so "۱۲۳" finds "123".
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def normalize_text(value: str) -> str:
    """Fold case, diacritics, letter variants and digits so equivalent spellings index the same way."""
    if not value:
        return ""
    value = unicodedata.normalize("NFKC", value)
    value = _DIACRITICS.sub("", value)
    value = value.translate(_LETTERS).translate(_DIGITS)
    return value.casefold()
