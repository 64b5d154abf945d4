"""Insurance policies of the talent pool: who is covered, for what, and when."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from registry.models import Document, InsurancePolicy, Person
from registry.queries import acting_organization
from registry.services.common import _audit, _store_document

# A sum insured above this is a typing error, not a policy (and the column's limit).
MAX_AMOUNT = Decimal("9999999999.99")


def _require_member(user, person: Person) -> None:
    try:
        acting_organization(user, person.organization, verified=False)
    except PermissionDenied:
        raise PermissionDenied(
            _("Only members of this organization may manage its people's insurance.")
        ) from None


def _amount(field: str, value) -> Decimal | None:
    if value in (None, ""):
        return None
    value = Decimal(value)
    if value < 0 or value > MAX_AMOUNT:
        raise ValidationError({field: [_("Give a sum insured between 0 and 9,999,999,999.99.")]})
    return value or None


def add_policy(
    *,
    by,
    person: Person,
    insurer: str,
    policy_number: str,
    valid_from: date,
    valid_until: date,
    accident_amount: Decimal | None = None,
    medical_amount: Decimal | None = None,
    liability_amount: Decimal | None = None,
    upload=None,
) -> InsurancePolicy:
    """A member of the person's organization records a policy covering them (any verification
    status, like the talent pool itself). At least one kind of cover with a sum above zero; the
    period's last day is included. The policy document, when given, is stored as the
    organization's private insurance document."""
    _require_member(by, person)
    insurer, policy_number = (insurer or "").strip(), (policy_number or "").strip()
    errors: dict[str, list[str]] = {}
    if not insurer:
        errors["insurer"] = [_("Name the insurer.")]
    if not policy_number:
        errors["policy_number"] = [_("Give the policy number.")]
    amounts = {
        "accident_amount": _amount("accident_amount", accident_amount),
        "medical_amount": _amount("medical_amount", medical_amount),
        "liability_amount": _amount("liability_amount", liability_amount),
    }
    if not any(amounts.values()):
        errors["accident_amount"] = [_("A policy covers at least one kind of risk.")]
    if valid_from and valid_until and valid_until < valid_from:
        errors["valid_until"] = [_("The policy cannot end before it starts.")]
    if errors:
        raise ValidationError(errors)
    organization = person.organization
    with transaction.atomic():
        document = None
        if upload is not None:
            document = _store_document(
                organization=organization,
                upload=upload,
                kind=Document.Kind.INSURANCE,
                title=f"{insurer} {policy_number}",
                by=by,
            )
        policy = InsurancePolicy.objects.create(
            person=person,
            insurer=insurer[:200],
            policy_number=policy_number[:100],
            valid_from=valid_from,
            valid_until=valid_until,
            document=document,
            created_by=by,
            **amounts,
        )
        _audit(
            organization,
            actor=by,
            action="registry.add_policy",
            target=policy,
            data={"person": person.pk, "until": valid_until.isoformat()},
        )
    return policy


def remove_policy(*, by, policy: InsurancePolicy) -> None:
    """A member of the person's organization removes a policy recorded in error (the audit
    trail keeps that it existed)."""
    _require_member(by, policy.person)
    with transaction.atomic():
        _audit(
            policy.person.organization,
            actor=by,
            action="registry.remove_policy",
            target=policy.person,
            data={"policy": policy.pk, "number": policy.policy_number},
        )
        policy.delete()
