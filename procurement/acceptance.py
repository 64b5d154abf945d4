"""What an acceptance (验收) needs before it may be recorded, and how an inspection's measurements
are judged. Reads only: the services (procurement/services/inspection.py) and the milestone's
"accept" guard (procurement/actions.py) share these rules, so the page's reason, the API's 409 and
the service cannot disagree.

Decisions (the issue is silent on them):

- Everything is judged against the **latest progress report**: an inspection belongs to the report
  it looked at, and a new report (after "not accepted") needs a new inspection and a new sample.
- **Each inspection measures every indicator**; the acceptance takes the latest inspection's
  results. The accepting official adds no figures of their own: to correct one, they (or the
  evaluator) record another inspection.
- The **verification method decides the evidence**: ``document`` needs a PDF in the report;
  ``site_inspection`` an inspection with photos taken on site; ``beneficiary_sampling`` a sample
  of the served recipients that has closed (each answered or its link expired) with at least one
  answer, and an inspection recorded after it closed (the confirmed share is part of the
  inspection); ``third_party`` an inspection by the assigned evaluator organization.
- An indicator verified by sampling is **met** only when the measured value meets the target in
  its direction **and** at least ``TONGZHOU_PROCUREMENT_CONFIRMED_SHARE`` of the answers confirm.
  **Gaps flagged**: the supplier's reported figure differs from the measured one; the share of
  confirmations is below the threshold (the reported figure scaled by the confirmed share is shown
  as what the confirmations support); a sampled recipient denied being served.
"""

import math
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.models import (
    Inspection,
    Milestone,
    ProgressReport,
    RecipientConfirmation,
    Verification,
    meets,
)
from procurement.recipients import mobile_number
from registry.choices import OrganizationKind


class Gap:
    """Codes of the gaps an inspection flags per indicator (the page shows their labels)."""

    REPORTED_DIFFERS = "reported_differs"
    FEW_CONFIRMATIONS = "few_confirmations"
    DENIED = "denied"


def latest_report(milestone: Milestone) -> ProgressReport | None:
    return milestone.reports.order_by("-id").first()


def sample_size(indicators) -> int:
    """How many served recipients are asked: the largest sample an indicator verified by
    beneficiary sampling asks for (at least 1 when such an indicator names none)."""
    sizes = [
        max(s.sample_size, 1)
        for s in indicators
        if s.verification == Verification.BENEFICIARY_SAMPLING
    ]
    return max(sizes, default=0)


def confirmation_summary(milestone: Milestone, report: ProgressReport | None) -> dict:
    """The sample of the report: how many were asked, confirmed, denied, are still open, and
    the confirmed share of the answers (None without answers)."""
    now = timezone.now()
    rows = list(
        RecipientConfirmation.objects.filter(milestone=milestone, report=report).values_list(
            "status", "expires_at"
        )
    )
    confirmed = sum(1 for status, _at in rows if status == RecipientConfirmation.Status.CONFIRMED)
    denied = sum(1 for status, _at in rows if status == RecipientConfirmation.Status.DENIED)
    open_ = sum(
        1 for status, at in rows if status == RecipientConfirmation.Status.PENDING and at > now
    )
    answered = confirmed + denied
    return {
        "sampled": len(rows),
        "confirmed": confirmed,
        "denied": denied,
        "open": open_,
        "share": round(confirmed / answered, 4) if answered else None,
    }


def judge(indicators, measured: dict, report: ProgressReport | None, summary: dict) -> list[dict]:
    """One result row per indicator: the measured value against the target in its direction,
    the reported figure, and the gaps flagged."""
    threshold = settings.TONGZHOU_PROCUREMENT_CONFIRMED_SHARE
    reported_values = report.values if report else {}
    rows = []
    for s in indicators:
        value = Decimal(str(measured[str(s.pk)]))
        met = meets(s.direction, value, s.target)
        gaps = []
        reported = reported_values.get(str(s.pk))
        if reported is not None and Decimal(str(reported)) != value:
            gaps.append(Gap.REPORTED_DIFFERS)
        row = {
            "indicator_id": s.pk,
            "indicator": s.indicator,
            "unit": s.unit,
            "direction": s.direction,
            "target": str(s.target),
            "achieved": str(value),
            "reported": None if reported is None else str(reported),
            "verification": s.verification,
        }
        if s.verification == Verification.BENEFICIARY_SAMPLING:
            share = summary.get("share")
            row["confirmed_share"] = share
            if share is None or share < threshold:
                met = False
                gaps.append(Gap.FEW_CONFIRMATIONS)
            if summary.get("denied"):
                gaps.append(Gap.DENIED)
            if reported is not None and share is not None:
                supported = (Decimal(str(reported)) * Decimal(str(share))).quantize(Decimal("1"))
                row["supported"] = str(supported)
        row["met"] = met
        row["gaps"] = gaps
        rows.append(row)
    return rows


def _evaluator_inspected(inspections: list[Inspection]) -> bool:
    return any(
        i.organization_id and i.organization.kind == OrganizationKind.EVALUATOR for i in inspections
    )


class MilestoneFacts:
    """What the milestone's guards (``procurement.actions``) and ``acceptance_problems`` read,
    each read once: the latest report, its sample summary and its inspections.

    Lives for one question only: the milestone page makes one and passes it as the ``facts``
    context of ``core.states.outcomes``, so the buttons and the reasons share one pass and the
    page's own sample summary; a service's check makes a fresh one per guard (nothing is kept
    on the milestone, so nothing goes stale after a write). ``reports`` (oldest first), when the
    caller has read them, spares the read of the latest."""

    def __init__(self, milestone: Milestone, *, reports: list[ProgressReport] | None = None):
        self.milestone = milestone
        if reports is not None:
            self.__dict__["latest_report"] = reports[-1] if reports else None

    @cached_property
    def latest_report(self) -> ProgressReport | None:
        return latest_report(self.milestone)

    @cached_property
    def summary(self) -> dict:
        return confirmation_summary(self.milestone, self.latest_report)

    @cached_property
    def inspections(self) -> list[Inspection]:
        """The inspections of the latest report, oldest first."""
        return list(
            Inspection.objects.filter(milestone=self.milestone, report=self.latest_report)
            .select_related("organization")
            .prefetch_related("photos")
            .order_by("id")
        )


def acceptance_problems(milestone: Milestone, facts: MilestoneFacts | None = None) -> list[str]:
    """What keeps the milestone from being accepted, as sentences (empty: it may be)."""
    facts = facts or MilestoneFacts(milestone)
    report = facts.latest_report
    if report is None:
        return [_("The supplier has not reported this milestone yet.")]
    inspections = facts.inspections
    if not inspections:
        return [
            _(
                "Acceptance needs an inspection first, by an official of the buyer or the "
                "assigned third-party evaluator."
            )
        ]
    problems = []
    indicators = list(milestone.indicators.all())
    methods = {s.verification for s in indicators}
    names = {m: "、".join(s.indicator for s in indicators if s.verification == m) for m in methods}
    if Verification.DOCUMENT in methods and not any(
        e.content_type == "application/pdf" for e in report.evidence.all()
    ):
        problems.append(
            _("%(names)s: verified by documents, and the report has no PDF document.")
            % {"names": names[Verification.DOCUMENT]}
        )
    if Verification.SITE_INSPECTION in methods and not any(i.photos.all() for i in inspections):
        problems.append(
            _("%(names)s: verified on site, and no inspection has photos taken on site.")
            % {"names": names[Verification.SITE_INSPECTION]}
        )
    if Verification.THIRD_PARTY in methods and not _evaluator_inspected(inspections):
        problems.append(
            _("%(names)s: verified by a third party; the assigned evaluator has not inspected.")
            % {"names": names[Verification.THIRD_PARTY]}
        )
    if Verification.BENEFICIARY_SAMPLING in methods:
        problems.extend(_sampling_problems(facts.summary, inspections, names))
    return problems


def _sampling_problems(summary: dict, inspections, names) -> list[str]:
    label = names[Verification.BENEFICIARY_SAMPLING]
    if not summary["sampled"]:
        return [
            _("%(names)s: verified by sampling; ask a sample of the served recipients first.")
            % {"names": label}
        ]
    if summary["open"]:
        return [
            _("%(names)s: waiting for %(n)s sampled recipients to answer.")
            % {"names": label, "n": summary["open"]}
        ]
    if summary["share"] is None:
        return [
            _("%(names)s: no sampled recipient answered; ask another sample.") % {"names": label}
        ]
    latest = inspections[-1].confirmations or {}
    if latest.get("sampled") != summary["sampled"] or latest.get("open"):
        return [
            _("%(names)s: record an inspection now that the sampled recipients have answered.")
            % {"names": label}
        ]
    return []


def sample_candidates(report: ProgressReport, already: set[str]) -> list[dict]:
    """Served recipients of the report with a mainland mobile number not yet asked."""
    rows = []
    for r in report.recipients:
        phone = mobile_number(r.get("phone", ""))
        if phone and phone not in already:
            rows.append({"name": r.get("name", ""), "phone": phone})
    return rows


def share_text(share) -> str:
    return "—" if share is None else f"{math.floor(float(share) * 1000) / 10:g}%"
