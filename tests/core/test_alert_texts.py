"""Alert texts written by the services read in words, in the platform's language, with an
English twin (core.notifications): no region code, no raw timestamp, whatever language the
request or command that wrote them ran in."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.utils import translation

from alerts.models import Alert
from core.notifications import in_languages
from tests.readable import problems

HAN = re.compile(r"[\u4e00-\u9fff]")


def _english_problems(text: str) -> list[str]:
    """Codes and raw timestamps only: English words are what the English twin is for."""
    return [p for p in problems(text) if not p.startswith("untranslated")]


@pytest.mark.django_db
def test_seed_demo_writes_chinese_alerts_in_words_with_english_twins():
    with translation.override("en"):  # a management command's default language
        call_command("seed_demo", force=True, stdout=io.StringIO())
    written = [a for a in Alert.objects.all() if a.title_en]  # by the services
    assert len(written) >= 5
    for alert in Alert.objects.all():
        chinese = f"{alert.title} {alert.body}"
        assert not problems(chinese), (chinese, problems(chinese))
        assert HAN.search(alert.title), alert.title
        english = f"{alert.title_en} {alert.body_en}"
        assert not _english_problems(english), (english, _english_problems(english))
    titles_en = " ".join(a.title_en for a in written)
    assert re.search(r"[A-Za-z]{4}", titles_en)


def test_a_recipe_is_rendered_in_each_language_and_words_follow_the_language():
    from django.utils.translation import gettext as _

    from core import words

    texts = in_languages(
        lambda: (
            _("Filing for %(area)s: %(status)s")
            % {"area": words.region_path("511826"), "status": _("Approved")}
        ),
        "typed by a person",
    )
    assert texts["title"] == "四川省 雅安市 芦山县 的报备：已同意"
    assert "芦山县" in texts["title"] and "511826" not in texts["title"]
    assert texts["title_en"].startswith("Filing for ")
    assert texts["body"] == texts["body_en"] == "typed by a person"


def test_a_plain_title_is_stored_as_given_without_english_twin():
    assert in_languages("人工发布", "") == {"title": "人工发布", "body": ""}


@pytest.mark.django_db
def test_the_tender_body_names_the_deadline_in_words_in_both_languages(settings):
    """'Bids close at 2026-12-26 11:13:21.992052+08:00' becomes a date in words."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.utils.translation import gettext as _

    from core import words

    end = datetime(2026, 12, 26, 3, 13, 21, 992052, tzinfo=ZoneInfo("UTC"))
    with translation.override("en"):
        texts = in_languages(
            "x", lambda: _("Bids close at %(end)s.") % {"end": words.datetime_text(end)}
        )
    assert "2026年12月26日 11:13" in texts["body"]
    assert not problems(texts["body"])
