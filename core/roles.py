"""Membership roles, shared by every app (the membership itself lives in registry)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Organization admin")
    MEMBER = "member", _("Member")
    OFFICIAL = "official", _("Official")
    EXPERT = "expert", _("Expert")


# The roles that may act for an organization (file, claim, bid, record donations ...). Officials
# act for their agency through their jurisdiction, experts only score: neither is among them.
ACTING_ROLES = (Role.ADMIN, Role.MEMBER)
