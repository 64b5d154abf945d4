"""Spreadsheet-safe CSV cells, shared by every CSV the platform writes.

A spreadsheet runs a cell that starts with = + - @ (or a tab / carriage return that hides one) as
a formula: CSV injection. Text cells starting so get a leading apostrophe, which spreadsheets
display and never evaluate. Numbers (int, Decimal, float) are data the platform itself computed,
so a negative balance stays ``-5.00`` and still sums in the spreadsheet.
"""

from __future__ import annotations

from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The text to write into a CSV cell for ``value``, neutralised if it could run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
