"""Every write of the registry: one function per business action, by sub-domain.

Each runs in one transaction, checks the actor's permission and the state table, writes the audit
trail (core.audit.record) and tells the organization's admins through core.notifications.notify
(the alerts app's outbox writer, reached through a hook: registry sits left of alerts).

- ``organizations``: registration, profile, verification, suspension.
- ``members``: invitations (invite, accept, decline, cancel), members' roles, removal.
- ``documents``: uploads and who may read them.
- ``capabilities``: declaration, assessment, revocation.
- ``people``: the talent pool.
- ``hubs``: hub designation, hub membership by consent, teams vouched for by a hub.
"""

from registry.actions import may_assess
from registry.models import CAPABILITY_FIELDS, PROFILE_FIELDS
from registry.services.capabilities import (
    assess,
    declare_capability,
    revoke,
    update_capability,
)
from registry.services.common import (
    PERSON_FIELDS,
    validate_uscc_for,
)
from registry.services.documents import (
    can_read_private,
    upload_document,
)
from registry.services.hubs import (
    accept_hub_link,
    add_team_member,
    cancel_hub_link,
    decline_hub_link,
    designate_hub,
    end_hub_link,
    propose_hub_link,
    team_roster_refusal,
    vouch_team,
)
from registry.services.insurance import add_policy, remove_policy
from registry.services.members import (
    accept_invitation,
    cancel_invitation,
    decline_invitation,
    invite_member,
    remove_member,
    set_member_role,
)
from registry.services.organizations import (
    decide_verification,
    register_organization,
    registration_problems,
    reinstate,
    suspend,
    update_profile,
)
from registry.services.people import (
    add_person,
    remove_person,
    update_person,
)

__all__ = [
    "team_roster_refusal",
    "accept_hub_link",
    "add_team_member",
    "cancel_hub_link",
    "decline_hub_link",
    "designate_hub",
    "end_hub_link",
    "propose_hub_link",
    "vouch_team",
    "CAPABILITY_FIELDS",
    "PERSON_FIELDS",
    "PROFILE_FIELDS",
    "accept_invitation",
    "add_person",
    "add_policy",
    "assess",
    "can_read_private",
    "cancel_invitation",
    "decide_verification",
    "decline_invitation",
    "declare_capability",
    "invite_member",
    "may_assess",
    "register_organization",
    "registration_problems",
    "reinstate",
    "remove_member",
    "remove_person",
    "remove_policy",
    "revoke",
    "set_member_role",
    "suspend",
    "update_capability",
    "update_person",
    "update_profile",
    "upload_document",
    "validate_uscc_for",
]
