"""Delivery receipts (状态报告) the SMS providers push back: they update the delivery row.

Endpoints (``POST``, JSON, no session, no CSRF): ``/api/v1/sms/receipts/aliyun/<secret>/`` and
``/api/v1/sms/receipts/tencent/<secret>/``. The providers' consoles take a callback URL and
nothing else, so the shared secret ``TONGZHOU_SMS_RECEIPT_SECRET`` is part of the URL (compared
in constant time; 403 when wrong, 404 when no secret is configured: receipts are off).

Formats (the providers' documented push formats):
- Aliyun SmsReport: a JSON list of ``{"phone_number", "success": bool, "err_code", "err_msg",
  "biz_id", "out_id", "report_time", ...}``; ``out_id`` is our idempotency key
  ``<alert id>-<delivery id>`` (``biz_id`` is the fallback). Answer ``{"code": 0, "msg": "成功"}``.
- Tencent: a JSON list of ``{"sid", "report_status": "SUCCESS"|"FAIL", "errmsg",
  "description", "mobile", "user_receive_time", ...}``; ``sid`` is the SerialNo the send
  returned (``Delivery.provider_ref``). Answer ``{"result": 0, "errmsg": "OK"}``.

Effect: success sets ``delivered_at`` (the row stays ``sent``); failure moves ``sent`` (or a
row still ``sending``: a receipt can beat the worker's status write) to ``failed`` with the
provider's code as ``last_error``. Idempotent: a row already delivered or failed is left
alone, so a provider's repeated push changes nothing. A receipt naming no known delivery is
acknowledged and ignored (the provider would otherwise push it again). Malformed bodies: 400
with what is wrong, nothing written.
"""

import hmac
import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from alerts.models import Channel, Delivery
from core.states import move_rows

Status = Delivery.Status
KEY = re.compile(r"^(\d+)-(\d+)$")


class Malformed(ValueError):
    pass


@dataclass(frozen=True)
class Report:
    alert_id: int | None
    delivery_id: int | None
    provider_ref: str
    ok: bool
    reason: str


def _items(body: bytes) -> list[dict]:
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise Malformed("the body is not JSON") from exc
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not data or not all(isinstance(i, dict) for i in data):
        raise Malformed("expected a JSON list of receipt objects")
    return data


def parse_aliyun(body: bytes) -> list[Report]:
    reports = []
    for n, item in enumerate(_items(body)):
        success = item.get("success")
        if isinstance(success, str) and success.lower() in ("true", "false"):
            success = success.lower() == "true"
        if not isinstance(success, bool):
            raise Malformed(f"[{n}].success: a boolean is required")
        out_id = str(item.get("out_id") or "")
        biz_id = str(item.get("biz_id") or "")
        match = KEY.match(out_id)
        if not match and not biz_id:
            raise Malformed(f"[{n}]: out_id or biz_id is required")
        reason = " ".join(filter(None, (str(item.get("err_code") or ""), item.get("err_msg"))))
        ids = (int(match.group(1)), int(match.group(2))) if match else (None, None)
        reports.append(Report(*ids, biz_id, success, str(reason)))
    return reports


def parse_tencent(body: bytes) -> list[Report]:
    reports = []
    for n, item in enumerate(_items(body)):
        sid = str(item.get("sid") or "")
        if not sid:
            raise Malformed(f"[{n}].sid is required")
        status = item.get("report_status")
        if status not in ("SUCCESS", "FAIL"):
            raise Malformed(f"[{n}].report_status: SUCCESS or FAIL is required")
        reason = " ".join(
            filter(None, (str(item.get("errmsg") or ""), str(item.get("description") or "")))
        )
        reports.append(Report(None, None, sid, status == "SUCCESS", reason))
    return reports


PROVIDERS = {
    "aliyun": (parse_aliyun, {"code": 0, "msg": "成功"}),
    "tencent": (parse_tencent, {"result": 0, "errmsg": "OK"}),
}


def _match(report: Report) -> Q:
    if report.delivery_id is not None:
        return Q(pk=report.delivery_id, alert_id=report.alert_id)
    return Q(provider_ref=report.provider_ref)


def apply(reports: list[Report]) -> int:
    """Write the receipts in one transaction; returns how many rows changed."""
    now = timezone.now()
    open_rows = Delivery.objects.filter(
        channel=Channel.SMS, delivered_at__isnull=True, status__in=[Status.SENT, Status.SENDING]
    )
    changed = 0
    with transaction.atomic():
        delivered = Q(pk__in=[])
        for report in reports:
            if report.ok:
                delivered |= _match(report)
        if any(r.ok for r in reports):
            changed += open_rows.filter(delivered).update(delivered_at=now)
        for report in reports:
            if report.ok:
                continue
            changed += move_rows(
                open_rows.filter(_match(report)),
                Status.FAILED,
                expect=[Status.SENT, Status.SENDING],
                last_error=f"SMS receipt: {report.reason or 'undelivered'}"[:1000],
            )
    return changed


@csrf_exempt
@require_POST
def receipt(request: HttpRequest, provider: str, token: str) -> JsonResponse:
    secret = settings.TONGZHOU_SMS_RECEIPT_SECRET
    if provider not in PROVIDERS or len(secret) < 16:
        raise Http404
    if not hmac.compare_digest(token.encode(), secret.encode()):
        return JsonResponse({"detail": "wrong receipt secret"}, status=403)
    parse, answer = PROVIDERS[provider]
    try:
        reports = parse(request.body)
    except Malformed as exc:
        return JsonResponse({"detail": str(exc), "code": "malformed"}, status=400)
    apply(reports)
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})
