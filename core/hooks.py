"""Extension points: how a left-hand app shows what right-hand apps know, without importing them.

An app's AppConfig may define any of these methods; ``collect`` calls them in INSTALLED_APPS order
and concatenates the lists they return. This is plain, visible code (no signals):

- ``dashboard_cards(user) -> list[dict]``: ``{"label", "value", "url"}`` for the dashboard at /.
- ``navigation_badges(request) -> dict``: e.g. ``{"inbox_unread": 3}``, merged into the nav context.
- ``organization_track_record(organization) -> list[dict]``: ``{"label", "value", "url"?}`` rows
  of the credit record shown on an organization's page (tasks verified, contracts, sanctions ...).
- ``membership_joined(membership) -> list``: called by registry inside the transaction in which a
  person accepted an invitation (a Membership made by someone else's invitation); procurement
  flags an expert joining a bidder after a tender was published. Return value ignored.
- ``work_queue(user) -> list[dict]``: what this person has to do now, for their home page:
  ``{"role": "official"|"organization"|"charity"|"expert"|"evaluator", "key": str, "label": str
  (translated), "count": int, "url": str, "oldest": datetime | None, "hint": str (optional)}``;
  a fixed number of queries whatever the counts; items with count 0 may be returned (the home
  shows them as done).
- ``navigation_links(user) -> list[dict]``: ``{"label", "url", "order": int, "key", "group"}``
  places of this person's role shown in the main navigation (e.g. the expert's panels, the
  charity's ledger workspace), in the header menu named by ``group`` (``core.navigation.GROUPS``;
  missing or unknown: 更多); public places (organizations, incidents, ledger ...) are in
  ``core.navigation.public_links``.
- ``home_panels(user) -> list[dict]``: ``{"title", "template", "context", "order": int, "key"}``
  public panels of the home page, shown to everyone below their work queue (active incidents,
  open needs with their gaps, the ledger's latest entries, public alerts); a fixed number of
  queries each.
- ``incident_panels(incident) -> list[dict]``: ``{"title", "template", "context"}`` extra panels
  on an incident page (e.g. donations received for it, from the ledger); an optional
  ``"cache_key"`` (the panel data's version) lets the page serve the rendered panel from the
  cache (``coordination.views.incidents.rendered_panels``).
- ``incident_people(incident_id, area_region_code) -> list[int]``: people an app sends into an
  incident area besides the filings (volunteers signed up to hubs' calls); coordination adds them
  to the filings' headcount when it checks the area's ``max_people``.
- ``incident_map_layers(user, incident) -> list[dict]``: ``{"key", "label", "points"}`` extra
  points on an incident's map (``coordination.maps.incident_map``; each point ``{"lat", "lon",
  "exact", "title", "detail"}``, blurred for ``user`` by the provider); one query each (liaison's
  confirmed field reports).

Two hooks have exactly one provider, called through ``provided``:
- ``notify(**kwargs) -> Alert``: the alerts app's outbox writer (``alerts.services.notify``), for
  registry, which sits left of alerts and may not import it (``core.notifications.notify``).
- ``alert_incident_ref(incident_id) -> dict | None``: coordination's plain summary of an
  incident, for alerts, which sits left of coordination (``alerts.api.incident_ref``).
- ``exercise_participants(incident_id) -> list[int]``: preparedness tells alerts which
  organizations take part in the drill on an exercise incident (``alerts.exercises``).
- ``exercise_incidents(organization_ids) -> QuerySet``: preparedness tells coordination which
  exercise incidents those organizations take part in (``coordination.queries``).
"""

from typing import Any

from django.apps import apps


def collect(hook: str, *args: Any) -> list:
    results: list = []
    for config in apps.get_app_configs():
        method = getattr(config, hook, None)
        if callable(method):
            results.extend(method(*args) or [])
    return results


def merge(hook: str, *args: Any) -> dict:
    merged: dict = {}
    for config in apps.get_app_configs():
        method = getattr(config, hook, None)
        if callable(method):
            merged.update(method(*args) or {})
    return merged


def provided(hook: str, *args: Any, **kwargs: Any) -> Any:
    """Call the one app that provides ``hook`` (the first in INSTALLED_APPS order) and return its
    answer; ``LookupError`` when no installed app provides it."""
    for config in apps.get_app_configs():
        method = getattr(config, hook, None)
        if callable(method):
            return method(*args, **kwargs)
    raise LookupError(f"no installed app provides the {hook!r} hook")
