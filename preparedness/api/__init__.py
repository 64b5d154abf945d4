"""The preparedness API under /api/v1/ (docs/preparedness.md, docs/API.md): drills, follow-up
items, joint meetings and the public yearly summary. Serializers validate shape; the services
decide. Modules by sub-domain: ``followups``, ``drills``, ``meetings``."""
