"""The permission matrix: every write endpoint x every persona, with the status it must answer.

``MATRIX`` below is the one table. Its keys are generated from the URL conf (``write_endpoints``):
every (route, method) under ``/api/v1/`` whose view accepts POST, PUT, PATCH or DELETE, plus the
account pages that take form posts (login, logout, password change, language). The schema and
docs are read-only. The domain HTML pages (``/incidents/...``, ``/ledger/...`` ...) have a table
of their own, ``PAGE_MATRIX`` (see "the pages" below): their forms call the same services as the
API and answer a refusal with a message rather than a status, so that table reads the message,
and a test holds it to this one (a page refuses for exactly the roles its API twin refuses).

Each row is a tuple of statuses in the order of ``ROLES`` (the personas of tests/conftest.py):
anonymous, an admin and a member of 芦山县应急救援队 (511826), the admin of another team (511802),
an official of 雅安市 (511800, in jurisdiction), an official of 广东省 (outside it), an expert.

Every request is sent into one world (``world`` below) where the URL's ids resolve to objects the
in-jurisdiction official and the 芦山县 team would legitimately touch, with the body from
``BODIES`` (empty if absent; a minimal body where the view validates the shape before the service
decides who may act, so that a refusal really is the permission decision). A permitted role may
well get 400 (the minimal body) or 409 (the object's state): what the table pins is that the
forbidden ones get 401/403, or 404 where the design hides what the caller may not know exists.
(The public gets 403 rather than 401 from the API: session authentication comes first in
REST_FRAMEWORK and sends no WWW-Authenticate challenge, so DRF answers 403.)

To add an endpoint (``test_every_write_endpoint_is_in_the_matrix`` fails and names it):
1. if its ids need objects the world lacks, add them to ``build_world``, and say in ``TARGETS``
   which object its ``{pk}`` names (the default goes by the route's first segment,
   ``DEFAULT_TARGETS``);
2. give it a minimal body in ``BODIES`` if its view validates input before checking permission;
3. run ``MATRIX_RECORD=/tmp/matrix.txt pytest tests/core/test_permission_matrix.py -k "<path>"``
   to see what it answers for each role, check each status against API.md and DOMAIN.md (a role
   that must not act must not get 2xx, 400 or 409), and only then add the row to ``MATRIX``.
Removing an endpoint makes ``test_no_stale_rows_in_the_matrix`` name the row to delete.
"""

import datetime as dt
import io
import os
import re
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.messages import constants, get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms import BaseForm
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from community import services as community_services
from compensation.models import Claim
from core.forms import REFUSED_TAG
from core.roles import Role
from liaison import services as liaison_services
from procurement.models import (
    Award,
    Bid,
    Challenge,
    Clawback,
    Contract,
    Criterion,
    Milestone,
    PanelMember,
    ProgressReport,
    RecipientConfirmation,
)
from registry.models import InsurancePolicy, Invitation, Membership
from tests.alerts.factories import AlertFactory, DeliveryFactory, WebhookFactory
from tests.coordination.factories import (
    DeploymentFactory,
    IncidentFactory,
    NeedFactory,
    TaskFactory,
    TaskReportFactory,
)
from tests.donations import factories as df
from tests.liaison.factories import FieldReportFactory
from tests.procurement.factories import BidFactory, ProjectFactory
from tests.registry import factories as f

WRITE_METHODS = ("post", "put", "patch", "delete")
ROLES = (
    "anonymous",
    "ngo_admin",
    "ngo_member",
    "other_ngo_admin",
    "official",
    "outside_official",
    "expert",
)
# Non-API routes that take form posts and are in the matrix (see the module docstring).
PAGES_IN_MATRIX = ("/accounts/login/", "/accounts/logout/", "/accounts/password/", "/i18n/setlang/")
# The SMS providers' delivery-receipt callbacks are machine-to-machine: no persona, no session;
# they are authenticated by the secret in their URL (tests/alerts/test_sms_receipts.py).
NOT_IN_MATRIX = ("/api/schema/", "/api/docs/", "/api/v1/sms/receipts/{provider}/{token}/")

# fmt: off
MATRIX: dict[str, tuple[int, ...]] = {
    # roles: anonymous, ngo_admin, ngo_member, other_ngo_admin, official, outside_official, expert
    #                                                      anon adm  mem  oth  off  out  exp
    # Accounts and language (Django's own views: 200 re-renders the empty form, 302 redirects)
    "POST /accounts/login/":                              (200, 200, 200, 200, 200, 200, 200),
    "PUT /accounts/login/":                               (200, 200, 200, 200, 200, 200, 200),
    "POST /accounts/logout/":                             (302, 302, 302, 302, 302, 302, 302),
    "POST /accounts/password/":                           (302, 200, 200, 200, 200, 200, 200),
    "PUT /accounts/password/":                            (302, 200, 200, 200, 200, 200, 200),
    "POST /i18n/setlang/":                                (302, 302, 302, 302, 302, 302, 302),
    # Core
    "POST /api/v1/auth/token/":                           (400, 400, 400, 400, 400, 400, 400),
    # Registry
    "PATCH /api/v1/capabilities/{pk}/":                   (403, 200, 403, 403, 403, 403, 403),
    "POST /api/v1/capabilities/{pk}/assess/":             (403, 403, 403, 403, 201, 403, 403),
    "POST /api/v1/capabilities/{pk}/revoke/":             (403, 403, 403, 403, 200, 403, 403),
    "POST /api/v1/invitations/{pk}/accept/":              (403, 403, 404, 404, 404, 404, 200),
    "POST /api/v1/invitations/{pk}/cancel/":              (403, 200, 404, 404, 404, 404, 403),
    "POST /api/v1/invitations/{pk}/decline/":             (403, 403, 404, 404, 404, 404, 200),
    "DELETE /api/v1/memberships/{pk}/":                   (403, 204, 403, 404, 404, 404, 404),
    "PATCH /api/v1/memberships/{pk}/":                    (403, 200, 403, 404, 404, 404, 404),
    "PATCH /api/v1/organizations/{pk}/":                  (403, 200, 403, 403, 403, 403, 403),
    "POST /api/v1/organizations/{pk}/capabilities/":      (403, 201, 403, 403, 403, 403, 403),
    "POST /api/v1/organizations/{pk}/documents/":         (404, 201, 403, 404, 403, 404, 404),
    "POST /api/v1/organizations/{pk}/members/":           (404, 201, 403, 404, 403, 404, 404),
    "POST /api/v1/organizations/{pk}/reinstate/":         (403, 403, 403, 403, 409, 403, 403),
    "POST /api/v1/organizations/{pk}/suspend/":           (403, 403, 403, 403, 200, 403, 403),
    "POST /api/v1/organizations/{pk}/verify/":            (403, 403, 403, 403, 409, 403, 403),
    "POST /api/v1/people/":                               (403, 201, 201, 403, 403, 403, 403),
    "DELETE /api/v1/people/{pk}/":                        (403, 204, 204, 404, 403, 404, 404),
    "PATCH /api/v1/people/{pk}/":                         (403, 200, 200, 404, 403, 404, 404),
    "POST /api/v1/register/":                             (400, 400, 400, 400, 400, 400, 400),
    # Hubs and volunteers (registry.services.hubs, volunteers)
    "POST /api/v1/hub-links/":                            (403, 201, 403, 403, 403, 403, 403),
    "POST /api/v1/hub-links/{pk}/accept/":                (403, 403, 403, 200, 403, 404, 404),
    "POST /api/v1/hub-links/{pk}/cancel/":                (403, 200, 403, 403, 403, 404, 404),
    "POST /api/v1/hub-links/{pk}/decline/":               (403, 403, 403, 200, 403, 404, 404),
    "POST /api/v1/hub-links/{pk}/end/":                   (403, 409, 403, 409, 403, 404, 404),
    "POST /api/v1/organizations/{pk}/hub/":               (403, 403, 403, 403, 200, 403, 403),
    "POST /api/v1/sign-ups/{pk}/cancel/":                 (403, 200, 200, 404, 404, 404, 404),
    "POST /api/v1/volunteer-calls/":                      (403, 201, 201, 403, 403, 403, 403),
    "POST /api/v1/volunteer-calls/{pk}/close/":           (403, 200, 200, 403, 403, 403, 403),
    "POST /api/v1/volunteer-calls/{pk}/confirm/":         (400, 400, 400, 400, 400, 400, 400),
    "POST /api/v1/volunteer-calls/{pk}/reopen/":          (403, 409, 409, 403, 403, 403, 403),
    "POST /api/v1/volunteer-calls/{pk}/request-code/":    (202, 202, 202, 202, 202, 202, 202),
    "POST /api/v1/volunteer-calls/{pk}/sign-ups/":        (403, 201, 201, 404, 403, 404, 404),
    "POST /api/v1/volunteers/":                           (403, 201, 201, 403, 403, 403, 403),
    "POST /api/v1/volunteers/{pk}/resend-code/":          (403, 200, 200, 404, 403, 404, 404),
    "POST /api/v1/volunteers/{pk}/verify-phone/":         (403, 400, 400, 404, 403, 404, 404),
    "POST /api/v1/vouched-teams/":                        (403, 201, 201, 403, 403, 403, 403),
    "POST /api/v1/vouched-teams/{pk}/people/":            (403, 404, 404, 404, 403, 404, 404),
    # the talent pool's insurance: members write; the region's officials read (403), others 404
    "POST /api/v1/insurance-policies/":                   (403, 201, 201, 404, 403, 404, 404),
    "DELETE /api/v1/insurance-policies/{pk}/":            (403, 204, 204, 404, 403, 404, 404),
    # Coordination
    "POST /api/v1/deployments/":                          (403, 400, 400, 403, 403, 403, 403),
    "POST /api/v1/deployments/{pk}/approve/":             (403, 403, 403, 404, 200, 404, 404),
    "POST /api/v1/deployments/{pk}/arrive/":              (403, 200, 200, 404, 403, 404, 404),
    "POST /api/v1/deployments/{pk}/hold/":                (403, 403, 403, 404, 200, 404, 404),
    "POST /api/v1/deployments/{pk}/withdraw/":            (403, 200, 200, 404, 403, 404, 404),
    "POST /api/v1/deployments/{pk}/roster/":              (403, 200, 200, 404, 403, 404, 404),
    "POST /api/v1/incidents/":                            (403, 403, 403, 403, 201, 403, 403),
    "POST /api/v1/incidents/{pk}/capacity/":              (403, 403, 403, 403, 200, 403, 403),
    "POST /api/v1/incidents/{pk}/needs/":                 (403, 201, 201, 201, 201, 403, 403),
    "POST /api/v1/incidents/{pk}/status/":                (403, 403, 403, 403, 200, 403, 403),
    "POST /api/v1/incidents/{pk}/take-over/":             (403, 403, 403, 403, 403, 403, 403),
    "POST /api/v1/needs/{pk}/confirm/":                   (403, 403, 403, 403, 200, 404, 403),
    "POST /api/v1/tasks/":                                (403, 403, 403, 403, 201, 403, 403),
    "POST /api/v1/tasks/{pk}/accept/":                    (403, 200, 200, 403, 403, 403, 403),
    "POST /api/v1/tasks/{pk}/assign/":                    (403, 403, 403, 403, 200, 403, 403),
    "POST /api/v1/tasks/{pk}/cancel/":                    (403, 403, 403, 403, 200, 403, 403),
    "POST /api/v1/tasks/{pk}/claim/":                     (403, 200, 200, 403, 403, 403, 403),
    "POST /api/v1/tasks/{pk}/complete/":                  (403, 409, 409, 403, 403, 403, 403),
    "POST /api/v1/tasks/{pk}/decline/":                   (403, 200, 200, 403, 403, 403, 403),
    "POST /api/v1/tasks/{pk}/report/":                    (403, 201, 201, 403, 403, 403, 403),
    "POST /api/v1/tasks/{pk}/start/":                     (403, 200, 200, 403, 403, 403, 403),
    "POST /api/v1/tasks/{pk}/verify/":                    (403, 403, 403, 403, 200, 403, 403),
    # Procurement
    "POST /api/v1/bids/{pk}/withdraw/":                   (403, 200, 200, 404, 404, 404, 404),
    "POST /api/v1/challenges/{pk}/resolve/":              (403, 403, 403, 403, 200, 403, 403),
    "POST /api/v1/clawbacks/{pk}/recover/":               (403, 403, 403, 403, 200, 403, 403),
    "POST /api/v1/clawbacks/{pk}/write-off/":             (403, 403, 403, 403, 201, 403, 403),
    "POST /api/v1/debarments/{pk}/lift/":                 (403, 403, 403, 403, 409, 409, 403),
    "POST /api/v1/milestones/{pk}/accept/":               (403, 403, 403, 403, 409, 403, 403),
    "POST /api/v1/milestones/{pk}/assign-evaluator/":     (403, 403, 403, 403, 200, 403, 403),
    "POST /api/v1/milestones/{pk}/sample/":               (403, 403, 403, 403, 409, 403, 403),
    # a sampled recipient's one-time link: the token is the authority, no account needed
    "POST /api/v1/recipient-confirmations/{token}/":      (200, 200, 200, 200, 200, 200, 200),
    "POST /api/v1/milestones/{pk}/inspect/":              (403, 403, 403, 403, 409, 403, 403),
    "POST /api/v1/milestones/{pk}/pay/":                  (403, 403, 403, 403, 409, 403, 403),
    "POST /api/v1/milestones/{pk}/report/":               (403, 201, 201, 403, 403, 403, 403),
    "POST /api/v1/procurements/":                         (403, 403, 403, 403, 201, 403, 403),
    "PATCH /api/v1/procurements/{pk}/":                   (403, 403, 403, 403, 200, 404, 403),
    "POST /api/v1/procurements/{pk}/award/":              (403, 403, 403, 403, 400, 403, 403),
    "POST /api/v1/procurements/{pk}/bids/":               (403, 201, 201, 403, 403, 403, 403),
    "POST /api/v1/procurements/{pk}/cancel/":             (403, 403, 403, 403, 200, 403, 403),
    "POST /api/v1/procurements/{pk}/challenges/":         (403, 201, 201, 403, 403, 403, 403),
    "POST /api/v1/procurements/{pk}/contract/":           (403, 403, 403, 403, 409, 403, 403),
    "POST /api/v1/procurements/{pk}/invite/":             (403, 403, 403, 403, 400, 403, 403),
    "POST /api/v1/procurements/{pk}/open/":               (403, 403, 403, 403, 400, 403, 403),
    "POST /api/v1/procurements/{pk}/panel/":              (403, 403, 403, 403, 400, 403, 403),
    "POST /api/v1/procurements/{pk}/publish/":            (404, 404, 404, 404, 200, 404, 404),
    "POST /api/v1/procurements/{pk}/retender/":           (403, 403, 403, 403, 409, 403, 403),
    "POST /api/v1/procurements/{pk}/review/":             (403, 403, 403, 403, 409, 403, 403),
    "POST /api/v1/procurements/{pk}/scores/":             (403, 403, 403, 403, 403, 403, 201),
    "POST /api/v1/procurements/{pk}/terminate/":          (403, 403, 403, 403, 200, 403, 403),
    # Donations (the public ledger)
    "POST /api/v1/ledger/allocations/":                   (403, 409, 409, 403, 403, 403, 403),
    "POST /api/v1/ledger/allocations/{pk}/acknowledge/":  (403, 201, 201, 403, 403, 403, 403),
    "POST /api/v1/ledger/disbursements/":                 (403, 201, 201, 403, 403, 403, 403),
    "POST /api/v1/ledger/entries/{pk}/change-of-use/":    (403, 201, 201, 403, 403, 403, 403),
    "POST /api/v1/ledger/entries/{pk}/reverse/":          (403, 201, 201, 403, 403, 403, 403),
    "POST /api/v1/ledger/entries/{pk}/private/":          (403, 200, 200, 404, 404, 404, 404),
    "POST /api/v1/ledger/receipts/":                      (403, 201, 201, 403, 403, 403, 403),
    # anyone asks (no account; throttled per IP); the holder's members answer
    "POST /api/v1/ledger/entries/{pk}/questions/":        (201, 201, 201, 201, 201, 201, 201),
    "POST /api/v1/ledger/questions/{pk}/answer/":         (403, 200, 200, 403, 403, 403, 403),
    "POST /api/v1/ledger/receivers/":                     (403, 201, 201, 403, 403, 403, 403),
    "POST /api/v1/ledger/receivers/{pk}/reissue/":        (403, 200, 200, 403, 403, 403, 403),
    # the one-time link's token is the authority: whoever holds it signs, once
    "POST /api/v1/ledger/receive/{token}/":               (201, 201, 201, 201, 201, 201, 201),
    "POST /api/v1/ledger/entries/{pk}/send-trace-code/":  (403, 202, 202, 403, 403, 403, 403),
    "POST /api/v1/ledger/allocations/{pk}/shortfall/":    (403, 201, 201, 403, 403, 403, 403),
    # a registered witness's signature is the authority, not an account (empty body: 400)
    "POST /api/v1/ledger/heads/{size}/countersign":       (400, 400, 400, 400, 400, 400, 400),
    # Preparedness (drills, joint meetings, follow-up items)
    "POST /api/v1/drills/":                               (403, 403, 403, 403, 201, 403, 403),
    "POST /api/v1/drills/{pk}/injects/":                  (403, 403, 403, 403, 200, 404, 403),
    "POST /api/v1/drills/{pk}/run/":                      (403, 403, 403, 403, 200, 404, 403),
    "POST /api/v1/drills/{pk}/end/":                      (403, 403, 403, 403, 200, 404, 403),
    "POST /api/v1/drills/{pk}/close/":                    (403, 403, 403, 403, 400, 404, 403),
    "POST /api/v1/drills/{pk}/objectives/{objective_id}/review/": (403, 403, 403, 403, 200, 404, 403),  # noqa: E501
    "POST /api/v1/followups/{pk}/complete/":              (403, 200, 200, 404, 403, 404, 404),
    "POST /api/v1/followups/{pk}/carry-over/":            (403, 200, 200, 404, 200, 404, 404),
    "POST /api/v1/meetings/":                             (403, 403, 403, 403, 201, 403, 403),
    "POST /api/v1/meetings/{pk}/minutes/":                (403, 403, 403, 403, 200, 404, 403),
    "POST /api/v1/meetings/{pk}/decisions/":              (403, 403, 403, 403, 200, 404, 403),
    "POST /api/v1/meetings/{pk}/attachments/":            (403, 403, 403, 403, 200, 404, 403),
    # Compensation (the claimant's members and the incident region's bureau; others 404)
    "POST /api/v1/compensation-claims/":                  (403, 201, 201, 403, 403, 403, 403),
    "POST /api/v1/compensation-claims/{pk}/review/":      (403, 403, 403, 404, 200, 404, 404),
    "POST /api/v1/compensation-claims/{pk}/approve/":     (403, 403, 403, 404, 200, 404, 404),
    "POST /api/v1/compensation-claims/{pk}/reject/":      (403, 403, 403, 404, 200, 404, 404),
    # paying also needs a ledger writer of the fund's holder: nobody of this world is one
    "POST /api/v1/compensation-claims/{pk}/pay/":         (403, 403, 403, 404, 403, 404, 404),
    "POST /api/v1/compensation-claims/{pk}/settle/":      (403, 200, 200, 404, 200, 404, 404),
    # Alerts
    "PUT /api/v1/alert-preferences/":                     (403, 200, 200, 200, 200, 200, 200),
    "POST /api/v1/alerts/":                               (403, 403, 403, 403, 201, 400, 403),
    "POST /api/v1/alerts/preview/":                       (403, 403, 403, 403, 200, 400, 403),
    "POST /api/v1/deliveries/{pk}/retry/":                (403, 403, 403, 403, 200, 404, 403),
    "POST /api/v1/inbox/read-all/":                       (403, 200, 200, 200, 200, 200, 200),
    "POST /api/v1/inbox/{pk}/read/":                      (403, 200, 404, 404, 404, 404, 404),
    "POST /api/v1/organizations/{pk}/webhooks/":          (403, 400, 403, 403, 403, 403, 403),
    # Liaison (any verified organization reports; the routed agency's officials answer; the
    # notice of 雅安市 is addressed to both teams of 雅安)
    "POST /api/v1/responsibilities/":                     (403, 403, 403, 403, 201, 201, 403),
    "POST /api/v1/notices/":                              (403, 403, 403, 403, 201, 201, 403),
    "POST /api/v1/notices/{pk}/read/":                    (403, 200, 200, 200, 403, 403, 403),
    "POST /api/v1/notices/{pk}/acknowledge/":             (403, 200, 200, 200, 403, 403, 403),
    "POST /api/v1/field-reports/":                        (403, 201, 201, 201, 403, 403, 403),
    "POST /api/v1/field-reports/{pk}/acknowledge/":       (403, 403, 403, 404, 200, 404, 404),
    "POST /api/v1/field-reports/{pk}/confirm/":           (403, 403, 403, 404, 200, 404, 404),
    "POST /api/v1/field-reports/{pk}/dismiss/":           (403, 403, 403, 404, 200, 404, 404),
    # Community: anyone verified posts a need, officials of the area confirm (404 outside it:
    # an unconfirmed need is not shown there); the team posts projects and links needs; funders
    # (foundations, agencies' officials) pledge
    "POST /api/v1/community-needs/":                      (403, 201, 201, 201, 201, 403, 403),
    "POST /api/v1/community-needs/{pk}/confirm/":         (403, 403, 403, 403, 200, 404, 403),
    "POST /api/v1/community-projects/":                   (403, 201, 201, 201, 403, 403, 403),
    "POST /api/v1/community-projects/{pk}/needs/":        (403, 201, 201, 403, 403, 403, 403),
    "POST /api/v1/community-projects/{pk}/pledges/":      (403, 403, 403, 403, 201, 201, 403),
    "POST /api/v1/check-ins/":                            (403, 201, 201, 403, 403, 403, 403),
}
# fmt: on


# --- the endpoints, from the URL conf --------------------------------------------------------


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def normalize(route: str) -> str:
    """``api/v1/^tasks/(?P<pk>[^/.]+)/claim/$`` and ``<int:pk>`` alike become ``{pk}``."""
    route = route.replace("^", "").replace("$", "")
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    return "/" + route


def _function_view_methods(callback) -> list[str]:
    """A plain function view accepts every method unless ``require_http_methods`` (or
    require_POST, require_safe ...) limits it; that decorator keeps its list in a closure."""
    func = callback
    while func is not None:
        names = getattr(getattr(func, "__code__", None), "co_freevars", ())
        if "request_method_list" in names:
            cell = func.__closure__[names.index("request_method_list")]
            return [m.lower() for m in cell.cell_contents]
        func = getattr(func, "__wrapped__", None)
    # Unrestricted: record it once, as POST (it treats any other write the same way).
    return ["post"]


def view_write_methods(callback) -> list[str]:
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    actions = getattr(callback, "actions", None)
    if cls is None:
        methods = _function_view_methods(callback)
    elif actions is not None:  # a DRF ViewSet route: the router's method -> action map
        methods = [m for m, name in actions.items() if hasattr(cls, name)]
    else:  # a DRF APIView or a Django class-based view: its handler methods
        methods = [m for m in WRITE_METHODS if hasattr(cls, m)]
    allowed = set(getattr(cls, "http_method_names", WRITE_METHODS)) if cls else set(WRITE_METHODS)
    return [m for m in WRITE_METHODS if m in methods and m in allowed]


def write_endpoints() -> dict[str, str]:
    """``{"POST /api/v1/organizations/{pk}/verify/": route}`` for every write in scope."""
    found = {}
    for route, callback in _routes(get_resolver().url_patterns):
        path = normalize(route)
        in_scope = path.startswith("/api/v1/") or path in PAGES_IN_MATRIX
        if not in_scope or path in NOT_IN_MATRIX:
            continue
        for method in view_write_methods(callback):
            found[f"{method.upper()} {path}"] = path
    return found


def test_every_write_endpoint_is_in_the_matrix():
    missing = sorted(set(write_endpoints()) - set(MATRIX))
    assert not missing, "Write endpoints missing from MATRIX (see the module docstring):\n" + (
        "\n".join(missing)
    )


def test_no_stale_rows_in_the_matrix():
    live = set(write_endpoints())
    stale = sorted((set(MATRIX) | set(BODIES) | set(TARGETS)) - live)
    assert not stale, "Rows for endpoints that no longer exist:\n" + "\n".join(stale)


def test_every_row_names_every_role():
    short = {key: row for key, row in MATRIX.items() if len(row) != len(ROLES)}
    assert not short, short


def test_the_scope_covers_the_whole_api():
    """The walk really reaches the routers, the plain API views and the pages kept in scope."""
    keys = set(write_endpoints())
    assert "POST /api/v1/organizations/{pk}/verify/" in keys
    assert "POST /api/v1/ledger/receipts/" in keys
    assert "DELETE /api/v1/memberships/{pk}/" in keys
    assert "POST /accounts/login/" in keys
    assert not any(k.endswith(("/api/schema/", "/api/docs/")) for k in keys)
    assert "PUT /api/v1/organizations/{pk}/" not in keys  # http_method_names leaves PUT out


# --- the world -------------------------------------------------------------------------------


def build_world() -> SimpleNamespace:
    """The personas of tests/conftest.py and the objects the URL ids name."""
    w = SimpleNamespace()
    now = timezone.now()
    w.agency = f.AgencyFactory(name="雅安市应急管理局", region_code="511800")
    w.official = f.UserFactory(username="bureau_official")
    f.MembershipFactory(user=w.official, organization=w.agency, role=Role.OFFICIAL)
    w.outside_official = f.official("440000", username="outside_official")
    pool = f.AgencyFactory(name="四川省评审专家库", region_code="510000")
    w.expert = f.UserFactory(username="expert_one")
    f.MembershipFactory(user=w.expert, organization=pool, role=Role.EXPERT)
    w.ngo = f.OrganizationFactory(name="芦山县应急救援队", region_code="511826")
    w.ngo_admin = f.org_user(w.ngo, Role.ADMIN)
    w.ngo_member = f.org_user(w.ngo, Role.MEMBER)
    w.other_ngo = f.OrganizationFactory(name="另一个救援队", region_code="511802")
    w.other_ngo_admin = f.org_user(w.other_ngo, Role.ADMIN)
    w.rival = f.OrganizationFactory(name="第三支救援队", region_code="511826")

    # Registry
    w.capability = f.CapabilityFactory(organization=w.ngo, specialty="building_collapse")
    w.membership = Membership.objects.get(user=w.ngo_member, organization=w.ngo)
    w.person = f.PersonFactory(organization=w.ngo)
    # the team's admin invited the expert; only the expert answers, only the admin cancels
    w.invitation = Invitation.objects.create(
        organization=w.ngo, user=w.expert, role=Role.MEMBER, invited_by=w.ngo_admin
    )

    # Coordination: a responding incident in 芦山县 where the team is filed and working.
    w.incident = IncidentFactory(lead_agency=w.agency)
    w.need = NeedFactory(incident=w.incident, confirmed_at=None)
    w.deployment = DeploymentFactory(incident=w.incident, organization=w.ngo, status="filed")
    # One open filing per organization and area: the approved one is for a second area.
    w.approved_deployment = DeploymentFactory(
        incident=w.incident, organization=w.ngo, area_region_code="511827", status="approved"
    )
    task = {"incident": w.incident, "need": w.need}
    w.open_task = TaskFactory(**task)
    w.assigned_task = TaskFactory(**task, organization=w.ngo, status="assigned")
    w.accepted_task = TaskFactory(**task, organization=w.ngo, status="accepted")
    w.running_task = TaskFactory(**task, organization=w.ngo, status="in_progress")
    w.completed_task = TaskFactory(**task, organization=w.ngo, status="completed")
    TaskReportFactory(task=w.completed_task)

    # Insurance of the team's person; compensation claims of the team at each stage.
    w.policy = InsurancePolicy.objects.create(
        person=w.person,
        insurer="中国人寿",
        policy_number="GL-1",
        accident_amount=Decimal("500000"),
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate() + dt.timedelta(days=365),
    )

    def claim(status, **kw):
        return Claim.objects.create(
            organization=w.ngo,
            incident=w.incident,
            deployment=w.approved_deployment,
            kind="equipment",
            description="冲锋舟损毁",
            occurred_at=now - dt.timedelta(days=2),
            amount_claimed=Decimal("8000.00"),
            region_code=w.incident.region_code,
            review_due=timezone.localdate() + dt.timedelta(days=20),
            status=status,
            **kw,
        )

    w.claim = claim("filed")
    w.review_claim = claim("under_review")
    w.approved_claim = claim("approved", amount_approved=Decimal("6000.00"))

    # Procurement: one project of 雅安市 per stage, the team bidding or supplying in each.
    def project(status, **kw):
        p = ProjectFactory(buyer=w.agency, incident=w.incident, status=status, **kw)
        if status != "draft":
            p.published_at = now - dt.timedelta(days=25)
            p.save(update_fields=["published_at"])
        return p

    w.draft = project("draft")
    w.tendering = project("tendering")
    w.bid = BidFactory(project=w.tendering, organization=w.ngo, submitted_by=w.ngo_admin)
    w.evaluating = project("evaluating", tender_end=now - dt.timedelta(days=1))
    w.evaluating.opened_at = now
    w.evaluating.save(update_fields=["opened_at"])
    BidFactory(project=w.evaluating, organization=w.ngo)
    BidFactory(project=w.evaluating, organization=w.rival)
    PanelMember.objects.create(project=w.evaluating, expert=w.expert)
    w.awarded = project("awarded", tender_end=now - dt.timedelta(days=3))
    BidFactory(project=w.awarded, organization=w.ngo)
    rival_bid = BidFactory(project=w.awarded, organization=w.rival)
    award = Award.objects.create(
        project=w.awarded,
        bid=rival_bid,
        amount=rival_bid.price,
        standstill_ends_at=now + dt.timedelta(days=9),
    )
    w.challenge = Challenge.objects.create(
        project=w.awarded, award=award, organization=w.ngo, reason="评分有误"
    )
    w.implementing = project("implementing", tender_end=now - dt.timedelta(days=40))
    w.contract = _contract(w.implementing, w.ngo)
    w.milestone = Milestone.objects.create(
        contract=w.contract,
        title="第一阶段",
        due_at=now + dt.timedelta(days=30),
        payment_percent=Decimal("100"),
    )
    w.evaluator = f.OrganizationFactory(kind="evaluator", name="安澜评估中心")
    report = ProgressReport.objects.create(milestone=w.milestone, summary="已完成")
    w.confirmation = RecipientConfirmation.objects.create(
        milestone=w.milestone,
        report=report,
        name="居民甲",
        phone="13908350001",
        token="matrix-confirmation",
        expires_at=now + dt.timedelta(days=1),
    )
    w.terminated = project("terminated", tender_end=now - dt.timedelta(days=80))
    w.clawback = Clawback.objects.create(
        contract=_contract(w.terminated, w.ngo, status="terminated"),
        amount_due=Decimal("10000.00"),
        due_on=timezone.localdate() + dt.timedelta(days=30),
    )

    # Donations: the team's restricted receipt, and an allocation a foundation made to it.
    w.receipt = df.receipt(
        w.ngo, w.ngo_admin, restricted=True, incident=w.incident, donation_agreement=False
    )
    charity = df.foundation(name="四川同舟公益基金会")
    charity_admin = df.writer(charity)
    df.receipt(charity, charity_admin, amount="5000.00")
    from donations import services as donation_services

    w.allocation = donation_services.allocate(
        organization=charity, by=charity_admin, to_organization=w.ngo, amount=Decimal("2000.00")
    )
    # Supervision: a question on the team's receipt; goods the team handed to a hospital.
    from donations import questions as donation_questions
    from donations import receivers as donation_receivers

    w.question = donation_questions.ask_question(entry=w.receipt, text="这笔钱用在哪里？")
    df.receipt(w.ngo, w.ngo_admin, items=[df.item(name="N95口罩", unit="盒", quantity="50")])
    w.delivery, w.receiver_token = donation_receivers.allocate_to_receiver(
        by=w.ngo_admin,
        organization=w.ngo,
        receiver_name="芦山县人民医院",
        receiver_kind="public_institution",
        region_code="511826",
        purpose="医院防疫",
        items=[df.item(name="N95口罩", unit="盒", quantity="10")],
    )
    # ... and goods the team signed for short (6 of 10 boxes): its shortfall is open.
    df.receipt(charity, charity_admin, items=[df.item("矿泉水", "箱", "10")])
    water = {"name": "矿泉水", "unit": "箱"}
    w.short = donation_services.allocate(
        organization=charity,
        by=charity_admin,
        to_organization=w.ngo,
        items=[{**water, "quantity": Decimal(10)}],
    )
    donation_services.acknowledge(
        allocation=w.short, by=w.ngo_admin, items=[{**water, "quantity": Decimal(6)}]
    )

    # Alerts: a public alert of 雅安市, one failed delivery, one in-app delivery to the admin.
    w.alert = AlertFactory(created_by=w.official, region_code="511826")
    w.failed_delivery = DeliveryFactory(alert=w.alert, user=w.ngo_member, status="failed")
    w.inbox_item = DeliveryFactory(alert=w.alert, user=w.ngo_admin, status="sent")
    WebhookFactory(organization=w.ngo)

    # Preparedness: drills of 雅安市 in which the team takes part, one per stage (the reviewed
    # one has the team's open follow-up item), a convened and a minuted joint meeting.
    from preparedness import services as preparedness

    def drill():
        return preparedness.create_drill(
            by=w.official,
            title="芦山县地震联合演练",
            scenario="6.1级地震",
            region_code="511826",
            starts_at=now + dt.timedelta(days=3),
            objectives=["搜救被困人员"],
            participants=[w.ngo.pk],
        )

    w.drill, w.running_drill, w.reviewing_drill = drill(), drill(), drill()
    preparedness.run_drill(drill=w.running_drill, by=w.official)
    preparedness.run_drill(drill=w.reviewing_drill, by=w.official)
    preparedness.end_drill(drill=w.reviewing_drill, by=w.official)
    w.objective = w.reviewing_drill.objectives.get()
    preparedness.review_objective(
        objective=w.objective,
        by=w.official,
        worked="集结迅速",
        gaps=[
            {
                "title": "补充照明设备",
                "owner": w.ngo.pk,
                "due_on": timezone.localdate() + dt.timedelta(days=10),
            }
        ],
    )
    w.followup = w.reviewing_drill.followups.get()

    def meeting():
        return preparedness.convene_meeting(
            by=w.official,
            title="防汛联席会议",
            region_code="511826",
            held_at=now,
            agenda="汛前准备",
            members=[w.ngo.pk],
        )

    w.meeting, w.minuted_meeting = meeting(), meeting()
    preparedness.record_minutes(
        meeting=w.minuted_meeting, by=w.official, minutes="会议纪要", attended=[w.ngo.pk]
    )
    # Hubs and volunteers: the team is a hub (vouching for no team, so its members' acting
    # organization is unchanged); the rival is a hub vouching for a grassroots team.
    from registry.models import HubLink, Organization
    from volunteers.models import SignUp, Volunteer, VolunteerCall

    Organization.objects.filter(pk__in=[w.ngo.pk, w.rival.pk]).update(is_hub=True)
    w.ngo.refresh_from_db()
    w.rival.refresh_from_db()
    from core.permissions import forget_memberships

    forget_memberships(w.ngo_admin)  # cached while the world was built, before the update
    w.vouched = Organization.objects.create(
        name="龙门乡青年志愿队",
        kind="volunteer_team",
        region_code="511826",
        status="vouched",
        vouched_by=w.rival,
        hub_reference="R-0001",
        contact_name="李四",
        contact_phone="13800000001",
    )
    # a member of the rival hub, who acts for its team (no persona of the matrix does)
    w.rival_hub_member = f.org_user(w.rival, Role.MEMBER)
    w.hub_link = HubLink.objects.create(hub=w.ngo, member=w.other_ngo, proposed_by=w.ngo_admin)
    volunteer = {"hub": w.ngo, "region_code": "511826"}
    w.volunteer = Volunteer.objects.create(
        **volunteer, name="赵六", phone="13900000001", phone_verified_at=now
    )
    w.new_volunteer = Volunteer.objects.create(**volunteer, name="钱七", phone="13900000002")
    w.call = VolunteerCall.objects.create(
        hub=w.ngo, incident=w.incident, area_region_code="511826", title="安置点志愿者", slots=5
    )
    signed = Volunteer.objects.create(
        **volunteer, name="孙八", phone="13900000003", phone_verified_at=now
    )
    w.sign_up = SignUp.objects.create(call=w.call, volunteer=signed)
    # Liaison: a request from the team routed to 雅安市 (sent, and one acknowledged), and a
    # notice of 雅安市 the team must acknowledge.
    report = {"incident": w.incident, "organization": w.ngo, "routed_to": w.agency}
    w.field_report = FieldReportFactory(**report, filed_by=w.ngo_admin)
    w.acknowledged_report = FieldReportFactory(
        **report, filed_by=w.ngo_admin, status="acknowledged"
    )
    w.notice = liaison_services.publish_notice(
        by=w.official, title="报备须知", body="请按时报备。", ack_due_at=now + dt.timedelta(days=3)
    )
    # Community: a routine need the team posted (unconfirmed), one the official posted
    # (confirmed), and the team's project.
    routine = {"category": "food_water", "quantity": 10, "unit": "箱", "region_code": "511826"}
    w.community_need = community_services.post_need(
        by=w.ngo_admin, organization=w.ngo, description="敬老院饮水", **routine
    )
    w.community_confirmed = community_services.post_need(
        by=w.official, description="学校饮水", **routine
    )
    w.community_project = community_services.post_project(
        by=w.ngo_admin,
        organization=w.ngo,
        title="饮水保障",
        region_code="511826",
        category="food_water",
        budget_sought=Decimal("1000"),
        starts_on=now.date(),
        ends_on=now.date() + dt.timedelta(days=30),
        description="配送饮用水",
        beneficiaries="村民",
    )
    return w


def _contract(project, supplier, status="active") -> Contract:
    bid = BidFactory(project=project, organization=supplier)
    award = Award.objects.create(
        project=project,
        bid=bid,
        amount=bid.price,
        standstill_ends_at=project.tender_end + dt.timedelta(days=9),
    )
    return Contract.objects.create(
        project=project, award=award, supplier=supplier, value=bid.price, status=status
    )


def _pk(name):
    return lambda w: {"pk": getattr(w, name).pk}


# Which object a route's ``{pk}`` names, by the route's first segment after /api/v1/ ...
DEFAULT_TARGETS = {
    "organizations": _pk("ngo"),
    "capabilities": _pk("capability"),
    "memberships": _pk("membership"),
    "invitations": _pk("invitation"),
    "people": _pk("person"),
    "incidents": _pk("incident"),
    "needs": _pk("need"),
    "deployments": _pk("deployment"),
    "procurements": _pk("tendering"),
    "bids": _pk("bid"),
    "challenges": _pk("challenge"),
    "milestones": _pk("milestone"),
    "clawbacks": _pk("clawback"),
    "debarments": _pk("ngo"),
    "deliveries": _pk("failed_delivery"),
    "inbox": _pk("inbox_item"),
    "alerts": _pk("alert"),
    "drills": _pk("drill"),
    "followups": _pk("followup"),
    "meetings": _pk("meeting"),
    "hub-links": _pk("hub_link"),
    "vouched-teams": _pk("vouched"),
    "volunteers": _pk("new_volunteer"),
    "volunteer-calls": _pk("call"),
    "sign-ups": _pk("sign_up"),
    "field-reports": _pk("field_report"),
    "notices": _pk("notice"),
    "insurance-policies": _pk("policy"),
    "compensation-claims": _pk("claim"),
    "community-needs": _pk("community_need"),
    "community-projects": _pk("community_project"),
}
# ... and where one endpoint needs another object (a task or project in the right state).
TARGETS = {
    "POST /api/v1/deployments/{pk}/arrive/": _pk("approved_deployment"),
    "POST /api/v1/field-reports/{pk}/confirm/": _pk("acknowledged_report"),
    "POST /api/v1/tasks/{pk}/claim/": _pk("open_task"),
    "POST /api/v1/tasks/{pk}/assign/": _pk("open_task"),
    "POST /api/v1/tasks/{pk}/cancel/": _pk("open_task"),
    "POST /api/v1/tasks/{pk}/accept/": _pk("assigned_task"),
    "POST /api/v1/tasks/{pk}/decline/": _pk("assigned_task"),
    "POST /api/v1/tasks/{pk}/start/": _pk("accepted_task"),
    "POST /api/v1/tasks/{pk}/report/": _pk("running_task"),
    "POST /api/v1/tasks/{pk}/complete/": _pk("running_task"),
    "POST /api/v1/tasks/{pk}/verify/": _pk("completed_task"),
    "POST /api/v1/compensation-claims/{pk}/approve/": _pk("review_claim"),
    "POST /api/v1/compensation-claims/{pk}/reject/": _pk("review_claim"),
    "POST /api/v1/compensation-claims/{pk}/settle/": _pk("review_claim"),
    "POST /api/v1/compensation-claims/{pk}/pay/": _pk("approved_claim"),
    "POST /api/v1/procurements/{pk}/publish/": _pk("draft"),
    "PATCH /api/v1/procurements/{pk}/": _pk("draft"),
    "POST /api/v1/procurements/{pk}/panel/": _pk("evaluating"),
    "POST /api/v1/procurements/{pk}/scores/": _pk("evaluating"),
    "POST /api/v1/procurements/{pk}/award/": _pk("evaluating"),
    "POST /api/v1/procurements/{pk}/challenges/": _pk("awarded"),
    "POST /api/v1/procurements/{pk}/contract/": _pk("awarded"),
    "POST /api/v1/procurements/{pk}/terminate/": _pk("implementing"),
    "POST /api/v1/ledger/allocations/{pk}/acknowledge/": _pk("allocation"),
    "POST /api/v1/ledger/allocations/{pk}/shortfall/": _pk("short"),
    "POST /api/v1/ledger/entries/{pk}/reverse/": _pk("receipt"),
    "POST /api/v1/ledger/entries/{pk}/private/": _pk("receipt"),
    "POST /api/v1/ledger/entries/{pk}/change-of-use/": _pk("receipt"),
    "POST /api/v1/ledger/entries/{pk}/questions/": _pk("receipt"),
    "POST /api/v1/ledger/questions/{pk}/answer/": _pk("question"),
    "POST /api/v1/ledger/receivers/{pk}/reissue/": _pk("delivery"),
    "POST /api/v1/ledger/receive/{token}/": lambda w: {"token": w.receiver_token},
    "POST /api/v1/recipient-confirmations/{token}/": lambda w: {"token": w.confirmation.token},
    "POST /api/v1/ledger/entries/{pk}/send-trace-code/": _pk("receipt"),
    "POST /api/v1/ledger/heads/{size}/countersign": lambda w: {"size": _signed_head_size()},
    "POST /api/v1/drills/{pk}/end/": _pk("running_drill"),
    "POST /api/v1/drills/{pk}/close/": _pk("reviewing_drill"),
    "POST /api/v1/drills/{pk}/objectives/{objective_id}/review/": lambda w: {
        "pk": w.reviewing_drill.pk,
        "objective_id": w.objective.pk,
    },
    "POST /api/v1/meetings/{pk}/decisions/": _pk("minuted_meeting"),
}


def _signed_head_size() -> int:
    from donations import transparency

    return transparency.sign_head(force=True).tree_size


PDF = b"%PDF-1.4\n%minimal\n"


def _photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (120, 60, 30)).save(out, "JPEG")
    return SimpleUploadedFile("loss.jpg", out.getvalue(), content_type="image/jpeg")


AUDIENCE = {"regions": ["511826"]}
SOON = (timezone.now() + dt.timedelta(days=30)).isoformat()


def _criterion(w) -> int:
    return Criterion.objects.filter(project=w.evaluating, kind="technical").first().pk


def _ngo_bid(project) -> int:
    return Bid.objects.get(project=project, organization__name="芦山县应急救援队").pk


# Minimal bodies (functions of the world) for the views that check the input's shape before
# the service decides who may act. Absent: an empty JSON body. A file in it makes it multipart.
BODIES = {
    "POST /api/v1/organizations/{pk}/hub/": lambda w: {"is_hub": True},
    "POST /api/v1/hub-links/": lambda w: {"hub": w.ngo.pk, "member": w.rival.pk},
    "POST /api/v1/vouched-teams/": lambda w: {
        "name": "宝盛乡志愿队",
        "leader_name": "王五",
        "leader_phone": "13800000002",
        "region_code": "511826",
    },
    "POST /api/v1/vouched-teams/{pk}/people/": lambda w: {"name": "王五"},
    "POST /api/v1/volunteers/": lambda w: {
        "name": "周九",
        "phone": "13900000004",
        "region_code": "511826",
    },
    "POST /api/v1/volunteers/{pk}/verify-phone/": lambda w: {"code": "000000"},
    "POST /api/v1/volunteer-calls/": lambda w: {
        "incident": w.incident.pk,
        "area_region_code": "511826",
        "title": "搬运物资",
        "slots": 2,
    },
    "POST /api/v1/volunteer-calls/{pk}/sign-ups/": lambda w: {"volunteer": w.volunteer.pk},
    "POST /api/v1/volunteer-calls/{pk}/request-code/": lambda w: {"phone": "13900000009"},
    "POST /api/v1/volunteer-calls/{pk}/confirm/": lambda w: {
        "phone": "13900000009",
        "code": "123456",
    },
    "PATCH /api/v1/memberships/{pk}/": lambda w: {"role": "member"},
    "POST /api/v1/organizations/{pk}/verify/": lambda w: {"decision": "verified"},
    "POST /api/v1/organizations/{pk}/suspend/": lambda w: {"reason": "年检不合格"},
    "POST /api/v1/organizations/{pk}/capabilities/": lambda w: {
        "specialty": "water_rescue",
        "declared_grade": 3,
    },
    "POST /api/v1/organizations/{pk}/documents/": lambda w: {
        "file": SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
        "kind": "contingency_plan",
    },
    "POST /api/v1/organizations/{pk}/members/": lambda w: {"username": w.other_ngo_admin.username},
    "POST /api/v1/capabilities/{pk}/assess/": lambda w: {"grade": 2, "score": "85"},
    "POST /api/v1/capabilities/{pk}/revoke/": lambda w: {"reason": "测评过期"},
    "POST /api/v1/people/": lambda w: {"name": "李四", "organization": w.ngo.pk},
    "POST /api/v1/insurance-policies/": lambda w: {
        "person": w.person.pk,
        "insurer": "中国平安",
        "policy_number": "PA-7",
        "accident_amount": "300000.00",
        "valid_from": timezone.localdate().isoformat(),
        "valid_until": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
    },
    "POST /api/v1/compensation-claims/": lambda w: {
        "organization": w.ngo.pk,
        "deployment": w.approved_deployment.pk,
        "kind": "equipment",
        "description": "救生衣丢失",
        "occurred_at": (timezone.now() - dt.timedelta(days=1)).isoformat(),
        "amount_claimed": "1200.00",
        "evidence": _photo(),
    },
    "POST /api/v1/compensation-claims/{pk}/approve/": lambda w: {
        "amount": "5000.00",
        "reason": "核定",
    },
    "POST /api/v1/compensation-claims/{pk}/reject/": lambda w: {"reason": "证据不足"},
    "POST /api/v1/compensation-claims/{pk}/settle/": lambda w: {
        "amount": "5000.00",
        "paid_on": timezone.localdate().isoformat(),
    },
    "POST /api/v1/incidents/": lambda w: {
        "title": "芦山县山洪",
        "kind": "natural_disaster",
        "subtype": "flood",
        "grade": 3,
        "region_code": "511826",
        "started_at": timezone.now().isoformat(),
    },
    "POST /api/v1/incidents/{pk}/status/": lambda w: {"status": "recovery", "reason": "转入恢复"},
    "POST /api/v1/incidents/{pk}/capacity/": lambda w: {
        "area_region_code": "511826",
        "max_teams": 20,
    },
    "POST /api/v1/incidents/{pk}/needs/": lambda w: {
        "category": "food_water",
        "description": "饮用水",
        "quantity": 50,
        "unit": "箱",
        "region_code": "511826",
    },
    "POST /api/v1/deployments/": lambda w: {
        "incident": w.incident.pk,
        "organization": w.ngo.pk,
        "headcount": 6,
        "area_region_code": "511802",
        "arrival_at": SOON,
        "leader_name": "王五",
        "leader_phone": "13900001111",
    },
    "POST /api/v1/deployments/{pk}/hold/": lambda w: {"reason": "区域已满"},
    "POST /api/v1/deployments/{pk}/roster/": lambda w: {"roster": []},
    "POST /api/v1/tasks/": lambda w: {
        "incident": w.incident.pk,
        "title": "转运物资",
        "region_code": "511826",
    },
    "POST /api/v1/tasks/{pk}/assign/": lambda w: {"organization": w.ngo.pk},
    "POST /api/v1/tasks/{pk}/cancel/": lambda w: {"reason": "需求已满足"},
    "POST /api/v1/tasks/{pk}/decline/": lambda w: {"reason": "人手不足"},
    "POST /api/v1/tasks/{pk}/report/": lambda w: {"summary": "已搜救完毕", "people_served": 3},
    "POST /api/v1/tasks/{pk}/verify/": lambda w: {"accepted": True},
    "POST /api/v1/procurements/": lambda w: {
        "title": "安置点心理援助",
        "category": "recovery_reconstruction",
        "method": "open_tender",
        "budget_amount": "80000.00",
        "region_code": "511826",
        "tender_end": SOON,
    },
    "PATCH /api/v1/procurements/{pk}/": lambda w: {"title": "安置点心理援助（修订）"},
    "POST /api/v1/procurements/{pk}/bids/": lambda w: {
        "price": "90000.00",
        "proposal": "驻点服务",
        "team_size": 5,
    },
    "POST /api/v1/procurements/{pk}/cancel/": lambda w: {"reason": "需求变化"},
    "POST /api/v1/procurements/{pk}/retender/": lambda w: {"tender_end": SOON},
    "POST /api/v1/procurements/{pk}/scores/": lambda w: {
        "bid": _ngo_bid(w.evaluating),
        "criterion": _criterion(w),
        "score": "30",
    },
    "POST /api/v1/procurements/{pk}/award/": lambda w: {"bid": _ngo_bid(w.evaluating)},
    "POST /api/v1/procurements/{pk}/challenges/": lambda w: {"reason": "评分有误"},
    "POST /api/v1/procurements/{pk}/contract/": lambda w: {
        "milestones": [{"title": "全部", "due_at": SOON, "payment_percent": "100"}]
    },
    "POST /api/v1/procurements/{pk}/terminate/": lambda w: {
        "reason": "未按约履行",
        "clawback_amount": "0",
    },
    "POST /api/v1/challenges/{pk}/resolve/": lambda w: {
        "decision": "dismissed",
        "response": "评分无误",
    },
    "POST /api/v1/milestones/{pk}/report/": lambda w: {"summary": "已完成", "values": {}},
    "POST /api/v1/milestones/{pk}/inspect/": lambda w: {"notes": "现场查看", "measured": {}},
    "POST /api/v1/milestones/{pk}/accept/": lambda w: {"recipients": ["居民甲"]},
    "POST /api/v1/milestones/{pk}/assign-evaluator/": lambda w: {"organization": w.evaluator.pk},
    "POST /api/v1/recipient-confirmations/{token}/": lambda w: {"answer": "confirmed"},
    "POST /api/v1/clawbacks/{pk}/recover/": lambda w: {
        "amount": "100.00",
        "recovered_on": timezone.localdate().isoformat(),
    },
    "POST /api/v1/clawbacks/{pk}/write-off/": lambda w: {"reason": "该队已注销", "amount": "100"},
    "POST /api/v1/debarments/{pk}/lift/": lambda w: {"reason": "已整改"},
    "POST /api/v1/procurements/{pk}/invite/": lambda w: {"organizations": [w.rival.pk]},
    "POST /api/v1/procurements/{pk}/review/": lambda w: {"notes": "采购及时"},
    "POST /api/v1/ledger/receipts/": lambda w: {
        "organization": w.ngo.pk,
        "donor_name": "张三",
        "donor_kind": "individual",
        "channel": "bank_transfer",
        "amount": "100.00",
    },
    "POST /api/v1/ledger/allocations/": lambda w: {
        "organization": w.ngo.pk,
        "to_organization": w.other_ngo.pk,
        "amount": "10.00",
    },
    "POST /api/v1/ledger/disbursements/": lambda w: {
        "organization": w.ngo.pk,
        "amount": "10.00",
        "purpose": "饮用水",
        "incident": w.incident.pk,
    },
    "POST /api/v1/ledger/allocations/{pk}/acknowledge/": lambda w: {"amount": "2000.00"},
    "POST /api/v1/ledger/entries/{pk}/reverse/": lambda w: {"reason": "录入错误"},
    "POST /api/v1/ledger/entries/{pk}/send-trace-code/": lambda w: {
        "consent": True,
        "email": "donor@example.cn",
    },
    # the receiver signs for the missing part (the sender recovers or writes off)
    "POST /api/v1/ledger/allocations/{pk}/shortfall/": lambda w: {"outcome": "replaced"},
    "POST /api/v1/ledger/entries/{pk}/change-of-use/": lambda w: {
        "purpose": "灾后重建",
        "filing_reference": "川民备〔2025〕1号",
    },
    "POST /api/v1/ledger/entries/{pk}/questions/": lambda w: {"text": "这笔钱用在哪里？"},
    "POST /api/v1/ledger/questions/{pk}/answer/": lambda w: {"answer": "用于购买饮用水。"},
    "POST /api/v1/ledger/receivers/": lambda w: {
        "organization": w.ngo.pk,
        "receiver_name": "芦山县人民医院",
        "receiver_kind": "public_institution",
        "region_code": "511826",
        "purpose": "医院防疫",
        "items": [{"name": "N95口罩", "unit": "盒", "quantity": "5"}],
    },
    "POST /api/v1/ledger/receive/{token}/": lambda w: {
        "lines": [{"quantity": "10"}],
        "signer_name": "李秀英",
        "signer_role": "药剂科主任",
    },
    "POST /api/v1/alerts/": lambda w: {
        "title": "芦山县暴雨预警",
        "level": "blue",
        "audience": AUDIENCE,
        "channels": ["in_app"],
    },
    "POST /api/v1/alerts/preview/": lambda w: AUDIENCE,
    "PUT /api/v1/alert-preferences/": lambda w: {"email": False, "sms": False},
    "POST /api/v1/drills/": lambda w: {
        "title": "防汛联合演练",
        "scenario": "青衣江超警戒水位",
        "region_code": "511826",
        "starts_at": SOON,
        "objectives": ["转移群众"],
        "participants": [w.ngo.pk],
    },
    "POST /api/v1/drills/{pk}/injects/": lambda w: {"deliver_at": SOON, "title": "余震"},
    "POST /api/v1/drills/{pk}/objectives/{objective_id}/review/": lambda w: {"worked": "通信畅通"},
    "POST /api/v1/followups/{pk}/carry-over/": lambda w: {"reason": "列入明年预算"},
    "POST /api/v1/meetings/": lambda w: {
        "title": "防汛联席会议",
        "region_code": "511826",
        "held_at": SOON,
        "agenda": "汛前准备",
        "members": [w.ngo.pk],
    },
    "POST /api/v1/meetings/{pk}/minutes/": lambda w: {"minutes": "会议纪要", "attended": []},
    "POST /api/v1/meetings/{pk}/decisions/": lambda w: {"text": "各队补充照明设备"},
    "POST /api/v1/meetings/{pk}/attachments/": lambda w: {
        "file": SimpleUploadedFile("minutes.pdf", PDF, content_type="application/pdf"),
    },
    "POST /api/v1/responsibilities/": lambda w: {
        "function": "supply_allocation",
        "unit": "救灾和物资保障科",
        "duty_contact": "李值班",
        "duty_phone": "0835-2220000",
    },
    "POST /api/v1/notices/": lambda w: {"title": "报备须知", "body": "请按时报备。"},
    "POST /api/v1/field-reports/": lambda w: {
        "incident": w.incident.pk,
        "category": "supplies",
        "description": "龙门乡安置点缺帐篷",
        "region_code": "511826",
    },
    "POST /api/v1/field-reports/{pk}/dismiss/": lambda w: {"reason": "重复报告"},
    "POST /api/v1/community-needs/": lambda w: {
        "category": "food_water",
        "description": "饮水",
        "quantity": 5,
        "unit": "箱",
        "region_code": "511826",
    },
    "POST /api/v1/community-projects/": lambda w: {
        "title": "饮水保障二期",
        "region_code": "511826",
        "category": "food_water",
        "budget_sought": "1000",
        "starts_on": dt.date.today().isoformat(),
        "ends_on": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
        "description": "配送饮用水",
        "beneficiaries": "村民",
    },
    "POST /api/v1/community-projects/{pk}/needs/": lambda w: {
        "need": w.community_confirmed.pk,
        "quantity": 1,
    },
    "POST /api/v1/community-projects/{pk}/pledges/": lambda w: {"amount": "100"},
    "POST /api/v1/check-ins/": lambda w: {"deployment": w.approved_deployment.pk},
}


def url_for(key: str, w) -> str:
    path = key.split(" ", 1)[1]
    if "{" not in path:
        return path
    segment = path.removeprefix("/api/v1/").split("/")[0]
    target = TARGETS.get(key) or DEFAULT_TARGETS[segment]
    return path.format(**target(w))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at its end; each test runs in
    a savepoint of its own (pytest-django's ``db``), so no test sees another's writes."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def client_as(role: str, w, path: str) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        user = getattr(w, role)
        if path.startswith("/api/"):
            client.force_authenticate(user)
        else:
            client.force_login(user)  # Django's own views read the session
    return client


# MATRIX_RECORD runs every live endpoint, rows or not, and writes what each role gets.
_KEYS = sorted(write_endpoints()) if os.environ.get("MATRIX_RECORD") else sorted(MATRIX)
CASES = [(key, role) for key in _KEYS for role in ROLES]


@pytest.mark.parametrize(("key", "role"), CASES, ids=[f"{k} [{r}]" for k, r in CASES])
def test_the_matrix(world, db, key, role):
    method, _ = key.split(" ", 1)
    path = url_for(key, world)
    body = BODIES[key](world) if key in BODIES else {}
    client = client_as(role, world, path)
    multipart = any(hasattr(value, "read") for value in body.values())
    send = getattr(client, method.lower())
    response = send(path, body, format="multipart" if multipart else "json")
    got = response.status_code
    record = os.environ.get("MATRIX_RECORD")
    if record:
        with open(record, "a", encoding="utf-8") as out:
            out.write(f"{key}\t{role}\t{got}\t{response.content[:200]!r}\n")
        return
    expected = MATRIX[key][ROLES.index(role)]
    assert got == expected, (got, response.content[:500])


# --- the pages: the form posts behind the same services ----------------------------------------
#
# Every page route that takes a form post (the app urls.py files, walked like the API's) is in
# ``PAGE_MATRIX`` or in ``READ_ONLY_PAGES`` (views that treat a POST like a GET and write nothing).
# A page key names the action where one route serves several (``/tasks/{pk}/claim/`` for
# ``/tasks/{pk}/{action}/``), or the form it sends (``/ledger/organizations/{org_id}/ receipt``).
# Each page says which API endpoint calls the same service (``PAGE_API``) and is sent into the
# same world, for the same object, with a form body (``PAGE_BODIES``).
#
# What a page answers, per role, in the order of ``ROLES``:
#   OK       a success message (or a plain redirect where the page shows none), nothing refused;
#   IN       the redirect to the login page (the public);
#   403/404  refused, or hidden, before any form is read;
#   NO       the service refused (PermissionDenied): an error message tagged ``REFUSED_TAG``;
#   BAD      the input or the state was refused (form errors, or the service's 400/409 message);
#   200      the form came back without a message (nothing written, nothing refused).
# ``test_pages_refuse_exactly_when_the_api_refuses`` holds the two tables together: a page
# refuses (login, 403, 404, "no") for exactly the roles the API refuses (401, 403, 404).
# ``PAGE_MATRIX_RECORD=/tmp/pages.txt`` writes what each role gets, as MATRIX_RECORD does.

PAGE_PREFIXES_OUT = ("/api/", "/admin/", "/i18n/", "/accounts/")
READ_ONLY_PAGES = (
    "/",
    "/hubs/",
    "/volunteers/",
    "/volunteer-calls/",
    "/volunteer-calls/{pk}/",
    "/audit/",
    "/healthz/",
    "/healthz/live/",
    "/alerts/",
    "/alerts/feed.atom",
    "/alerts/{pk}/",
    "/alerts/{pk}/cap.xml",
    "/inbox/",
    "/incidents/",
    "/incidents/{pk}/",
    "/incidents/{pk}/3w.csv",
    "/tasks/mine/",
    "/tasks/{pk}/",
    "/evidence/{pk}/",
    "/organizations/",
    "/organizations/{pk}/",
    "/documents/{pk}/",
    "/verification/",
    "/procurements/",
    "/procurements/{pk}/",
    "/ledger/",
    "/ledger/trace/",
    "/ledger/entries/{pk}/",
    "/ledger/evidence/{pk}/",
)

IN, OK, NO, BAD = "login", "ok", "no", "bad"  # the page answers, named in the comment above

# fmt: off
PAGE_MATRIX: dict[str, tuple] = {
    # roles: anonymous, ngo_admin, ngo_member, other_ngo_admin, official, outside_official, expert
    #                                                          anon adm  mem  oth  off  out  exp
    # Registry
    "POST /organizations/{pk}/edit/":                         (IN,  OK,  404, 404, 404, 404, 404),
    "POST /organizations/{pk}/capabilities/new/":             (IN,  OK,  404, 404, 404, 404, 404),
    "POST /organizations/{pk}/capabilities/{capability_id}/": (IN,  OK,  404, 404, 404, 404, 404),
    "POST /organizations/{pk}/members/":                      (IN,  OK,  404, 404, 404, 404, 404),
    "POST /organizations/{pk}/documents/":                    (IN,  OK,  403, 404, 403, 404, 404),
    "POST /organizations/{pk}/decide/":                       (IN,  403, 403, 403, BAD, 403, 403),
    "POST /organizations/{pk}/suspend/":                      (IN,  403, 403, 403, OK,  403, 403),
    "POST /capabilities/{capability_id}/assess/":             (IN,  403, 403, 403, OK,  403, 403),
    "POST /capabilities/{capability_id}/revoke/":             (IN,  403, 403, 403, OK,  403, 403),
    "POST /people/":                                          (IN,  OK,  OK,  403, 403, 403, 403),
    "POST /people/{pk}/":                                     (IN,  OK,  OK,  404, 403, 404, 404),
    "POST /people/{pk}/remove/":                              (IN,  OK,  OK,  404, 403, 404, 404),
    "POST /invitations/":                                     (IN,  404, 404, 404, 404, 404, OK),
    "POST /register/":                                        (BAD, BAD, BAD, BAD, BAD, BAD, BAD),
    # Hubs and volunteers
    "POST /hubs/teams/new/":                                  (IN,  OK,  OK,  403, 403, 403, 403),
    "POST /hubs/teams/{pk}/":                                 (IN,  404, 404, 404, NO,  404, 404),
    "POST /hubs/links/new/":                                  (IN,  OK,  NO,  NO,  NO,  NO,  NO),
    "POST /hubs/links/{pk}/accept/":                          (IN,  NO,  NO,  OK,  NO,  404, 404),
    "POST /hubs/links/{pk}/decline/":                         (IN,  NO,  NO,  OK,  NO,  404, 404),
    "POST /hubs/links/{pk}/cancel/":                          (IN,  OK,  NO,  NO,  NO,  404, 404),
    "POST /hubs/links/{pk}/end/":                             (IN,  BAD, NO,  BAD, NO,  404, 404),
    "POST /organizations/{pk}/hub/":                          (IN,  NO,  NO,  NO,  OK,  NO,  NO),
    "POST /volunteers/new/":                                  (IN,  OK,  OK,  403, 403, 403, 403),
    "POST /volunteers/{pk}/verify/":                          (IN,  BAD, BAD, 404, NO,  404, 404),
    "POST /volunteer-calls/new/":                             (IN,  OK,  OK,  403, 403, 403, 403),
    "POST /volunteer-calls/{pk}/code/":                       (OK,  OK,  OK,  OK,  OK,  OK,  OK),
    "POST /volunteer-calls/{pk}/confirm/":                    (BAD, BAD, BAD, BAD, BAD, BAD, BAD),
    "POST /volunteer-calls/{pk}/close/":                      (IN,  OK,  OK,  NO,  NO,  NO,  NO),
    "POST /volunteer-calls/{pk}/reopen/":                     (IN,  BAD, BAD, NO,  NO,  NO,  NO),
    "POST /volunteer-calls/{pk}/sign_up/":                    (IN,  OK,  OK,  404, NO,  404, 404),
    "POST /sign-ups/{pk}/cancel/":                            (IN,  OK,  OK,  404, 404, 404, 404),
    "POST /organizations/{pk}/insurance/":                    (IN,  OK,  OK,  404, 403, 404, 404),
    "POST /insurance/{pk}/remove/":                           (IN,  OK,  OK,  404, 403, 404, 404),
    # Coordination
    "POST /incidents/new/":                                   (IN,  403, 403, 403, OK,  NO,  403),
    "POST /incidents/{pk}/status/":                           (IN,  NO,  NO,  NO,  OK,  NO,  NO),
    "POST /incidents/{pk}/take-over/":                        (IN,  NO,  NO,  NO,  NO,  NO,  NO),
    "POST /incidents/{pk}/capacity/":                         (IN,  NO,  NO,  NO,  OK,  NO,  NO),
    "POST /incidents/{pk}/needs/new/":                        (IN,  OK,  OK,  OK,  OK,  NO,  NO),
    "POST /incidents/{pk}/deployments/new/":                  (IN,  BAD, BAD, NO,  NO,  NO,  NO),
    "POST /incidents/{pk}/tasks/new/":                        (IN,  403, 403, 403, OK,  403, 403),
    "POST /needs/{pk}/confirm/":                              (IN,  NO,  NO,  NO,  OK,  NO,  NO),
    "POST /deployments/{pk}/approve/":                        (IN,  NO,  NO,  404, OK,  404, 404),
    "POST /deployments/{pk}/hold/":                           (IN,  NO,  NO,  404, OK,  404, 404),
    "POST /deployments/{pk}/arrive/":                         (IN,  OK,  OK,  404, NO,  404, 404),
    "POST /deployments/{pk}/withdraw/":                       (IN,  OK,  OK,  404, NO,  404, 404),
    "POST /deployments/{pk}/roster/":                         (IN,  OK,  OK,  404, NO,  404, 404),
    "POST /tasks/{pk}/report/":                               (IN,  OK,  OK,  NO,  NO,  NO,  NO),
    "POST /tasks/{pk}/claim/":                                (IN,  OK,  OK,  NO,  NO,  NO,  NO),
    "POST /tasks/{pk}/assign/":                               (IN,  NO,  NO,  NO,  OK,  NO,  NO),
    "POST /tasks/{pk}/accept/":                               (IN,  OK,  OK,  NO,  NO,  NO,  NO),
    "POST /tasks/{pk}/decline/":                              (IN,  OK,  OK,  NO,  NO,  NO,  NO),
    "POST /tasks/{pk}/start/":                                (IN,  OK,  OK,  NO,  NO,  NO,  NO),
    "POST /tasks/{pk}/complete/":                             (IN,  BAD, BAD, NO,  NO,  NO,  NO),
    "POST /tasks/{pk}/verify/":                               (IN,  NO,  NO,  NO,  OK,  NO,  NO),
    "POST /tasks/{pk}/cancel/":                               (IN,  NO,  NO,  NO,  OK,  NO,  NO),
    # Procurement
    "POST /procurements/new/":                                (IN,  403, 403, 403, OK,  NO,  403),
    "POST /procurements/{pk}/edit/":                          (IN,  404, 404, 404, OK,  404, 404),
    "POST /procurements/{pk}/publish/":                       (IN,  404, 404, 404, OK,  404, 404),
    "POST /procurements/{pk}/open/":                          (IN,  NO,  NO,  NO,  BAD, NO,  NO),
    "POST /procurements/{pk}/panel/":                         (IN,  NO,  NO,  NO,  BAD, NO,  NO),
    "POST /procurements/{pk}/award/":                         (IN,  NO,  NO,  NO,  BAD, NO,  NO),
    "POST /procurements/{pk}/cancel/":                        (IN,  NO,  NO,  NO,  OK,  NO,  NO),
    "POST /procurements/{pk}/retender/":                      (IN,  NO,  NO,  NO,  BAD, NO,  NO),
    "POST /procurements/{pk}/terminate/":                     (IN,  NO,  NO,  NO,  OK,  NO,  NO),
    "POST /procurements/{pk}/bid/":                           (IN,  OK,  OK,  NO,  NO,  NO,  NO),
    "POST /procurement-bids/{pk}/withdraw/":                  (IN,  OK,  OK,  404, 404, 404, 404),
    "POST /procurements/{pk}/challenge/":                     (IN,  OK,  OK,  NO,  NO,  NO,  NO),
    "POST /procurements/{pk}/contract/":                      (IN,  403, 403, 403, BAD, 403, 403),
    "POST /procurements/{pk}/score/":                         (IN,  404, 404, 404, 404, 404, OK),
    "POST /procurement-challenges/{pk}/resolve/":             (IN,  NO,  NO,  NO,  OK,  NO,  NO),
    "POST /procurement-clawbacks/{pk}/recover/":              (IN,  NO,  NO,  NO,  OK,  NO,  NO),
    "POST /procurement-clawbacks/{pk}/write-off/":            (IN,  NO,  NO,  NO,  OK,  NO,  NO),
    "POST /procurement-suppliers/{pk}/lift/":                 (IN,  NO,  NO,  NO,  BAD, BAD, NO),
    "POST /procurements/{pk}/invite/":                        (IN,  NO,  NO,  NO,  BAD, NO,  NO),
    "POST /procurements/{pk}/review/":                        (IN,  NO,  NO,  NO,  BAD, NO,  NO),
    "POST /milestones/{pk}/report/":                          (IN,  OK,  OK,  NO,  NO,  NO,  NO),
    "POST /milestones/{pk}/inspect/":                         (IN,  NO,  NO,  NO,  BAD, NO,  NO),
    "POST /milestones/{pk}/accept/":                          (IN,  NO,  NO,  NO,  BAD, NO,  NO),
    "POST /milestones/{pk}/assign-evaluator/":                (IN,  NO,  NO,  NO,  OK,  NO,  NO),
    "POST /milestones/{pk}/sample/":                          (IN,  NO,  NO,  NO,  BAD, NO,  NO),
    "POST /c/{token}/":                                       (200, 200, 200, 200, 200, 200, 200),
    "POST /milestones/{pk}/pay/":                             (IN,  NO,  NO,  NO,  BAD, NO,  NO),
    # Donations
    "POST /ledger/organizations/{org_id}/ receipt":           (IN,  OK,  OK,  404, 404, 404, 404),
    "POST /ledger/organizations/{org_id}/ allocation":        (IN,  BAD, BAD, 404, 404, 404, 404),
    "POST /ledger/organizations/{org_id}/ disbursement":      (IN,  OK,  OK,  404, 404, 404, 404),
    "POST /ledger/entries/{pk}/reverse/":                    (IN,  OK,  OK,  NO,  NO,  NO,  NO),
    "POST /ledger/entries/{pk}/reveal/":                     (IN,  200, 200, 404, 404, 404, 404),
    "POST /ledger/entries/{pk}/change-of-use/new/":          (IN,  OK,  OK,  NO,  NO,  NO,  NO),
    "POST /ledger/entries/{pk}/acknowledge/":                (IN,  OK,  OK,  NO,  NO,  NO,  NO),
    "POST /ledger/entries/{pk}/questions/new/":              (OK,  OK,  OK,  OK,  OK,  OK,  OK),
    "POST /ledger/questions/{pk}/answer/":                    (IN,  OK,  OK,  403, 403, 403, 403),
    "POST /ledger/organizations/{org_id}/receivers/":         (IN,  201, 201, 404, 404, 404, 404),
    "POST /ledger/receivers/{pk}/reissue/":                   (IN,  200, 200, 404, 404, 404, 404),
    "POST /ledger/receive/{token}/":                          (200, 200, 200, 200, 200, 200, 200),
    "POST /ledger/receipts/{trace_code}/send/":               (IN,  OK,  OK,  NO,  NO,  NO,  NO),
    "POST /ledger/shortfalls/{pk}/":                         (IN,  OK,  OK,  NO,  NO,  NO,  NO),
    # Compensation
    "POST /compensation/new/":                                (IN,  OK,  OK,  NO,  NO,  NO,  NO),
    "POST /compensation/{pk}/review/":                        (IN,  NO,  NO,  404, OK,  404, 404),
    "POST /compensation/{pk}/approve/":                       (IN,  NO,  NO,  404, OK,  404, 404),
    "POST /compensation/{pk}/reject/":                        (IN,  NO,  NO,  404, OK,  404, 404),
    "POST /compensation/{pk}/pay/":                           (IN,  NO,  NO,  404, NO,  404, 404),
    "POST /compensation/{pk}/settle/":                        (IN,  OK,  OK,  404, OK,  404, 404),
    # Alerts
    "POST /alerts/new/":                                      (IN,  403, 403, 403, OK,  BAD, 403),
    "POST /inbox/preferences/":                               (IN,  OK,  OK,  OK,  OK,  OK,  OK),
    "POST /inbox/read-all/":                                  (IN,  OK,  OK,  OK,  OK,  OK,  OK),
    "POST /inbox/{pk}/read/":                                 (IN,  OK,  404, 404, 404, 404, 404),
    "POST /alerts/deliveries/{pk}/retry/":                    (IN,  404, 404, 404, OK,  404, 404),
    "POST /organizations/{pk}/webhooks/":                     (IN,  BAD, 403, 403, 403, 403, 403),
    # Preparedness (participants see a drill or meeting, so the service refuses them: "no")
    "POST /drills/new/":                                      (IN,  403, 403, 403, OK,  NO,  403),
    "POST /drills/{pk}/injects/":                             (IN,  NO,  NO,  404, OK,  404, 404),
    "POST /drills/{pk}/run/":                                 (IN,  NO,  NO,  404, OK,  404, 404),
    "POST /drills/{pk}/end/":                                 (IN,  NO,  NO,  404, OK,  404, 404),
    "POST /drills/{pk}/close/":                               (IN,  NO,  NO,  404, BAD, 404, 404),
    "POST /drills/{pk}/objectives/{objective_id}/review/":    (IN,  NO,  NO,  404, OK,  404, 404),
    "POST /followups/{pk}/complete/":                         (IN,  OK,  OK,  404, NO,  404, 404),
    "POST /followups/{pk}/carry-over/":                       (IN,  OK,  OK,  404, OK,  404, 404),
    "POST /meetings/new/":                                    (IN,  403, 403, 403, OK,  NO,  403),
    "POST /meetings/{pk}/minutes/":                           (IN,  NO,  NO,  404, OK,  404, 404),
    "POST /meetings/{pk}/decisions/":                         (IN,  NO,  NO,  404, OK,  404, 404),
    "POST /meetings/{pk}/attachments/":                       (IN,  NO,  NO,  404, OK,  404, 404),
    # Liaison
    "POST /directory/edit/":                                  (IN,  403, 403, 403, OK,  OK,  403),
    "POST /notices/new/":                                     (IN,  NO,  NO,  NO,  OK,  OK,  NO),
    "POST /notices/{pk}/read/":                               (IN,  OK,  OK,  OK,  NO,  NO,  NO),
    "POST /notices/{pk}/acknowledge/":                        (IN,  OK,  OK,  OK,  NO,  NO,  NO),
    "POST /field-reports/new/":                               (IN,  OK,  OK,  OK,  NO,  NO,  NO),
    "POST /field-reports/{pk}/acknowledge/":                  (IN,  NO,  NO,  404, OK,  404, 404),
    "POST /field-reports/{pk}/confirm/":                      (IN,  NO,  NO,  404, OK,  404, 404),
    "POST /field-reports/{pk}/dismiss/":                      (IN,  NO,  NO,  404, OK,  404, 404),
    # Community
    "POST /community/needs/new/":                             (IN,  OK,  OK,  OK,  OK,  NO,  NO),
    "POST /community/needs/{pk}/confirm/":                    (IN,  NO,  NO,  404, OK,  404, 404),
    "POST /community/projects/new/":                          (IN,  OK,  OK,  OK,  NO,  NO,  NO),
    "POST /community/projects/{pk}/needs/":                   (IN,  OK,  OK,  NO,  NO,  NO,  NO),
    "POST /community/projects/{pk}/pledges/":                 (IN,  NO,  NO,  NO,  OK,  OK,  NO),
    "POST /check-ins/{pk}/":                                  (IN,  OK,  OK,  404, 404, 404, 404),
}
# fmt: on

# The API endpoint whose service each page calls.
PAGE_API = {
    # Registry
    "POST /organizations/{pk}/edit/": "PATCH /api/v1/organizations/{pk}/",
    "POST /organizations/{pk}/capabilities/new/": "POST /api/v1/organizations/{pk}/capabilities/",
    "POST /organizations/{pk}/capabilities/{capability_id}/": "PATCH /api/v1/capabilities/{pk}/",
    "POST /organizations/{pk}/members/": "POST /api/v1/organizations/{pk}/members/",
    "POST /organizations/{pk}/documents/": "POST /api/v1/organizations/{pk}/documents/",
    "POST /organizations/{pk}/decide/": "POST /api/v1/organizations/{pk}/verify/",
    "POST /organizations/{pk}/suspend/": "POST /api/v1/organizations/{pk}/suspend/",
    "POST /capabilities/{capability_id}/assess/": "POST /api/v1/capabilities/{pk}/assess/",
    "POST /capabilities/{capability_id}/revoke/": "POST /api/v1/capabilities/{pk}/revoke/",
    "POST /people/": "POST /api/v1/people/",
    "POST /people/{pk}/": "PATCH /api/v1/people/{pk}/",
    "POST /people/{pk}/remove/": "DELETE /api/v1/people/{pk}/",
    "POST /invitations/": "POST /api/v1/invitations/{pk}/accept/",
    "POST /register/": "POST /api/v1/register/",
    "POST /organizations/{pk}/insurance/": "POST /api/v1/insurance-policies/",
    "POST /insurance/{pk}/remove/": "DELETE /api/v1/insurance-policies/{pk}/",
    # Coordination
    "POST /incidents/new/": "POST /api/v1/incidents/",
    "POST /incidents/{pk}/status/": "POST /api/v1/incidents/{pk}/status/",
    "POST /incidents/{pk}/take-over/": "POST /api/v1/incidents/{pk}/take-over/",
    "POST /incidents/{pk}/capacity/": "POST /api/v1/incidents/{pk}/capacity/",
    "POST /incidents/{pk}/needs/new/": "POST /api/v1/incidents/{pk}/needs/",
    "POST /incidents/{pk}/deployments/new/": "POST /api/v1/deployments/",
    "POST /incidents/{pk}/tasks/new/": "POST /api/v1/tasks/",
    "POST /needs/{pk}/confirm/": "POST /api/v1/needs/{pk}/confirm/",
    "POST /deployments/{pk}/approve/": "POST /api/v1/deployments/{pk}/approve/",
    "POST /deployments/{pk}/hold/": "POST /api/v1/deployments/{pk}/hold/",
    "POST /deployments/{pk}/arrive/": "POST /api/v1/deployments/{pk}/arrive/",
    "POST /deployments/{pk}/withdraw/": "POST /api/v1/deployments/{pk}/withdraw/",
    "POST /deployments/{pk}/roster/": "POST /api/v1/deployments/{pk}/roster/",
    "POST /tasks/{pk}/report/": "POST /api/v1/tasks/{pk}/report/",
    "POST /tasks/{pk}/claim/": "POST /api/v1/tasks/{pk}/claim/",
    "POST /tasks/{pk}/assign/": "POST /api/v1/tasks/{pk}/assign/",
    "POST /tasks/{pk}/accept/": "POST /api/v1/tasks/{pk}/accept/",
    "POST /tasks/{pk}/decline/": "POST /api/v1/tasks/{pk}/decline/",
    "POST /tasks/{pk}/start/": "POST /api/v1/tasks/{pk}/start/",
    "POST /tasks/{pk}/complete/": "POST /api/v1/tasks/{pk}/complete/",
    "POST /tasks/{pk}/verify/": "POST /api/v1/tasks/{pk}/verify/",
    "POST /tasks/{pk}/cancel/": "POST /api/v1/tasks/{pk}/cancel/",
    # Procurement
    "POST /procurements/new/": "POST /api/v1/procurements/",
    "POST /procurements/{pk}/edit/": "PATCH /api/v1/procurements/{pk}/",
    "POST /procurements/{pk}/publish/": "POST /api/v1/procurements/{pk}/publish/",
    "POST /procurements/{pk}/open/": "POST /api/v1/procurements/{pk}/open/",
    "POST /procurements/{pk}/panel/": "POST /api/v1/procurements/{pk}/panel/",
    "POST /procurements/{pk}/award/": "POST /api/v1/procurements/{pk}/award/",
    "POST /procurements/{pk}/cancel/": "POST /api/v1/procurements/{pk}/cancel/",
    "POST /procurements/{pk}/retender/": "POST /api/v1/procurements/{pk}/retender/",
    "POST /procurements/{pk}/terminate/": "POST /api/v1/procurements/{pk}/terminate/",
    "POST /procurements/{pk}/bid/": "POST /api/v1/procurements/{pk}/bids/",
    "POST /procurement-bids/{pk}/withdraw/": "POST /api/v1/bids/{pk}/withdraw/",
    "POST /procurements/{pk}/challenge/": "POST /api/v1/procurements/{pk}/challenges/",
    "POST /procurements/{pk}/contract/": "POST /api/v1/procurements/{pk}/contract/",
    "POST /procurements/{pk}/score/": "POST /api/v1/procurements/{pk}/scores/",
    "POST /procurement-challenges/{pk}/resolve/": "POST /api/v1/challenges/{pk}/resolve/",
    "POST /procurement-clawbacks/{pk}/recover/": "POST /api/v1/clawbacks/{pk}/recover/",
    "POST /procurement-clawbacks/{pk}/write-off/": "POST /api/v1/clawbacks/{pk}/write-off/",
    "POST /procurement-suppliers/{pk}/lift/": "POST /api/v1/debarments/{pk}/lift/",
    "POST /procurements/{pk}/invite/": "POST /api/v1/procurements/{pk}/invite/",
    "POST /procurements/{pk}/review/": "POST /api/v1/procurements/{pk}/review/",
    "POST /milestones/{pk}/report/": "POST /api/v1/milestones/{pk}/report/",
    "POST /milestones/{pk}/inspect/": "POST /api/v1/milestones/{pk}/inspect/",
    "POST /milestones/{pk}/accept/": "POST /api/v1/milestones/{pk}/accept/",
    "POST /milestones/{pk}/assign-evaluator/": "POST /api/v1/milestones/{pk}/assign-evaluator/",
    "POST /milestones/{pk}/sample/": "POST /api/v1/milestones/{pk}/sample/",
    "POST /c/{token}/": "POST /api/v1/recipient-confirmations/{token}/",
    "POST /milestones/{pk}/pay/": "POST /api/v1/milestones/{pk}/pay/",
    # Donations
    "POST /ledger/organizations/{org_id}/ receipt": "POST /api/v1/ledger/receipts/",
    "POST /ledger/organizations/{org_id}/ allocation": "POST /api/v1/ledger/allocations/",
    "POST /ledger/organizations/{org_id}/ disbursement": "POST /api/v1/ledger/disbursements/",
    "POST /ledger/entries/{pk}/reverse/": "POST /api/v1/ledger/entries/{pk}/reverse/",
    "POST /ledger/entries/{pk}/reveal/": "POST /api/v1/ledger/entries/{pk}/private/",
    "POST /ledger/entries/{pk}/change-of-use/new/": (
        "POST /api/v1/ledger/entries/{pk}/change-of-use/"
    ),
    "POST /ledger/entries/{pk}/acknowledge/": "POST /api/v1/ledger/allocations/{pk}/acknowledge/",
    "POST /ledger/entries/{pk}/questions/new/": "POST /api/v1/ledger/entries/{pk}/questions/",
    "POST /ledger/questions/{pk}/answer/": "POST /api/v1/ledger/questions/{pk}/answer/",
    "POST /ledger/organizations/{org_id}/receivers/": "POST /api/v1/ledger/receivers/",
    "POST /ledger/receivers/{pk}/reissue/": "POST /api/v1/ledger/receivers/{pk}/reissue/",
    "POST /ledger/receive/{token}/": "POST /api/v1/ledger/receive/{token}/",
    "POST /ledger/receipts/{trace_code}/send/": "POST /api/v1/ledger/entries/{pk}/send-trace-code/",
    "POST /ledger/shortfalls/{pk}/": "POST /api/v1/ledger/allocations/{pk}/shortfall/",
    # Hubs and volunteers
    "POST /hubs/teams/new/": "POST /api/v1/vouched-teams/",
    "POST /hubs/teams/{pk}/": "POST /api/v1/vouched-teams/{pk}/people/",
    "POST /hubs/links/new/": "POST /api/v1/hub-links/",
    "POST /hubs/links/{pk}/accept/": "POST /api/v1/hub-links/{pk}/accept/",
    "POST /hubs/links/{pk}/decline/": "POST /api/v1/hub-links/{pk}/decline/",
    "POST /hubs/links/{pk}/cancel/": "POST /api/v1/hub-links/{pk}/cancel/",
    "POST /hubs/links/{pk}/end/": "POST /api/v1/hub-links/{pk}/end/",
    "POST /organizations/{pk}/hub/": "POST /api/v1/organizations/{pk}/hub/",
    "POST /volunteers/new/": "POST /api/v1/volunteers/",
    "POST /volunteers/{pk}/verify/": "POST /api/v1/volunteers/{pk}/verify-phone/",
    "POST /volunteer-calls/new/": "POST /api/v1/volunteer-calls/",
    "POST /volunteer-calls/{pk}/code/": "POST /api/v1/volunteer-calls/{pk}/request-code/",
    "POST /volunteer-calls/{pk}/confirm/": "POST /api/v1/volunteer-calls/{pk}/confirm/",
    "POST /volunteer-calls/{pk}/close/": "POST /api/v1/volunteer-calls/{pk}/close/",
    "POST /volunteer-calls/{pk}/reopen/": "POST /api/v1/volunteer-calls/{pk}/reopen/",
    "POST /volunteer-calls/{pk}/sign_up/": "POST /api/v1/volunteer-calls/{pk}/sign-ups/",
    "POST /sign-ups/{pk}/cancel/": "POST /api/v1/sign-ups/{pk}/cancel/",
    # Compensation
    "POST /compensation/new/": "POST /api/v1/compensation-claims/",
    "POST /compensation/{pk}/review/": "POST /api/v1/compensation-claims/{pk}/review/",
    "POST /compensation/{pk}/approve/": "POST /api/v1/compensation-claims/{pk}/approve/",
    "POST /compensation/{pk}/reject/": "POST /api/v1/compensation-claims/{pk}/reject/",
    "POST /compensation/{pk}/pay/": "POST /api/v1/compensation-claims/{pk}/pay/",
    "POST /compensation/{pk}/settle/": "POST /api/v1/compensation-claims/{pk}/settle/",
    # Alerts
    "POST /alerts/new/": "POST /api/v1/alerts/",
    "POST /inbox/preferences/": "PUT /api/v1/alert-preferences/",
    "POST /inbox/read-all/": "POST /api/v1/inbox/read-all/",
    "POST /inbox/{pk}/read/": "POST /api/v1/inbox/{pk}/read/",
    "POST /alerts/deliveries/{pk}/retry/": "POST /api/v1/deliveries/{pk}/retry/",
    "POST /organizations/{pk}/webhooks/": "POST /api/v1/organizations/{pk}/webhooks/",
    # Preparedness
    "POST /drills/new/": "POST /api/v1/drills/",
    "POST /drills/{pk}/injects/": "POST /api/v1/drills/{pk}/injects/",
    "POST /drills/{pk}/run/": "POST /api/v1/drills/{pk}/run/",
    "POST /drills/{pk}/end/": "POST /api/v1/drills/{pk}/end/",
    "POST /drills/{pk}/close/": "POST /api/v1/drills/{pk}/close/",
    "POST /drills/{pk}/objectives/{objective_id}/review/": (
        "POST /api/v1/drills/{pk}/objectives/{objective_id}/review/"
    ),
    "POST /followups/{pk}/complete/": "POST /api/v1/followups/{pk}/complete/",
    "POST /followups/{pk}/carry-over/": "POST /api/v1/followups/{pk}/carry-over/",
    "POST /meetings/new/": "POST /api/v1/meetings/",
    "POST /meetings/{pk}/minutes/": "POST /api/v1/meetings/{pk}/minutes/",
    "POST /meetings/{pk}/decisions/": "POST /api/v1/meetings/{pk}/decisions/",
    "POST /meetings/{pk}/attachments/": "POST /api/v1/meetings/{pk}/attachments/",
    # Liaison
    "POST /directory/edit/": "POST /api/v1/responsibilities/",
    "POST /notices/new/": "POST /api/v1/notices/",
    "POST /notices/{pk}/read/": "POST /api/v1/notices/{pk}/read/",
    "POST /notices/{pk}/acknowledge/": "POST /api/v1/notices/{pk}/acknowledge/",
    "POST /field-reports/new/": "POST /api/v1/field-reports/",
    "POST /field-reports/{pk}/acknowledge/": "POST /api/v1/field-reports/{pk}/acknowledge/",
    "POST /field-reports/{pk}/confirm/": "POST /api/v1/field-reports/{pk}/confirm/",
    "POST /field-reports/{pk}/dismiss/": "POST /api/v1/field-reports/{pk}/dismiss/",
    "POST /community/needs/new/": "POST /api/v1/community-needs/",
    "POST /community/needs/{pk}/confirm/": "POST /api/v1/community-needs/{pk}/confirm/",
    "POST /community/projects/new/": "POST /api/v1/community-projects/",
    "POST /community/projects/{pk}/needs/": "POST /api/v1/community-projects/{pk}/needs/",
    "POST /community/projects/{pk}/pledges/": "POST /api/v1/community-projects/{pk}/pledges/",
    "POST /check-ins/{pk}/": "POST /api/v1/check-ins/",
}

# Where a page's ids are not its API twin's.
PAGE_TARGETS = {
    "POST /incidents/{pk}/deployments/new/": _pk("incident"),
    "POST /incidents/{pk}/tasks/new/": _pk("incident"),
    "POST /organizations/{pk}/capabilities/{capability_id}/": lambda w: {
        "pk": w.ngo.pk,
        "capability_id": w.capability.pk,
    },
    "POST /capabilities/{capability_id}/assess/": lambda w: {"capability_id": w.capability.pk},
    "POST /capabilities/{capability_id}/revoke/": lambda w: {"capability_id": w.capability.pk},
    "POST /ledger/organizations/{org_id}/ receipt": lambda w: {"org_id": w.ngo.pk},
    "POST /ledger/organizations/{org_id}/ allocation": lambda w: {"org_id": w.ngo.pk},
    "POST /ledger/organizations/{org_id}/ disbursement": lambda w: {"org_id": w.ngo.pk},
    "POST /ledger/entries/{pk}/reverse/": lambda w: {"pk": w.receipt.pk},
    "POST /ledger/entries/{pk}/reveal/": lambda w: {"pk": w.receipt.pk},
    "POST /ledger/entries/{pk}/change-of-use/new/": lambda w: {"pk": w.receipt.pk},
    "POST /ledger/entries/{pk}/acknowledge/": lambda w: {"pk": w.allocation.pk},
    "POST /ledger/entries/{pk}/questions/new/": lambda w: {"pk": w.receipt.pk},
    "POST /ledger/organizations/{org_id}/receivers/": lambda w: {"org_id": w.ngo.pk},
    "POST /ledger/receipts/{trace_code}/send/": lambda w: {"trace_code": w.receipt.trace_code},
    "POST /ledger/shortfalls/{pk}/": lambda w: {"pk": w.short.pk},
    "POST /alerts/deliveries/{pk}/retry/": _pk("failed_delivery"),
    "POST /check-ins/{pk}/": _pk("approved_deployment"),
    "POST /organizations/{pk}/insurance/": _pk("ngo"),
}


def _prefixed(prefix: str, form: str, body: dict) -> dict:
    return {"form": form, **{f"{prefix}-{k}": v for k, v in body.items()}}


LOCAL = (timezone.localtime() + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")


def _formset(prefix: str, rows: list[dict]) -> dict:
    body = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": 0}
    for i, row in enumerate(rows):
        body |= {f"{prefix}-{i}-{k}": v for k, v in row.items()}
    return body


def _project_form(w) -> dict:
    """The plan form: the API's create body, its deadline as the browser sends it, no rows."""
    return {
        **BODIES["POST /api/v1/procurements/"](w),
        "evaluation_method": "comprehensive",
        "tender_end": LOCAL,
        **_formset("standards", []),
        **_formset("criteria", []),
    }


def _score_sheet(w) -> dict:
    """Every cell of the evaluating project's sheet (each valid bid x each non-price factor)."""
    body = {"declaration": "on"}
    for bid in Bid.objects.filter(project=w.evaluating, status="submitted"):
        for c in Criterion.objects.filter(project=w.evaluating).exclude(kind="price"):
            body[f"s_{bid.pk}_{c.pk}"] = "1"
    return body


# Form bodies: the API twin's body where the field names agree, a form's own fields otherwise.
PAGE_BODIES = {
    "POST /hubs/teams/new/": lambda w: BODIES["POST /api/v1/vouched-teams/"](w),
    "POST /hubs/teams/{pk}/": lambda w: {"name": "王五"},
    "POST /hubs/links/new/": lambda w: BODIES["POST /api/v1/hub-links/"](w),
    "POST /organizations/{pk}/hub/": lambda w: {"is_hub": "1"},
    "POST /volunteers/new/": lambda w: BODIES["POST /api/v1/volunteers/"](w),
    "POST /volunteers/{pk}/verify/": lambda w: {"code": "000000"},
    "POST /volunteer-calls/new/": lambda w: BODIES["POST /api/v1/volunteer-calls/"](w),
    "POST /volunteer-calls/{pk}/code/": lambda w: {"phone": "13900000009"},
    "POST /volunteer-calls/{pk}/confirm/": lambda w: {"phone": "13900000009", "code": "123456"},
    "POST /volunteer-calls/{pk}/sign_up/": lambda w: {"volunteer": w.volunteer.pk},
    "POST /directory/edit/": BODIES["POST /api/v1/responsibilities/"],
    "POST /notices/new/": lambda w: {**BODIES["POST /api/v1/notices/"](w), "kind": "notice"},
    "POST /field-reports/new/": lambda w: {
        **BODIES["POST /api/v1/field-reports/"](w),
        "urgency": "normal",
    },
    "POST /field-reports/{pk}/dismiss/": BODIES["POST /api/v1/field-reports/{pk}/dismiss/"],
    "POST /community/needs/new/": lambda w: {
        **BODIES["POST /api/v1/community-needs/"](w),
        "urgency": "normal",
    },
    "POST /community/projects/new/": BODIES["POST /api/v1/community-projects/"],
    "POST /community/projects/{pk}/needs/": BODIES["POST /api/v1/community-projects/{pk}/needs/"],
    "POST /community/projects/{pk}/pledges/": lambda w: {"amount": "100"},
    "POST /check-ins/{pk}/": lambda w: {"safe": "1"},
    "POST /organizations/{pk}/insurance/": BODIES["POST /api/v1/insurance-policies/"],
    "POST /compensation/new/": lambda w: {
        **BODIES["POST /api/v1/compensation-claims/"](w),
        "basis": f"deployment:{w.approved_deployment.pk}",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    },
    "POST /compensation/{pk}/approve/": BODIES["POST /api/v1/compensation-claims/{pk}/approve/"],
    "POST /compensation/{pk}/reject/": BODIES["POST /api/v1/compensation-claims/{pk}/reject/"],
    "POST /compensation/{pk}/settle/": BODIES["POST /api/v1/compensation-claims/{pk}/settle/"],
    "POST /ledger/entries/{pk}/change-of-use/new/": lambda w: {
        "purpose": "灾后重建",
        "filing_reference": "川民备〔2025〕1号",
    },
    "POST /organizations/{pk}/edit/": lambda w: {
        "name": w.ngo.name,
        "address": "芦山县城",
        "contact_name": "李队长",
        "contact_phone": "13900002222",
        "region_code": w.ngo.region_code,
    },
    "POST /organizations/{pk}/capabilities/new/": lambda w: {
        "specialty": "water_rescue",
        "declared_grade": 3,
        "mobility_range": "local",
    },
    "POST /organizations/{pk}/capabilities/{capability_id}/": lambda w: {
        "specialty": "building_collapse",
        "declared_grade": 2,
        "mobility_range": "local",
    },
    "POST /organizations/{pk}/members/": lambda w: {
        "username": w.other_ngo_admin.username,
        "role": "member",
    },
    "POST /organizations/{pk}/documents/": lambda w: {
        "file": SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
        "kind": "contingency_plan",
    },
    "POST /organizations/{pk}/decide/": lambda w: {"decision": "verified"},
    "POST /organizations/{pk}/suspend/": lambda w: {"reason": "年检不合格"},
    "POST /capabilities/{capability_id}/assess/": lambda w: {"grade": 2, "score": "85"},
    "POST /capabilities/{capability_id}/revoke/": lambda w: {"reason": "测评过期"},
    "POST /people/": lambda w: {
        "name": "李四",
        "social_worker_level": "none",
        "availability": "available",
        "organization": w.ngo.pk,
    },
    "POST /people/{pk}/": lambda w: {
        "name": "张三",
        "social_worker_level": "none",
        "availability": "available",
        "skills_text": "绳索救援",
    },
    "POST /invitations/": lambda w: {"invitation": w.invitation.pk, "answer": "accept"},
    "POST /incidents/new/": lambda w: {
        **BODIES["POST /api/v1/incidents/"](w),
        "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    },
    "POST /incidents/{pk}/status/": BODIES["POST /api/v1/incidents/{pk}/status/"],
    "POST /incidents/{pk}/capacity/": BODIES["POST /api/v1/incidents/{pk}/capacity/"],
    "POST /incidents/{pk}/needs/new/": lambda w: {
        **BODIES["POST /api/v1/incidents/{pk}/needs/"](w),
        "urgency": "normal",
    },
    "POST /incidents/{pk}/deployments/new/": lambda w: {
        **BODIES["POST /api/v1/deployments/"](w),
        "arrival_at": LOCAL,
        "vehicles": 0,
        "self_sufficiency_days": 3,
    },
    "POST /incidents/{pk}/tasks/new/": lambda w: {
        **BODIES["POST /api/v1/tasks/"](w),
        "priority": "normal",
        "quantity_committed": 0,
    },
    "POST /deployments/{pk}/hold/": BODIES["POST /api/v1/deployments/{pk}/hold/"],
    "POST /tasks/{pk}/report/": lambda w: {
        **BODIES["POST /api/v1/tasks/{pk}/report/"](w),
        "quantity_delivered": 0,
    },
    "POST /tasks/{pk}/assign/": BODIES["POST /api/v1/tasks/{pk}/assign/"],
    "POST /tasks/{pk}/decline/": BODIES["POST /api/v1/tasks/{pk}/decline/"],
    "POST /tasks/{pk}/verify/": lambda w: {"accepted": "yes"},
    "POST /tasks/{pk}/cancel/": BODIES["POST /api/v1/tasks/{pk}/cancel/"],
    "POST /procurements/new/": lambda w: _project_form(w),
    "POST /procurements/{pk}/edit/": lambda w: _project_form(w),
    "POST /procurements/{pk}/panel/": lambda w: {"size": 3},
    "POST /procurements/{pk}/award/": lambda w: {"bid": _ngo_bid(w.evaluating), "reason": ""},
    "POST /procurements/{pk}/cancel/": BODIES["POST /api/v1/procurements/{pk}/cancel/"],
    "POST /procurements/{pk}/retender/": lambda w: {"tender_end": LOCAL},
    "POST /procurements/{pk}/terminate/": BODIES["POST /api/v1/procurements/{pk}/terminate/"],
    "POST /procurements/{pk}/bid/": BODIES["POST /api/v1/procurements/{pk}/bids/"],
    "POST /procurements/{pk}/challenge/": BODIES["POST /api/v1/procurements/{pk}/challenges/"],
    "POST /procurements/{pk}/contract/": lambda w: _formset(
        "milestones", [{"title": "全部", "due_at": LOCAL, "payment_percent": "100"}]
    ),
    "POST /procurements/{pk}/score/": lambda w: _score_sheet(w),
    "POST /procurement-challenges/{pk}/resolve/": BODIES["POST /api/v1/challenges/{pk}/resolve/"],
    "POST /procurement-clawbacks/{pk}/recover/": BODIES["POST /api/v1/clawbacks/{pk}/recover/"],
    "POST /procurement-clawbacks/{pk}/write-off/": BODIES["POST /api/v1/clawbacks/{pk}/write-off/"],
    "POST /procurement-suppliers/{pk}/lift/": BODIES["POST /api/v1/debarments/{pk}/lift/"],
    "POST /procurements/{pk}/invite/": BODIES["POST /api/v1/procurements/{pk}/invite/"],
    "POST /procurements/{pk}/review/": BODIES["POST /api/v1/procurements/{pk}/review/"],
    "POST /milestones/{pk}/report/": lambda w: {"summary": "已完成"},
    "POST /milestones/{pk}/inspect/": BODIES["POST /api/v1/milestones/{pk}/inspect/"],
    "POST /milestones/{pk}/accept/": lambda w: {"recipients": "居民甲"},
    "POST /milestones/{pk}/assign-evaluator/": lambda w: {"organization": w.evaluator.pk},
    "POST /c/{token}/": lambda w: {"answer": "confirmed"},
    "POST /ledger/organizations/{org_id}/ receipt": lambda w: _prefixed(
        "r",
        "receipt",
        {
            "donor_name": "张三",
            "donor_kind": "individual",
            "channel": "bank_transfer",
            "amount": "100.00",
        },
    ),
    "POST /ledger/organizations/{org_id}/ allocation": lambda w: _prefixed(
        "a", "allocation", {"to_organization": w.other_ngo.pk, "amount": "10.00"}
    ),
    "POST /ledger/organizations/{org_id}/ disbursement": lambda w: _prefixed(
        "d",
        "disbursement",
        {"amount": "10.00", "purpose": "饮用水", "incident": w.incident.pk},
    ),
    "POST /ledger/entries/{pk}/reverse/": BODIES["POST /api/v1/ledger/entries/{pk}/reverse/"],
    "POST /ledger/entries/{pk}/acknowledge/": lambda w: {"amount": "2000.00"},
    "POST /ledger/entries/{pk}/questions/new/": lambda w: {"text": "这笔钱用在哪里？"},
    "POST /ledger/questions/{pk}/answer/": lambda w: {"answer": "用于购买饮用水。"},
    "POST /ledger/organizations/{org_id}/receivers/": lambda w: {
        "receiver_name": "芦山县人民医院",
        "receiver_kind": "public_institution",
        "region_code": "511826",
        "purpose": "医院防疫",
        "items": "N95口罩 | 盒 | 5",
    },
    "POST /ledger/receive/{token}/": lambda w: {
        "q0": "10",
        "note0": "",
        "signer_name": "李秀英",
        "signer_role": "药剂科主任",
    },
    "POST /ledger/receipts/{trace_code}/send/": lambda w: {
        "consent": "on",
        "email": "d@example.cn",
    },
    "POST /ledger/shortfalls/{pk}/": lambda w: {"outcome": "replaced", "org": w.ngo.pk},
    "POST /inbox/preferences/": lambda w: {"email": "on", "phone": ""},
    "POST /drills/new/": lambda w: {
        **BODIES["POST /api/v1/drills/"](w),
        "starts_at": LOCAL,
        "objectives": "转移群众",
    },
    "POST /drills/{pk}/injects/": lambda w: {"deliver_at": LOCAL, "title": "余震"},
    "POST /drills/{pk}/objectives/{objective_id}/review/": lambda w: {"worked": "通信畅通"},
    "POST /followups/{pk}/carry-over/": BODIES["POST /api/v1/followups/{pk}/carry-over/"],
    "POST /meetings/new/": lambda w: {
        **BODIES["POST /api/v1/meetings/"](w),
        "held_at": LOCAL,
    },
    "POST /meetings/{pk}/minutes/": lambda w: {"minutes": "会议纪要"},
    "POST /meetings/{pk}/decisions/": BODIES["POST /api/v1/meetings/{pk}/decisions/"],
    "POST /meetings/{pk}/attachments/": lambda w: {
        "file": SimpleUploadedFile("minutes.pdf", PDF, content_type="application/pdf"),
        "name": "会议纪要扫描件",
    },
    "POST /alerts/new/": lambda w: {
        "title": "芦山县暴雨预警",
        "body": "请注意防范",
        "level": "blue",
        "regions": "511826",
        "channels": ["in_app"],
    },
}


def page_routes() -> set[str]:
    """Every page route (outside the API, admin and accounts) whose view accepts POST."""
    found = set()
    for route, callback in _routes(get_resolver().url_patterns):
        path = normalize(route)
        if path.startswith(PAGE_PREFIXES_OUT) or path in PAGES_IN_MATRIX:
            continue
        if "post" in view_write_methods(callback):
            found.add(path)
    return found


def route_of(page_key: str) -> str:
    """``POST /tasks/{pk}/claim/`` -> ``/tasks/{pk}/{action}/`` (the route it is sent to)."""
    path = page_key.split(" ")[1]
    routes = page_routes()
    if path in routes:
        return path
    for route in routes:
        pattern = re.escape(route).replace(r"\{action\}", r"[\w-]+")
        pattern = re.sub(r"\\\{\w+\\\}", r"\\{\\w+\\}", pattern)
        if re.fullmatch(pattern, path):
            return route
    raise AssertionError(f"{page_key} matches no page route")


def test_every_page_form_is_in_the_page_matrix():
    covered = {route_of(key) for key in PAGE_MATRIX} | set(READ_ONLY_PAGES)
    missing = sorted(page_routes() - covered)
    assert not missing, "Page routes taking POST, in neither PAGE_MATRIX nor READ_ONLY_PAGES:\n" + (
        "\n".join(missing)
    )
    stale = sorted(set(READ_ONLY_PAGES) - page_routes())
    assert not stale, stale


def test_every_page_row_names_its_api_twin_and_every_role():
    assert set(PAGE_API) == set(PAGE_MATRIX)
    assert all(api_key in MATRIX for api_key in PAGE_API.values())
    assert all(len(row) == len(ROLES) for row in PAGE_MATRIX.values())


def _page_refuses(code) -> bool:
    return code in (IN, 403, 404, NO)


def _api_refuses(status: int) -> bool:
    return status in (401, 403, 404)


def test_pages_refuse_exactly_when_the_api_refuses():
    differ = [
        f"{key} [{role}]: page {page_row[i]!r}, API {MATRIX[PAGE_API[key]][i]}"
        for key, page_row in PAGE_MATRIX.items()
        for i, role in enumerate(ROLES)
        if _page_refuses(page_row[i]) != _api_refuses(MATRIX[PAGE_API[key]][i])
    ]
    assert not differ, "\n".join(differ)


def _api_target(api_key: str):
    segment = api_key.split(" ", 1)[1].removeprefix("/api/v1/").split("/")[0]
    return TARGETS.get(api_key) or DEFAULT_TARGETS[segment]


def page_url_for(key: str, w) -> str:
    path = key.split(" ")[1]
    if "{" not in path:
        return path
    return path.format(**(PAGE_TARGETS.get(key) or _api_target(PAGE_API[key]))(w))


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _send_api(key: str, role: str, w):
    method = key.split(" ", 1)[0]
    path = url_for(key, w)
    body = BODIES[key](w) if key in BODIES else {}
    multipart = any(hasattr(value, "read") for value in body.values())
    client = client_as(role, w, path)
    with rolled_back():
        return getattr(client, method.lower())(
            path, body, format="multipart" if multipart else "json"
        )


def _send_page(key: str, role: str, w):
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(w, role))
    body = PAGE_BODIES[key](w) if key in PAGE_BODIES else {}
    with rolled_back():
        return client.post(page_url_for(key, w), body)


def _page_errors(response) -> list[str]:
    errors = []
    for message in get_messages(response.wsgi_request):
        if message.level == constants.ERROR:
            refused = REFUSED_TAG in message.extra_tags.split()
            errors.append(("refused " if refused else "") + str(message))
    for context in response.context or []:
        for layer in context.dicts:
            for value in layer.values():
                if isinstance(value, BaseForm) and value.is_bound and value.errors:
                    errors += [str(e) for errs in value.errors.values() for e in errs]
    return errors


def page_outcome(response):
    """The page's answer in PAGE_MATRIX's terms ("no": a message tagged ``REFUSED_TAG``, the
    service's PermissionDenied)."""
    if response.status_code == 302 and response.url.startswith(resolve_url(settings.LOGIN_URL)):
        return IN
    if response.status_code in (403, 404):
        return response.status_code
    errors = _page_errors(response)
    if errors:
        return NO if any(e.startswith("refused ") for e in errors) else BAD
    return OK if response.status_code == 302 else response.status_code


_PAGE_KEYS = sorted(PAGE_API) if os.environ.get("PAGE_MATRIX_RECORD") else sorted(PAGE_MATRIX)
PAGE_CASES = [(key, role) for key in _PAGE_KEYS for role in ROLES]


@pytest.mark.parametrize(("key", "role"), PAGE_CASES, ids=[f"{k} [{r}]" for k, r in PAGE_CASES])
def test_the_page_matrix(world, db, key, role):
    """The page answers its row (``test_pages_refuse_exactly_when_the_api_refuses`` holds the rows
    to the API's)."""
    got = page_outcome(_send_page(key, role, world))
    record = os.environ.get("PAGE_MATRIX_RECORD")
    if record:
        api_status = _send_api(PAGE_API[key], role, world).status_code
        with open(record, "a", encoding="utf-8") as out:
            out.write(f"{key}\t{role}\t{got!r}\tAPI {api_status}\n")
        return
    assert got == PAGE_MATRIX[key][ROLES.index(role)], got
