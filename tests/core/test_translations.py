"""zh-Hans is the default language: every message of every catalogue must be translated."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUES = sorted(
    p
    for p in Path(settings.BASE_DIR).glob("**/locale/zh_Hans/LC_MESSAGES/django.po")
    if ".venv" not in p.parts
)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_every_message_has_a_chinese_translation(path):
    catalogue = polib.pofile(str(path))
    missing = [e.msgid for e in catalogue if not e.obsolete and (not e.translated() or e.fuzzy)]
    assert missing == [], f"{len(missing)} untranslated in {path}: {missing[:10]}"


def test_the_english_catalogues_exist_next_to_the_chinese_ones():
    for path in CATALOGUES:
        assert (path.parent.parent.parent / "en" / "LC_MESSAGES" / "django.po").exists()
