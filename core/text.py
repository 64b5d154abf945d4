"""What people type: numbers and names (docs/CONVENTIONS.md, "Numbers and names").

**Numbers** (amounts, quantities, counts) typed as text, in forms and in the API: Chinese input
methods type full-width digits (``１２３．５０``), so characters of the full-width forms block
(U+FF01-U+FF5E) and the ideographic space are normalized with NFKC to their ASCII twins; any
other non-ASCII character (Arabic-Indic ``٣``, superscript ``²``, ...) is refused, not read as a
digit (Python's ``Decimal`` and ``int`` would silently accept them).

**Names** (of donors, organizations, people): Unicode format characters (category Cf: U+202E
right-to-left override, U+200B zero-width space, U+FEFF byte-order mark ...) and control
characters are removed, whitespace is trimmed; a name that had text but keeps no visible
character is refused, and a name always starts with a visible character (the public ledger
shows the donor's first character: "张*").
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FULL_WIDTH = range(0xFF01, 0xFF5F)
IDEOGRAPHIC_SPACE = "\u3000"
# Removed from names: format, control, private-use, surrogate and unassigned code points.
INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Co", "Cs", "Cn"})
# A name starts with a letter, a number, punctuation or a symbol (not a mark or a space).
VISIBLE_START = ("L", "N", "P", "S")


def number_text(value: str) -> str:
    """``value`` as plain ASCII number text, or ``ValidationError``."""
    for char in value:
        if not (char.isascii() or ord(char) in FULL_WIDTH or char == IDEOGRAPHIC_SPACE):
            raise ValidationError(
                _("Enter the number with the digits 0-9."), code="non_ascii_number"
            )
    return unicodedata.normalize("NFKC", value).strip()


def clean_name(value: str | None) -> str:
    """``value`` without invisible characters, trimmed; ``ValidationError`` when text was given
    but nothing visible is left. An empty value stays empty (fields decide whether it may be)."""
    if not value:
        return value or ""
    cleaned = "".join(
        char for char in value if unicodedata.category(char) not in INVISIBLE_CATEGORIES
    ).strip()
    while cleaned and not unicodedata.category(cleaned[0]).startswith(VISIBLE_START):
        cleaned = cleaned[1:].strip()  # a leading combining mark or odd space
    if not cleaned:
        raise ValidationError(_("The name has no visible characters."), code="invisible_name")
    return cleaned


def check_name(field: str, value: str | None) -> str:
    """``clean_name`` for services: a refusal names the field."""
    try:
        return clean_name(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
