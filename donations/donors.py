"""How a donor appears on the public ledger (DOMAIN.md): 匿名, 张*, or an organization's name."""

import secrets

# Two-character surnames common enough that "欧*" would mislead.
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "令狐",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "百里",
    ]
)
ANONYMOUS = "匿名"
TRACE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def donor_display(name: str, kind: str, anonymous: bool) -> str:
    """Individuals as surname + "*", organizations by full name, 匿名 when asked or unnamed."""
    name = (name or "").strip()
    if anonymous or not name:
        return ANONYMOUS
    if kind != "individual":
        return name
    if name[:2] in COMPOUND_SURNAMES:
        return name[:2] + "*"
    if name.isascii():
        parts = name.split()
        return (parts[-1] if len(parts) > 1 else name)[0].upper() + "*"
    return name[0] + "*"


def new_trace_code() -> str:
    """12 unambiguous characters in three groups, e.g. ``K7QP-3MZT-WX9A``."""
    raw = "".join(secrets.choice(TRACE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
