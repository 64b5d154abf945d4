"""CSV injection: every CSV the platform writes goes through core.exports.safe_cell."""

from decimal import Decimal

import pytest

from core.exports import safe_cell


@pytest.mark.parametrize("value", ['=HYPERLINK("x")', "+1", "-1+2", "@SUM(A1)", "\tx", "\r=1"])
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Decimal("-5.00"), "-5.00"), (-3, "-3"), (1.5, "1.5"), (None, ""), ("芦山县", "芦山县")],
)
def test_numbers_stay_numbers_and_plain_text_is_untouched(value, expected):
    assert safe_cell(value) == expected
