"""Words for what the inspection and the evidence checks store as codes (the milestone page)."""

from django.utils.translation import gettext_lazy as _

from procurement.acceptance import Gap, share_text
from procurement.models import DIRECTION_SIGNS, Verification
from procurement.photos import Flag

EVIDENCE_FLAGS = {
    Flag.NO_TIME: _("No camera time in the photo"),
    Flag.OUTSIDE_WINDOW: _("Taken outside the declared service window"),
    Flag.CLOCK_DIFFERS: _("Camera time differs from the time given"),
    Flag.NO_POSITION: _("No GPS position in the photo"),
    Flag.FAR_FROM_SITE: _("Taken away from the declared service site"),
}

GAPS = {
    Gap.REPORTED_DIFFERS: _("The supplier reported another figure"),
    Gap.FEW_CONFIRMATIONS: _("Too few sampled recipients confirmed"),
    Gap.DENIED: _("A sampled recipient denied being served"),
}


def inspection_row(result: dict) -> dict:
    """One stored result row (``procurement.acceptance.judge``) as the page shows it."""
    return {
        **result,
        "sign": DIRECTION_SIGNS.get(result.get("direction"), "≥"),
        "sampled": result.get("verification") == Verification.BENEFICIARY_SAMPLING,
        "share": share_text(result.get("confirmed_share")),
        "gap_labels": [GAPS.get(code, code) for code in result.get("gaps", [])],
    }
