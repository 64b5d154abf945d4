"""Tender eligibility by disaster phase (docs/procurement.md, "Phases").

A project tied to an incident buys for the incident's current phase (coordination
``Incident.PHASES``: response, transitional resettlement, reconstruction ...). A supplier bids
only with a capability that serves that phase (``registry.queries.phase_covered``: a capability
declaring no phase serves all):

- a project with an eligibility specialty: the supplier's current capability in that specialty
  must serve the phase;
- a project without one: a supplier that declared capabilities needs one serving the phase; a
  supplier with none (a goods supplier) is judged by the other rules alone.

Kept apart from the other eligibility rules (``procurement.services.bids.can_bid`` calls it
beside them) so each rule reads and changes alone.
"""

from django.utils.translation import gettext as _

from procurement.models import Project
from registry.models import Capability, Organization, Phase
from registry.queries import phase_covered


def project_phase(project: Project) -> str:
    """The registry Phase the project buys for: its incident's, or "" (no incident, closed)."""
    incident = project.incident
    return incident.phase if incident is not None else ""


def phase_ineligibility(project: Project, organization: Organization) -> str:
    """Why ``organization`` may not bid on ``project`` for the phase ("" when it may)."""
    phase = project_phase(project)
    if not phase:
        return ""
    capabilities = Capability.objects.filter(organization=organization)
    if project.eligibility_specialty:
        capabilities = capabilities.current().filter(specialty=project.eligibility_specialty)
    declared = list(capabilities.values_list("phases", flat=True))
    if not declared and not project.eligibility_specialty:
        return ""
    if any(phase_covered(phases, phase) for phases in declared):
        return ""
    return _(
        "This tender buys for the %(phase)s phase; your organization has no capability serving it."
    ) % {"phase": Phase(phase).label}
