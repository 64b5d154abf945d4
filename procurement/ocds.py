"""Open Contracting Data Standard 1.1 releases: one frozen release per published change.

``publish_release`` runs inside the service's transaction, so a change and its release are
written together; the packages read the stored releases only.
"""

from typing import Any

from django.conf import settings
from django.utils import timezone

from procurement.debarment import debarment
from procurement.models import Contract, Method, Milestone, Project, Release

PROCUREMENT_METHOD = {
    Method.OPEN_TENDER: "open",
    Method.INVITED_TENDER: "selective",
    Method.COMPETITIVE_NEGOTIATION: "limited",
    Method.COMPETITIVE_CONSULTATION: "limited",
    Method.INQUIRY: "limited",
    Method.SINGLE_SOURCE: "limited",
    Method.EMERGENCY: "limited",
}

TENDER_STATUS = {
    Project.Status.TENDERING: "active",
    Project.Status.EVALUATING: "active",
    Project.Status.FAILED: "unsuccessful",
    Project.Status.CANCELLED: "cancelled",
}

MILESTONE_STATUS = {
    Milestone.Status.ACCEPTED: "met",
    Milestone.Status.PAID: "met",
    Milestone.Status.REJECTED: "notMet",
}


def ocid(project: Project) -> str:
    return f"{settings.TONGZHOU_OCID_PREFIX}-{project.pk}"


def _iso(value) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _money(amount) -> dict:
    return {"amount": float(amount), "currency": "CNY"}


def _party(org, roles: list[str]) -> dict:
    party = {
        "id": f"CN-USCC-{org.uscc}" if org.uscc else f"TZ-ORG-{org.pk}",
        "name": org.name,
        "roles": roles,
    }
    if org.uscc:
        party["identifier"] = {"scheme": "CN-USCC", "id": org.uscc, "legalName": org.name}
    party["address"] = {"countryName": "中国", "region": org.region_code}
    return party


def build_release(project: Project, tags: list[str], *, release_id: str, date) -> dict[str, Any]:
    """The project as published at this moment; sealed bid contents never appear."""
    buyer = _party(project.buyer, ["buyer", "procuringEntity"])
    parties = {buyer["id"]: buyer}
    tender = {
        "id": f"{ocid(project)}-tender",
        "title": project.title,
        "description": project.description or project.title,
        "status": TENDER_STATUS.get(project.status, "complete"),
        "procuringEntity": {"id": buyer["id"], "name": buyer["name"]},
        "value": _money(project.budget_amount),
        "procurementMethod": PROCUREMENT_METHOD[project.method],
        "procurementMethodDetails": project.method_chinese_name,
        "mainProcurementCategory": "services",
        "awardCriteria": "priceOnly"
        if project.evaluation_method == "lowest_price"
        else "ratedCriteria",
        "awardCriteriaDetails": "; ".join(f"{c.name} {c.weight}%" for c in project.criteria.all()),
        "tenderPeriod": {
            "startDate": _iso(project.published_at),
            "endDate": _iso(project.tender_end),
        },
        "eligibilityCriteria": eligibility_text(project),
        "items": [
            {
                "id": str(s.pk),
                "description": f"{s.indicator}: {s.target} {s.unit}",
                "quantity": float(s.target),
                "unit": {"name": s.unit},
            }
            for s in project.service_standards.all()
        ],
    }
    if project.tender_closed_at:
        tender["numberOfTenderers"] = project.bids.filter(status="submitted").count()
    release: dict[str, Any] = {
        "ocid": ocid(project),
        "id": release_id,
        "date": _iso(date),
        "tag": tags,
        "initiationType": "tender",
        "language": "zh",
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "tender": tender,
    }
    awards = []
    for award in project.awards.select_related("bid__organization"):
        supplier = _party(award.bid.organization, ["supplier", "tenderer"])
        parties.setdefault(supplier["id"], supplier)
        awards.append(
            {
                "id": f"award-{award.pk}",
                "title": project.title,
                "description": "评审专家：" + "、".join(award.experts),
                "status": "active" if award.status == "active" else "cancelled",
                "date": _iso(award.awarded_at),
                "value": _money(award.amount),
                "suppliers": [{"id": supplier["id"], "name": supplier["name"]}],
            }
        )
    if awards:
        release["awards"] = awards
    contract = Contract.objects.filter(project=project).select_related("project").first()
    if contract is not None:
        release["contracts"] = [_contract(contract)]
        _debarment_details(parties, contract)
    release["parties"] = list(parties.values())
    return release


def _debarment_details(parties: dict, contract) -> None:
    """The supplier's debarment as it stands at this release (procurement.debarment), in the
    party's ``details`` (free-form in OCDS 1.1.5): in force or lifted, with the grounds."""

    supplier = _party(contract.supplier, ["supplier", "tenderer"])
    party = parties.setdefault(supplier["id"], supplier)
    answer = debarment(contract.supplier)
    if not answer.debarred and not answer.lifted:
        return
    lifts = list(contract.supplier.debarment_lifts.all())
    party["details"] = {
        "debarment": {
            "debarred": answer.debarred,
            "since": answer.since.isoformat() if answer.since else None,
            "grounds": [
                {"type": g.kind, "since": g.since.isoformat(), "description": g.text}
                for g in answer.grounds
            ],
            "lifted": [
                {
                    "date": _iso(lift.lifted_at),
                    "reason": lift.reason,
                    "grounds": [g.text for g in answer.lifted if g.key in lift.grounds],
                }
                for lift in lifts
            ],
        }
    }


def _contract(contract) -> dict:
    milestones = list(contract.milestones.all())
    status = {"active": "active", "completed": "terminated", "terminated": "terminated"}
    data = {
        "id": f"contract-{contract.pk}",
        "awardID": f"award-{contract.award_id}",
        "title": contract.project.title,
        "status": status[contract.status],
        "value": _money(contract.value),
        "dateSigned": _iso(contract.signed_at),
        "milestones": [
            {
                "id": f"milestone-{m.pk}",
                "title": m.title,
                "type": "delivery",
                "dueDate": _iso(m.due_at),
                "status": MILESTONE_STATUS.get(m.status, "scheduled"),
                **_acceptance_description(m),
                **({"dateMet": _iso(m.accepted_at)} if m.accepted_at else {}),
            }
            for m in milestones
        ],
    }
    payments = [m.payment for m in milestones if hasattr(m, "payment")]
    implementation: dict[str, Any] = {}
    transactions = [
        {"id": f"payment-{p.pk}", "date": _iso(p.paid_at), "value": _money(p.amount)}
        for p in payments
    ]
    transactions += _clawback_transactions(contract)
    if transactions:
        implementation["transactions"] = transactions
    inspections = [(m, i) for m in milestones for i in m.inspections.select_related("organization")]
    if inspections:
        implementation["milestones"] = [_inspection_milestone(m, i) for m, i in inspections]
        implementation["documents"] = [_inspection_document(m, i) for m, i in inspections]
    if implementation:
        data["implementation"] = implementation
    return data


def _clawback_transactions(contract) -> list[dict]:
    """Recoveries (money back from the supplier to the buyer) and write-offs (money the buyer
    gave up, no money moving: value is the amount written off) of the contract's clawback, each
    with a description saying which it is and why."""
    clawback = getattr(contract, "clawback", None)
    if clawback is None:
        return []
    supplier = _party(contract.supplier, [])
    buyer = _party(contract.project.buyer, [])
    payer = {"id": supplier["id"], "name": supplier["name"]}
    payee = {"id": buyer["id"], "name": buyer["name"]}
    rows = [
        {
            "id": f"clawback-recovery-{r.pk}",
            "date": _iso(_noon(r.recovered_on)),
            "value": _money(r.amount),
            "payer": payer,
            "payee": payee,
            "description": "追回款（合同终止后追回已付资金）" + (f"：{r.note}" if r.note else ""),
        }
        for r in clawback.recoveries.all()
    ]
    rows += [
        {
            "id": f"clawback-write-off-{w.pk}",
            "date": _iso(_noon(w.written_off_on)),
            "value": _money(w.amount),
            "payer": payer,
            "payee": payee,
            "description": f"核销（无法追回，未发生资金往来）：{w.reason}",
        }
        for w in clawback.write_offs.all()
    ]
    return rows


def _noon(day):
    """A date as a moment (OCDS dates are date-times): noon, local time."""
    import datetime as dt

    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


SIGNS = {"at_least": "≥", "at_most": "≤", "exactly": "="}


def _inspection_text(inspection) -> str:
    """An inspection's results in words: measured against target in its direction, the reported
    figure, the confirmed share of the sampled recipients, who inspected."""
    lines = []
    for r in inspection.results:
        line = (
            f"{r['indicator']}：实测 {r['achieved']} / 目标 {SIGNS.get(r.get('direction'), '≥')} "
            f"{r['target']} {r['unit']}" + ("（达标）" if r["met"] else "（未达标）")
        )
        if r.get("reported") is not None:
            line += f"，供应商报告 {r['reported']}"
        if r.get("confirmed_share") is not None:
            line += f"，抽样确认率 {round(float(r['confirmed_share']) * 100, 1)}%"
        lines.append(line)
    c = inspection.confirmations or {}
    if c.get("sampled"):
        lines.append(
            f"抽样服务对象 {c['sampled']} 人：确认 {c.get('confirmed', 0)} 人，"
            f"否认 {c.get('denied', 0)} 人"
        )
    lines.append(
        f"检查方：第三方评估机构 {inspection.organization.name}"
        if inspection.organization_id
        else "检查方：采购人"
    )
    return "；".join(lines)


def _inspection_milestone(milestone, inspection) -> dict:
    met = bool(inspection.results) and all(r["met"] for r in inspection.results)
    return {
        "id": f"inspection-{inspection.pk}",
        "title": f"{milestone.title} 履约检查",
        "type": "assessment",
        "status": "met" if met else "notMet",
        "dateModified": _iso(inspection.visited_at),
        **({"dateMet": _iso(inspection.visited_at)} if met else {}),
        "description": _inspection_text(inspection),
    }


def _inspection_document(milestone, inspection) -> dict:
    return {
        "id": f"inspection-{inspection.pk}-report",
        "documentType": "physicalProgressReport",
        "title": f"{milestone.title} 履约检查记录",
        "description": _inspection_text(inspection),
        "datePublished": _iso(inspection.visited_at),
        "language": "zh",
    }


def _acceptance_description(milestone) -> dict:
    acceptance = milestone.acceptances.last()
    if acceptance is None:
        return {}
    lines = [
        f"{r['indicator']}：实际 {r['achieved']} / 目标 {SIGNS.get(r.get('direction'), '≥')} "
        f"{r['target']} {r['unit']}" + ("（达标）" if r["met"] else "（未达标）")
        for r in acceptance.results
    ]
    lines.append(f"参与验收的服务对象 {acceptance.recipients_count} 人")
    return {"description": "；".join(lines)}


def eligibility_text(project: Project) -> str:
    parts = ["已核实的社会组织或企业"]
    if project.eligibility_specialty:
        parts.append(f"专业：{project.eligibility_specialty}")
    if project.eligibility_min_grade:
        parts.append(f"测评等级不低于{project.eligibility_min_grade}级")
    return "；".join(parts)


def publish_release(project: Project, tags: list[str]) -> Release:
    now = timezone.now()
    number = project.releases.count() + 1
    release_id = f"{ocid(project)}-{number:03d}-{tags[0]}"
    project = Project.objects.select_related("buyer").get(pk=project.pk)
    data = build_release(project, tags, release_id=release_id, date=now)
    return Release.objects.create(
        project=project, release_id=release_id, tags=tags, date=now, data=data
    )


def package(releases, *, uri: str) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": timezone.localtime().isoformat(),
        "publisher": {"name": "同舟 Tongzhou", "uid": settings.TONGZHOU_PLATFORM_ID},
        "releases": [r.data for r in releases],
    }
