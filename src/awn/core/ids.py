"""Ids read from a form or a query string."""

from __future__ import annotations

MAX_ROW_ID = 2**63 - 1  # both databases store ids as signed 64-bit integers


def row_id(value: object) -> int | None:
    """The id `value` names, or None when it names none: only ASCII digits up to a 64-bit integer.

    `str.isdigit()` is not enough: it accepts "٣" and "²", and a number past 2**63 - 1 names no row, which
    SQLite's driver cannot even send (OverflowError, a server error)."""
    text = str(value or "")
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if number <= MAX_ROW_ID else None
