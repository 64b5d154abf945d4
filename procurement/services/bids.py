"""Sealed bids: submit or edit until the deadline, withdraw before it. A bid carries its price,
a text proposal and the files of its technical proposal (``BidDocument``)."""

import hashlib
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from core import states
from core.states import InvalidTransition
from core.uploads import sniff_content_type
from procurement.debarment import debarment
from procurement.models import INVITATION_METHODS, Bid, BidDocument, Project
from procurement.phases import phase_ineligibility
from procurement.services.common import record
from registry.models import Organization
from registry.queries import acting_organization, is_eligible


def _require_open(project: Project) -> None:
    if project.status != Project.Status.TENDERING or not project.is_sealed:
        raise InvalidTransition(_("The tender is not open for bids."))


def can_bid(project: Project, organization: Organization) -> bool:
    if not is_eligible(
        organization,
        specialty=project.eligibility_specialty or None,
        min_grade=project.eligibility_min_grade,
    ):
        return False
    if phase_ineligibility(project, organization):
        return False
    if project.method in INVITATION_METHODS:
        return project.invitees.filter(pk=organization.pk).exists()
    return True


OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
LEGACY_OFFICE = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}


def sniff_bid_file(upload: UploadedFile) -> str | None:
    """The type a proposal file's bytes prove: PDF, JPEG, PNG (``core.uploads``), an Office Open
    XML document (a zip holding ``[Content_Types].xml`` and ``word/``, ``xl/`` or ``ppt/``) or a
    legacy Office file (the OLE2 signature; which of doc, xls, ppt is told by the name, the
    container being the same). Anything else: None."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    known = sniff_content_type(head)
    if known:
        return known
    if head.startswith(OLE2):
        return LEGACY_OFFICE.get(PurePath(upload.name or "").suffix.lower())
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            for folder, content_type in OOXML.items():
                if any(n.startswith(folder) for n in names):
                    return content_type
    return None


def check_bid_files(files: Sequence[UploadedFile], field: str = "documents") -> list[str]:
    """The content type of each file, or a field-level ValidationError naming the file: too many
    files, a file over ``PROCUREMENT_BID_FILE_MAX_BYTES``, or a type that is not accepted."""
    errors = []
    if len(files) > settings.PROCUREMENT_BID_FILES_MAX:
        errors.append(
            _("At most %(n)s files may be attached to a bid.")
            % {"n": settings.PROCUREMENT_BID_FILES_MAX}
        )
    types = []
    limit = settings.PROCUREMENT_BID_FILE_MAX_BYTES
    for upload in files:
        if upload.size > limit:
            errors.append(
                _("%(name)s is larger than the limit of %(mb)s MB.")
                % {"name": upload.name, "mb": round(limit / (1024 * 1024), 1)}
            )
            continue
        content_type = sniff_bid_file(upload)
        if content_type is None:
            errors.append(
                _("%(name)s is not a PDF, an image (JPEG, PNG) or an Office document.")
                % {"name": upload.name}
            )
        types.append(content_type)
    if errors:
        raise ValidationError({field: errors})
    return types


def _store_documents(bid: Bid, files: Sequence[UploadedFile], types: list[str], by: Any) -> None:
    """Replace the bid's files by these. The old rows go now; their stored files once the
    transaction commits (a rollback leaves the old bid whole)."""
    old = list(bid.documents.all())
    if old:
        storage = old[0].file.storage
        names = [d.file.name for d in old]
        bid.documents.all().delete()
        transaction.on_commit(lambda: [storage.delete(n) for n in names])
    for upload, content_type in zip(files, types, strict=True):
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        doc = BidDocument(
            bid=bid,
            original_name=PurePath(upload.name or "file").name[:255],
            content_type=content_type,
            sha256=digest.hexdigest(),
            size=upload.size,
            uploaded_by=by,
        )
        doc.file.save("bid", upload, save=False)
        doc.save()


@transaction.atomic
def submit_bid(
    *,
    project: Project,
    by: Any,
    organization: int | str | Organization | None = None,
    price: Decimal,
    proposal: str,
    team_size: int = 0,
    documents: Sequence[UploadedFile] | None = None,
) -> Bid:
    """An admin or member of an eligible organization (an invitee where the method requires)
    that is not debarred (``procurement.debarment``: 403 with the reason) submits its one bid,
    or edits it, while the tender is open. The bidder is ``acting_organization``'s answer: the
    verified organization named, or the user's only one.

    ``documents``, the proposal files, are replaced with the bid: files sent replace all the
    earlier ones; none sent (None or empty) keeps them, so that a bidder correcting the price
    need not upload its proposal again. The files are checked after the permission and the
    deadline, so that a refused bidder learns nothing from their validation."""
    organization = acting_organization(by, organization)
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require_open(project)
    barred = debarment(organization)
    if barred.debarred:
        raise PermissionDenied(barred.reason)
    if not can_bid(project, organization):
        raise PermissionDenied(_("Your organization is not eligible for this tender."))
    if price <= 0:
        raise ValidationError({"price": [_("The price must be positive.")]})
    documents = list(documents or [])
    types = check_bid_files(documents)
    bid = Bid.objects.filter(project=project, organization=organization).first()
    # The audit trail never carries the sealed contents.
    if bid is None:
        bid = Bid.objects.create(
            project=project,
            organization=organization,
            price=price,
            proposal=proposal,
            team_size=team_size,
            submitted_by=by,
        )
        record(
            bid,
            by=by,
            project=project,
            organization_id=organization.pk,
            action="bid_submitted",
            to_status=bid.status,
        )
        if documents:
            _store_documents(bid, documents, types, by)
        return bid
    bid.project = project
    states.move(
        bid,
        Bid.Status.SUBMITTED,
        by=by,
        action="procurement.bid_updated",
        changes={"price": price, "proposal": proposal, "team_size": team_size, "submitted_by": by},
    )
    if documents:
        _store_documents(bid, documents, types, by)
    return bid


@transaction.atomic
def withdraw_bid(*, bid: Bid, by: Any) -> Bid:
    """The bidder withdraws its bid before the deadline."""
    bid = Bid.objects.select_for_update().select_related("project").get(pk=bid.pk)
    try:  # the bidder, whatever its status now: withdrawing is always its right
        acting_organization(by, bid.organization_id, verified=False)
    except PermissionDenied:
        raise PermissionDenied(_("You may only withdraw your own organization's bid.")) from None
    _require_open(bid.project)
    states.move(bid, Bid.Status.WITHDRAWN, by=by, action="procurement.bid_withdrawn")
    return bid
