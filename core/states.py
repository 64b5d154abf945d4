"""State machines: one table of allowed transitions beside each model, one door that changes a
status (``move``), and one declaration per model of the actions a person may take
(``Actions``), which both the services and the pages/API (``allowed_actions``) consult.

An illegal move raises ``InvalidTransition``; the API turns it into HTTP 409
``{"detail": ..., "code": "invalid_transition"}``. See docs/CONVENTIONS.md, "State changes and
allowed actions".
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core import audit, versions


class InvalidTransition(Exception):
    """An action the object's current state forbids (HTTP 409)."""

    code = "invalid_transition"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class Conflict(InvalidTransition):
    """Lost a race or broke a uniqueness rule that depends on the current state (HTTP 409)."""

    code = "conflict"


def check_transition(
    transitions: Mapping[str, Iterable[str]], current: str, target: str, *, label: str = ""
) -> None:
    """Raise InvalidTransition unless ``current -> target`` is in the table."""
    if target not in transitions.get(current, ()):
        raise InvalidTransition(
            _("%(what)scannot go from “%(current)s” to “%(target)s”.")
            % {"what": f"{label}: " if label else "", "current": current, "target": target}
        )


# --- The one door: every status change goes through ``move`` --------------------------------


def _label(model: type[models.Model]) -> str:
    return str(capfirst(model._meta.verbose_name))


_scope = audit.scope_of  # (organization_id, region_code) of the audit row


def move(
    obj: models.Model,
    target: str,
    *,
    by: Any,
    action: str,
    reason: str = "",
    data: dict | None = None,
    changes: Mapping[str, Any] | None = None,
    expect: str | Iterable[str] | None = None,
    where: Mapping[str, Any] | None = None,
    conflict: str = "",
    label: str = "",
    organization_id: int | None = None,
    region_code: str | None = None,
) -> models.Model:
    """Change ``obj.status`` to ``target`` through its model's ``TRANSITIONS`` table, write the
    ``changes`` (field -> value) with it, and record ONE audit row, in one transaction.

    Two ways to guard against a concurrent change:

    - default: the row is locked (``select_for_update``) and its current status re-read; a move
      the table forbids from that status raises ``InvalidTransition``.
    - ``expect``: race-safe without a lock, for moves that may race (a claim, a delivery
      attempt, a job): one conditional ``UPDATE ... WHERE status IN expect [AND where]``; the
      table is checked for every expected status first, and 0 rows changed raises ``Conflict``
      (``conflict`` is its message).

    The audit row's organization and region come from ``obj.audit_scope()`` (after the
    changes) unless given. ``action`` is the audit action (``"task.accepted"``). Returns
    ``obj`` with the new status and changes set.
    """
    model = type(obj)
    table = model.TRANSITIONS
    label = label or _label(model)
    changes = dict(changes or {})
    manager = model._default_manager
    has_updated_at = any(f.name == "updated_at" for f in model._meta.concrete_fields)
    with transaction.atomic():
        if expect is not None:
            expected = [expect] if isinstance(expect, str) else list(expect)
            for source in expected:
                check_transition(table, source, target, label=label)
            current = (
                expected[0]
                if len(expected) == 1
                else manager.filter(pk=obj.pk).values_list("status", flat=True).first()
            )
            values = {"status": target, **changes}
            if has_updated_at:
                values.setdefault("updated_at", timezone.now())
            won = manager.filter(pk=obj.pk, status__in=expected, **(where or {})).update(**values)
            versions.bump_model(model)  # QuerySet.update() sends no signal
            if won != 1:
                raise Conflict(conflict or _("Someone changed this first; reload and try again."))
        else:
            current = (
                manager.select_for_update().filter(pk=obj.pk).values_list("status", flat=True).get()
            )
            check_transition(table, current, target, label=label)
        obj.status = target
        for field, value in changes.items():
            setattr(obj, field, value)
        if expect is None:
            fields = ["status", *changes]
            if has_updated_at and "updated_at" not in fields:
                fields.append("updated_at")
            obj.save(update_fields=fields)
        scope_org, scope_region = _scope(obj)
        audit.record(
            actor=by,
            action=action,
            target=obj,
            organization_id=organization_id if organization_id is not None else scope_org,
            region_code=region_code if region_code is not None else scope_region,
            from_status=current,
            to_status=target,
            reason=reason,
            data=data,
        )
    return obj


def move_many(objs: Iterable[models.Model], target: str, **kwargs: Any) -> list[models.Model]:
    """``move`` each object (same arguments), in one transaction: one audit row per object."""
    with transaction.atomic():
        return [move(obj, target, **kwargs) for obj in objs]


def move_rows(
    queryset: models.QuerySet, target: str, *, expect: str | Iterable[str], **changes: Any
) -> int:
    """The door for machine moves of many rows at once (the alert outbox): check the table for
    every ``expect -> target``, then one conditional ``UPDATE ... WHERE status IN expect`` over
    ``queryset``, so concurrent workers stay race-safe. Returns the number of rows moved.

    No audit row: these are high-volume machine moves whose row is its own record (attempts,
    timestamps, last error). A person's move goes through ``move`` and is audited."""
    expected = [expect] if isinstance(expect, str) else list(expect)
    model = queryset.model
    for source in expected:
        check_transition(model.TRANSITIONS, source, target, label=_label(model))
    moved = queryset.filter(status__in=expected).update(status=target, **changes)
    versions.bump_model(model)  # QuerySet.update() sends no signal
    return moved


# --- What a person may do: one declaration of actions per model ------------------------------


Guard = Callable[..., None]


def _no_check(user: Any, obj: Any, **context: Any) -> None:
    return None


@dataclass(frozen=True)
class Action:
    """One thing a person may do with an object.

    ``target`` is the state it moves to (None: the action changes no state, e.g. a report);
    ``sources`` the states it starts from (default: every state whose table row allows
    ``target``). ``who`` raises ``PermissionDenied`` when the person may not act (checked
    first: HTTP 403), ``when`` raises ``ValidationError``/``InvalidTransition`` when the
    object is not ready for it (checked after the state). Both take ``(user, obj,
    **context)``; the context holds the service's arguments (e.g. ``organization``) and is
    empty when a page asks which buttons to show, so a guard must then answer for "some
    valid argument".
    """

    name: str
    target: str | None
    who: Guard = _no_check
    when: Guard = _no_check
    sources: tuple[str, ...] | None = None

    def check(self, user: Any, obj: Any, **context: Any) -> None:
        """Raise what the service would raise; return when the action is allowed."""
        if not getattr(user, "is_authenticated", False):
            raise PermissionDenied(_("Sign in to do this."))
        self.who(user, obj, **context)
        status = getattr(obj, "status", None)  # a model without a life cycle has no status
        if self.sources is not None:
            if status not in self.sources:
                raise InvalidTransition(
                    _("%(what)s: not possible while it is “%(status)s”.")
                    % {"what": _label(type(obj)), "status": obj.get_status_display()}
                )
        elif self.target is not None:
            check_transition(type(obj).TRANSITIONS, status, self.target, label=_label(type(obj)))
        self.when(user, obj, **context)


class Actions:
    """The actions of one model, in display order; ``Actions(Task, [...])`` registers them."""

    def __init__(self, model: type[models.Model], actions: Iterable[Action]) -> None:
        self.model = model
        self.by_name = {a.name: a for a in actions}
        _REGISTRY[model] = self

    def __getitem__(self, name: str) -> Action:
        return self.by_name[name]

    def check(self, name: str, user: Any, obj: Any, **context: Any) -> None:
        """The service's gate: raise PermissionDenied / InvalidTransition / ValidationError."""
        self.by_name[name].check(user, obj, **context)

    def outcomes(self, user: Any, obj: Any, **context: Any) -> dict[str, Exception | None]:
        """Every action -> None when allowed, else the refusal its check raised: one pass of
        the guards that a page's buttons and its reasons can share. ``context`` reaches every
        guard (a page passes reads its guards share, e.g. ``procurement.acceptance.
        MilestoneFacts``; never a service's arguments)."""
        found: dict[str, Exception | None] = {}
        for name, action in self.by_name.items():
            try:
                action.check(user, obj, **context)
            except (PermissionDenied, InvalidTransition, ValidationError) as error:
                found[name] = error
            else:
                found[name] = None
        return found

    def reasons(self, user: Any, obj: Any) -> dict[str, str]:
        """Every action -> "" when allowed, else why not (for a page's explanation)."""
        return {
            name: "" if error is None else refusal_text(error)
            for name, error in self.outcomes(user, obj).items()
        }

    def allowed(self, user: Any, obj: Any) -> list[str]:
        return [name for name, why in self.reasons(user, obj).items() if not why]


_REGISTRY: dict[type[models.Model], Actions] = {}


def actions_of(model_or_obj: Any) -> Actions | None:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    return _REGISTRY.get(model)


def refusal_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, InvalidTransition):
        return error.message
    return str(error) or _("You may not do this.")


def allowed_actions(user: Any, obj: Any) -> list[str]:
    """The names of the actions ``user`` may take on ``obj`` now (an empty list for a model
    without declared actions). A page shows exactly these buttons; the service accepts
    exactly these."""
    declared = actions_of(obj)
    return declared.allowed(user, obj) if declared else []


def outcomes(user: Any, obj: Any, **context: Any) -> dict[str, Exception | None]:
    """``Actions.outcomes`` of ``obj``'s model (empty without declared actions): allowed are
    the names whose refusal is None, exactly ``allowed_actions``'s list."""
    declared = actions_of(obj)
    return declared.outcomes(user, obj, **context) if declared else {}


def action_reasons(user: Any, obj: Any) -> dict[str, str]:
    """Every declared action of ``obj``'s model -> "" when allowed, else why not."""
    declared = actions_of(obj)
    return declared.reasons(user, obj) if declared else {}
