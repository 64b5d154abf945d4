"""static/js/uscc.js says what registry.uscc.validate says, on thousands of generated codes, and
the register page shows its live message while a code is typed (in Chromium)."""

from __future__ import annotations

import random

import pytest

from registry import uscc
from tests.e2e.conftest import browser_page  # noqa: F401 (the Playwright page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXTRA = "IOSVZ" + "abcxyz" + "-_ .０１"


def _codes(rng: random.Random) -> list[str]:
    codes: list[str] = []
    prefixes = ["11", "51", "52", "53", "91", "92", "93", "Y1", "A1", "N2"]
    for _ in range(600):
        body = "".join(rng.choice(uscc.ALPHABET) for _ in range(8))
        region = f"{rng.randint(110000, 829999)}"
        code = uscc.make(rng.choice(prefixes), region, body)
        codes.append(code)
        # one character changed, anywhere, to anything (the check characters included)
        i = rng.randrange(18)
        codes.append(code[:i] + rng.choice(uscc.ALPHABET + EXTRA) + code[i + 1 :])
        # two neighbours swapped (the typing slip the check digits exist for)
        j = rng.randrange(17)
        codes.append(code[:j] + code[j + 1] + code[j] + code[j + 2 :])
        codes.append(code.lower())
        codes.append(code[: rng.randrange(18)])  # too short
        codes.append(code + rng.choice(uscc.ALPHABET))  # too long
        codes.append(code[:2] + "ABCDEF"[: rng.randint(1, 6)].ljust(6, "0") + code[8:])
    codes += ["", " ", "914403001922038216", "91110000600037341L", " 91110000600037341l "]
    return codes


def _python(code: str, kind: str) -> dict:
    try:
        return {"ok": True, "code": uscc.validate(code, kind or None)}
    except uscc.USCCError as error:
        return {"ok": False, "check": error.check}


def test_the_live_check_agrees_with_the_server_on_generated_codes(browser_page):  # noqa: F811
    page = browser_page
    page.goto(page.base_url + "/register/")
    page.wait_for_function("() => window.tzUscc !== undefined")
    rng = random.Random(32100)
    kinds = ["", *uscc.KIND_PREFIXES]
    cases = [(code, rng.choice(kinds)) for code in _codes(rng)]
    js = page.evaluate(
        """([cases, prefixes]) => cases.map(([code, kind]) => {
            const r = window.tzUscc.validate(code, prefixes[kind] || null);
            return r.ok ? {ok: true, code: r.code} : {ok: false, check: r.check};
        })""",
        [cases, {k: list(v) for k, v in uscc.KIND_PREFIXES.items() if v}],
    )
    disagreements = [
        (code, kind, expected, got)
        for (code, kind), got in zip(cases, js, strict=True)
        if (expected := _python(code, kind)) != got
    ]
    assert len(cases) > 4000
    assert sum(1 for r in js if r["ok"]) > 400  # valid codes were among them
    assert not disagreements, disagreements[:10]


def test_the_register_page_tells_while_typing(browser_page):  # noqa: F811
    page = browser_page
    page.goto(page.base_url + "/register/")
    page.select_option("select[name=kind]", "foundation")
    field = page.locator("input[name=uscc]")
    message = page.locator("[data-uscc-check]")
    field.press_sequentially("51511802t")
    assert message.inner_text() == "已输入 9／18 位。"
    assert field.input_value() == "51511802T"
    field.fill("")
    field.press_sequentially("5151180I")
    assert "“I”" in message.inner_text()  # a letter that never appears, said at once
    code = uscc.make("51", "511802", "T0000001")
    field.fill("")
    field.press_sequentially(code)
    # a social group's code, but the kind says foundation: the prefix rule, as the server says
    assert message.inner_text() == "此类组织的代码以 53 开头。"
    page.select_option("select[name=kind]", "social_group")
    assert message.inner_text() == "代码通过 GB 32100 与 GB 11714 校验。"
    assert field.get_attribute("aria-invalid") == "false"
