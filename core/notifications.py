"""How apps tell people something, and in which language the words are stored.

``registry`` may not import ``alerts`` (dependencies point one way: core <- registry <- alerts),
yet its decisions must reach the organization's admins. ``notify`` calls the ``notify`` hook that
``alerts.apps.AlertsConfig`` provides (``core.hooks.provided``), which is
``alerts.services.notify``; the signature is the same. Every service that writes an alert
(registry, coordination, procurement, donations) goes through this function, because it is also
the one place where alert texts get their language:

- an alert is stored once and read later by people in any language, so its ``title``/``body``
  are written in the platform's language (``settings.LANGUAGE_CODE``, zh-hans) and
  ``title_en``/``body_en`` in English, whatever language the request, task or management
  command that wrote it happened to run in (``seed_demo`` runs in English by default);
- a caller therefore passes a text as a *recipe*: a callable without arguments (usually a
  ``lambda: _("...") % {...}``) or a lazy translation, which is rendered once under
  ``translation.override`` for each language; regions, times and amounts inside it are put in
  words with ``core.words`` (region_path, datetime_text, money) inside the recipe, so that they
  follow the language too;
- a plain ``str`` (what a person typed: a reason, a description) is stored as is in both.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

from core import hooks

Text = str | Promise | Callable[[], Any]

ENGLISH = "en"


def render(text: Text, language: str) -> str:
    """``text`` in ``language``: a recipe is called under ``translation.override``."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    with translation.override(language):
        value = text() if callable(text) else text
        return str(value) if value is not None else ""


def in_languages(title: Text, body: Text = "") -> dict[str, str]:
    """``title``/``body`` in the platform's language and ``title_en``/``body_en`` in English.

    A plain-string title is taken to be already in the platform's language and gets no English
    twin (the alert pages then show the title itself)."""
    primary = settings.LANGUAGE_CODE
    texts = {"title": render(title, primary), "body": render(body, primary)}
    if not isinstance(title, str):
        texts["title_en"] = render(title, ENGLISH)
        texts["body_en"] = render(body, ENGLISH)
    return texts


def notify(*, title: Text, body: Text = "", kind: str = "", **kwargs: Any) -> Any:
    """Write an alert through the ``notify`` hook with its texts in both languages.

    ``kind`` is the alert type (``alerts.models.AlertType``: ``mobilization``, ``assignment``,
    ``approval``, ``deadline``, ``digest``): with it, each recipient gets the alert on the
    channels they chose for that type (in-app always; SMS with a phone number; e-mail), quiet
    hours apply, and unread mobilizations and assignments escalate. Every automatic alert
    passes one; without it the alert goes on ``channels`` (default in-app only)."""
    return hooks.provided("notify", **in_languages(title, body), kind=kind, **kwargs)
