"""Does a page read like a product? Checks shared by the page tests and the browser journeys.

A zh-Hans page must not show, outside form fields, ``<code>``, ``.code``/``[data-raw]`` elements
and download links:

* a bare 6-digit region code (regions read as names: ``{{ code|region }}``);
* an untranslated choice value or English choice label of any model field (``in_progress``,
  ``pending``, ``Severe``);
* a timestamp with seconds or their fractions (``2026-12-26 06:47:35.820958+08:00``).

``problems(text)`` lists what it finds; ``assert_readable_html(html)`` checks a response body;
``assert_reads_like_product(page)`` and ``assert_no_horizontal_scroll(page)`` check a Playwright
page.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

# Words that are English on purpose on a Chinese page: names of standards, formats, the brand.
ALLOWED = {
    "API",
    "CAP",
    "OCDS",
    "JSON",
    "CSV",
    "XML",
    "SMS",
    "PDF",
    "Tongzhou",
    "English",
    "ID",
    "SHA",
    "QR",
    "URL",
    "USCC",
    "GB",
    "GeoJSON",
    "ECharts",
    "Leaflet",
    "OpenStreetMap",
    "Webhook",
}

_CODE = re.compile(r"(?<![\d.,#:/\-A-Za-z])\d{6}(?![\d])")
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}|\d{2}:\d{2}:\d{2}\.\d+")


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Every choice value and English choice label of every model field (3+ letters)."""
    from django.apps import apps
    from django.utils import translation

    words: set[str] = set()
    with translation.override("en"):
        for model in apps.get_models():
            if model._meta.app_label in {"auth", "contenttypes", "sessions", "admin", "authtoken"}:
                continue
            for field in model._meta.get_fields():
                for value, label in getattr(field, "flatchoices", None) or []:
                    for word in (value, str(label)):
                        if (
                            isinstance(word, str)
                            and len(word) >= 3
                            and re.fullmatch(r"[A-Za-z][A-Za-z_ \-]*", word)
                            and word not in ALLOWED
                        ):
                            words.add(word)
    return frozenset(words)


@lru_cache(maxsize=1)
def _vocabulary_re() -> re.Pattern:
    alternatives = sorted(vocabulary(), key=len, reverse=True)
    return re.compile(
        r"(?<![A-Za-z_])(" + "|".join(re.escape(w) for w in alternatives) + r")(?![A-Za-z_])"
    )


def problems(text: str) -> list[str]:
    found = [
        f"region code {m.group(0)!r} in {text[max(0, m.start() - 12) : m.end() + 12]!r}"
        for m in _CODE.finditer(text)
    ]
    found += [f"raw timestamp {m.group(0)!r}" for m in _STAMP.finditer(text)]
    if vocabulary():
        found += [f"untranslated {m.group(0)!r}" for m in _vocabulary_re().finditer(text)]
    return found


_SKIP_TAGS = {"script", "style", "code", "input", "select", "textarea", "option", "title", "pre"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        skip = (
            tag in _SKIP_TAGS
            or "code" in classes
            or "data-raw" in attrs
            or (tag == "a" and "download" in attrs)
            or (self.stack and self.stack[-1])
        )
        if tag not in {"input", "br", "img", "meta", "link", "hr", "source"}:
            self.stack.append(bool(skip))

    def handle_endtag(self, tag):
        if self.stack and tag not in {"input", "br", "img", "meta", "link", "hr", "source"}:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def assert_readable_html(html: str | bytes) -> None:
    if isinstance(html, bytes):
        html = html.decode()
    body = html.split("<body", 1)[-1]
    found = problems(visible_text(body))
    assert not found, f"the page shows codes or English: {found[:12]}"


PAGE_TEXT_JS = """() => {
  // The live page's visible text nodes, each separately (a cloned, detached body would glue
  // table cells together: "芦山县" + "10" + "2026年" reads as "102026").
  const skip = 'script,style,code,pre,input,select,textarea,.code,[data-raw],a[download]';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip) || !parent.getClientRects().length) continue;
    parts.push(node.textContent);
  }
  return parts.join(" ");
}"""


def assert_reads_like_product(page) -> None:
    """No region code, untranslated choice or raw timestamp in what a person sees."""
    found = problems(page.evaluate(PAGE_TEXT_JS))
    assert not found, f"{page.url} shows codes or English: {found[:12]}"


def assert_no_horizontal_scroll(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths[0]} > {widths[1]} px"
