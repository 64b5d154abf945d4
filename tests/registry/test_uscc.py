"""USCC checks (GB 32100 check character, GB 11714 organization-code digit, kind prefixes)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry import uscc

REAL_CODES = ["914403001922038216", "91110000600037341L"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_pass(code):
    assert uscc.validate(code) == code
    assert uscc.validate(code.lower(), "enterprise") == code


def _corruptions(code: str):
    for i, original in enumerate(code):
        for ch in uscc.ALPHABET + "IOSVZ":
            if ch != original:
                yield code[:i] + ch + code[i + 1 :]


@pytest.mark.parametrize("code", REAL_CODES)
def test_every_single_character_corruption_fails(code):
    failures = 0
    for corrupted in _corruptions(code):
        with pytest.raises(uscc.USCCError):
            uscc.validate(corrupted)
        failures += 1
    assert failures == 18 * 35


@pytest.mark.parametrize(
    ("code", "check"),
    [
        ("91440300192203821", "length"),
        ("91440300192203821I", "alphabet"),
        ("9144A3001922038216", "region"),
        ("914403001922038217", "check_digit"),
        ("914403001922038316", "organization_code"),
    ],
)
def test_each_failure_names_its_check(code, check):
    with pytest.raises(uscc.USCCError) as error:
        uscc.validate(code)
    assert error.value.check == check


def test_kind_prefix_must_match():
    with pytest.raises(uscc.USCCError) as error:
        uscc.validate("914403001922038216", "foundation")
    assert error.value.check == "kind"


ORG_BODY = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8)
REGION = st.from_regex(r"\A[1-8][0-9]{5}\Z", fullmatch=True)
PREFIX = st.sampled_from(["11", "51", "52", "53", "91", "92", "93", "Y1"])


@given(prefix=PREFIX, region=REGION, body=ORG_BODY)
def test_generated_codes_round_trip(prefix, region, body):
    code = uscc.make(prefix, region, body)
    assert len(code) == 18
    assert uscc.validate(code) == code
    assert uscc.validate(code.lower()) == code
