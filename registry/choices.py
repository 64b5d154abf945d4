"""Choices of the registry that other apps reuse (DOMAIN.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    SOCIAL_GROUP = "social_group", _("Social group (社会团体)")
    SOCIAL_SERVICE = "social_service", _("Social service organization (社会服务机构)")
    FOUNDATION = "foundation", _("Foundation (基金会)")
    VOLUNTEER_TEAM = "volunteer_team", _("Volunteer / social emergency team")
    ENTERPRISE = "enterprise", _("Enterprise")
    AGENCY = "agency", _("Government agency")
    # 事业单位 (hospitals, schools ...): end receivers of donated goods, usually without an
    # account on the platform (docs/DOMAIN.md, "Supervision and end receivers").
    PUBLIC_INSTITUTION = "public_institution", _("Public institution (事业单位)")
    # 第三方评估机构: inspects purchased services when a buyer assigns it (procurement).
    EVALUATOR = "evaluator", _("Third-party evaluator (第三方评估机构)")


class Specialty(models.TextChoices):
    BUILDING_COLLAPSE = "building_collapse", _("Building collapse search and rescue")
    MOUNTAIN_RESCUE = "mountain_rescue", _("Mountain search and rescue")
    WATER_RESCUE = "water_rescue", _("Water rescue")
    DIVING_RESCUE = "diving_rescue", _("Diving rescue")
    EMERGENCY_MEDICAL = "emergency_medical", _("Emergency medical care")
    HAZMAT = "hazmat", _("Hazardous materials response")
    LOGISTICS = "logistics", _("Transport and logistics")
    SHELTER_MANAGEMENT = "shelter_management", _("Shelter management")
    PSYCHOLOGICAL_SUPPORT = "psychological_support", _("Psychological support")
    SOCIAL_WORK = "social_work", _("Social work services")
    COMMUNICATIONS = "communications", _("Emergency communications")
    VOLUNTEER_COORDINATION = "volunteer_coordination", _("Volunteer coordination")


class Grade(models.IntegerChoices):
    """1 一级 is the highest; ``min_grade=N`` means grade N or better (assessed grade <= N)."""

    FIRST = 1, _("Grade 1 (highest)")
    SECOND = 2, _("Grade 2")
    THIRD = 3, _("Grade 3")


class SocialWorkerLevel(models.TextChoices):
    NONE = "none", _("None")
    ASSISTANT = "assistant", _("Assistant social worker (助理社会工作师)")
    INTERMEDIATE = "intermediate", _("Social worker (社会工作师)")
    SENIOR = "senior", _("Senior social worker (高级社会工作师)")


class PersonnelFunction(models.TextChoices):
    """The functions a capability counts its people by (``Capability.personnel`` keys)."""

    MANAGEMENT = "management", _("Management")
    SEARCH = "search", _("Search")
    RESCUE = "rescue", _("Rescue")
    LOGISTICS = "logistics", _("Logistics")
    MEDICAL = "medical", _("Medical")
    SAFETY_OFFICER = "safety_officer", _("Safety officer")
