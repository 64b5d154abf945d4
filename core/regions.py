"""Administrative division codes (GB/T 2260) and the prefix rule of jurisdiction.

A 6-digit code names its level by its trailing zeros: ``PP0000`` province, ``PPCC00`` prefecture,
``PPCCDD`` county. Jurisdiction is by prefix: 510000 covers 51xxxx, 511800 covers 5118xx.
"""

import re
from functools import lru_cache

CODE_RE = re.compile(r"^\d{6}$")


def is_valid_code(code: str) -> bool:
    return bool(code) and bool(CODE_RE.match(code))


def prefix_of(code: str) -> str:
    """The significant prefix: 510000 -> '51', 511800 -> '5118', 511826 -> '511826'."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def covers(region_code: str, code: str) -> bool:
    """Whether the area ``region_code`` includes ``code`` (itself or anything under it)."""
    if not (is_valid_code(region_code) and is_valid_code(code)):
        return False
    return code.startswith(prefix_of(region_code))


def ancestors(code: str) -> list[str]:
    """The codes of the province and prefecture above ``code``, then ``code`` itself."""
    return list(_ancestors(code))


@lru_cache(maxsize=8192)  # China has ~3,600 codes; the 3W asks for every task's, every read
def _ancestors(code: str) -> tuple[str, ...]:
    level = level_of(code)
    chain = [code[:2] + "0000"]
    if level != "province":
        chain.append(code[:4] + "00")
    if level == "county":
        chain.append(code)
    return tuple(chain)
