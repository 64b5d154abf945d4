"""Personal data and the permanent record: commitments instead of names, screened free text.

The chain is public and permanent, so (format 2) it carries no names of natural persons:

- private fields of a receipt (the handler, the donor's full name, phone and address) are kept
  in ``DonorDetails`` with a per-entry random salt; the chain carries only
  ``commitment(salt, field, value) = sha256(f"{salt}:{field}:{value}")`` for each non-empty
  field. Whoever holds the plain text and the salt (revealed by the holder organization on
  request) can check it; the purge blanks both, after which the commitment proves nothing;
- free text that stays public (purpose, reason, filing reference, goods descriptions) is
  refused when it contains a mainland mobile number or a resident ID number (GB 11643).
"""

import hashlib
import re
import secrets
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Committed fields, in the order they are shown; the keys are the chain's ``commitments`` keys.
PRIVATE_FIELDS = ("handler", "donor_name", "donor_phone", "donor_address")


def new_salt() -> str:
    return secrets.token_hex(16)


def commitment(salt: str, field: str, value: str) -> str:
    """The chained commitment of one private field (the documented, reproducible form)."""
    return hashlib.sha256(f"{salt}:{field}:{value}".encode()).hexdigest()


def commitments(salt: str, values: dict[str, str]) -> dict[str, str]:
    """Commitments of the non-empty private fields (an empty field has nothing to hide)."""
    return {
        field: commitment(salt, field, values[field])
        for field in PRIVATE_FIELDS
        if values.get(field)
    }


PHONE = re.compile(r"(?<!\d)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
RESIDENT_ID = re.compile(
    r"(?<![0-9A-Za-z])([1-9]\d{5})(\d{4})(\d{2})(\d{2})\d{3}[0-9Xx](?![0-9A-Za-z])"
)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def is_resident_id(text: str) -> bool:
    """An 18-character resident ID (GB 11643): a plausible birth date and a valid check digit."""
    match = RESIDENT_ID.fullmatch(text)
    if not match:
        return False
    try:
        born = date(int(match.group(2)), int(match.group(3)), int(match.group(4)))
    except ValueError:
        return False
    if born.year < 1900:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(text[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == text[17].upper()


def personal_numbers(text: str) -> bool:
    """Does ``text`` contain a mainland mobile number or a resident ID number?"""
    if not text:
        return False
    if PHONE.search(text):
        return True
    return any(is_resident_id(m.group(0)) for m in RESIDENT_ID.finditer(text))


def screen(**fields: str) -> None:
    """Refuse public free text carrying phone or ID numbers: 400 with the field's message."""
    errors = {
        name: [
            _("This text is published permanently: leave personal data (phone or ID numbers) out.")
        ]
        for name, value in fields.items()
        if personal_numbers(value or "")
    }
    if errors:
        raise ValidationError(errors)


def screen_items(items: list[dict] | None) -> None:
    """Goods descriptions are public too (name, specification, quality certificate)."""
    for item in items or []:
        text = " ".join(
            str(item.get(key) or "") for key in ("name", "unit", "spec", "quality_certificate")
        )
        if personal_numbers(text):
            screen(items=text)
