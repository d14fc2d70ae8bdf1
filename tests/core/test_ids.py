"""Ids read from forms and query strings name a row or nothing."""

import pytest

from awn.core.ids import row_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [("42", 42), ("0", 0), (str(2**63 - 1), 2**63 - 1), (7, 7)],
)
def test_digits_up_to_a_64_bit_integer_are_an_id(value, expected):
    assert row_id(value) == expected


@pytest.mark.parametrize("value", [None, "", "-1", "4.2", " 42", "٣", "²", str(2**63), "9" * 40, "x"])
def test_anything_else_names_no_row(value):
    assert row_id(value) is None
