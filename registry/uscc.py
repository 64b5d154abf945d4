"""Unified Social Credit Code (统一社会信用代码, GB 32100-2015) checks.

18 characters from ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (values 0-30):
1 registration authority, 2 type, 3-8 region, 9-17 the GB 11714 organization code (its last
character is its own check digit), 18 the GB 32100 check character.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS_32100 = [pow(3, i, 31) for i in range(17)]
WEIGHTS_11714 = [3, 7, 9, 10, 5, 8, 4, 2]

# Registration authority + type codes that each organization kind may carry (DOMAIN.md).
KIND_PREFIXES: dict[str, tuple[str, ...] | None] = {
    "social_group": ("51",),
    "social_service": ("52",),
    "foundation": ("53",),
    "volunteer_team": None,  # any valid code
    "enterprise": ("91", "92", "93"),
    "agency": ("11",),
    "public_institution": ("12",),  # 机构编制 + 事业单位
    "evaluator": None,  # 第三方评估机构: social-service orgs, firms or 事业单位 — any valid code
}


# The message of each check (static/js/uscc.js shows the same words, passed by the widget).
MESSAGES = {
    "length": _("A unified social credit code has 18 characters."),
    "alphabet": _("Character “%(char)s” is not allowed (letters I, O, S, V, Z never appear)."),
    "region": _("Characters 3-8 must be the 6-digit region code."),
    "organization_code": _(
        "The organization code (characters 9-17) fails its GB 11714 check digit."
    ),
    "check_digit": _("The last character fails the GB 32100 check."),
    "kind": _("A code for this kind of organization starts with %(prefixes)s."),
}


@dataclass(frozen=True)
class USCCError(Exception):
    check: str
    message: str

    def __str__(self) -> str:
        return str(self.message)


def check_char_32100(first17: str) -> str:
    total = sum(VALUES[c] * w for c, w in zip(first17, WEIGHTS_32100, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def _value_11714(ch: str) -> int:
    # GB 11714 reads digits as themselves and letters A=10, B=11 ... over the full Latin alphabet.
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def check_char_11714(first8: str) -> str:
    total = sum(_value_11714(c) * w for c, w in zip(first8, WEIGHTS_11714, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate(code: str, kind: str | None = None) -> str:
    """Return the normalized code or raise USCCError naming the check that failed."""
    code = (code or "").strip().upper()
    if len(code) != 18:
        raise USCCError("length", MESSAGES["length"])
    bad = [c for c in code if c not in VALUES]
    if bad:
        raise USCCError("alphabet", MESSAGES["alphabet"] % {"char": bad[0]})
    if not code[2:8].isdigit():
        raise USCCError("region", MESSAGES["region"])
    if check_char_11714(code[8:16]) != code[16]:
        raise USCCError("organization_code", MESSAGES["organization_code"])
    if check_char_32100(code[:17]) != code[17]:
        raise USCCError("check_digit", MESSAGES["check_digit"])
    prefixes = KIND_PREFIXES.get(kind or "")
    if prefixes and code[:2] not in prefixes:
        raise USCCError("kind", MESSAGES["kind"] % {"prefixes": " / ".join(prefixes)})
    return code


def make(prefix: str, region: str, org_body: str) -> str:
    """Build a valid code from a 2-char prefix, 6-digit region and 8-char organization code body."""
    org = org_body + check_char_11714(org_body)
    first17 = prefix + region + org
    return first17 + check_char_32100(first17)
