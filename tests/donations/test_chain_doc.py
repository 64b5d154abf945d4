"""docs/ledger-chain.md states the chain format exactly: its example and its field table are
checked against donations.chain, so the page cannot drift from the code."""

import json
import re
from pathlib import Path

import pytest

from donations import chain
from donations.models import GENESIS_HASH, LedgerEntry
from tests.donations import factories as df

DOC = Path(__file__).resolve().parents[2] / "docs" / "ledger-chain.md"


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_the_documented_example_line_recomputes_to_its_hash():
    block = re.search(r"```json\n(.*?)\n```", _doc(), re.S).group(1)
    row = json.loads(block)
    assert row["prev_hash"] == GENESIS_HASH
    assert chain.chain_hash(row["prev_hash"], row["entry"]) == row["hash"]
    # ... and by the page's own words, with the standard library only.
    import hashlib

    body = json.dumps(row["entry"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256((GENESIS_HASH + body).encode("utf-8")).hexdigest() == row["hash"]


@pytest.mark.django_db
def test_the_field_table_lists_exactly_the_keys_of_the_public_form(charity, charity_admin):
    df.receipt(charity, charity_admin, items=[df.item()])
    form = chain.stored_form(LedgerEntry.objects.get(seq=1))
    table = re.search(r"\| key \| type \| value \|\n(.*?)\n\n", _doc(), re.S).group(1)
    documented = re.findall(r"^\| `(\w+)` \|", table, re.M)
    assert documented == list(form), "same keys, in the order public_form builds them"
    assert f"the same {len(form)} keys" in _doc()
    line = form["lines"][0]
    for key in line:
        assert f"`{key}`" in _doc(), key


def test_the_verifier_on_the_page_is_the_one_the_readme_shows():
    snippet = re.search(r"```python verify\n(.*?)```", _doc(), re.S).group(1)
    for other in ("README.md", "docs/donations.md"):
        assert snippet in (DOC.parents[1] / other).read_text(encoding="utf-8"), other
