"""Routine (no incident) community needs and the projects that address them: the Ya'an
platform's social-needs database and project database (docs/coordination.md, "Routine needs and
projects").

A separate app above coordination rather than a nullable ``coordination.Need.incident``: every
incident-need code path (tasks, the 3W, the map, the incident's gap chart, exports) assumes a
need has an incident, and keeps doing so untouched."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordination.models import NeedBase, NeedCategory, posting_organization


class RoutineNeed(NeedBase):
    """A community need posted outside any incident. An official's need counts at once; a
    verified organization's waits for an official of the region to confirm it. Its fields, and
    the posting rule, are an incident need's (``coordination.models.NeedBase``) without the
    incident."""

    posted_by_organization = posting_organization("routine_needs")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("community need")
        verbose_name_plural = _("community needs")


class Project(models.Model):
    """An organization's own project (the project database), addressing routine needs."""

    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="community_projects",
        verbose_name=_("organization"),
    )
    title = models.CharField(_("title"), max_length=200)
    region_code = models.CharField(_("area"), max_length=6, db_index=True)
    category = models.CharField(_("category"), max_length=16, choices=NeedCategory.choices)
    budget_sought = models.DecimalField(_("budget sought"), max_digits=14, decimal_places=2)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"))
    beneficiaries = models.CharField(_("beneficiaries"), max_length=200)
    needs = models.ManyToManyField(
        RoutineNeed, through="ProjectNeed", related_name="projects", verbose_name=_("needs")
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="community_project_period",
            ),
            models.CheckConstraint(
                condition=models.Q(budget_sought__gt=0), name="community_project_budget"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> tuple[int | None, str]:
        return self.organization_id, self.region_code


class ProjectNeed(models.Model):
    """A project addresses a need for ``quantity`` of its units (what the gap chart counts as
    covered)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="links")
    need = models.ForeignKey(RoutineNeed, on_delete=models.PROTECT, related_name="links")
    quantity = models.PositiveIntegerField(_("quantity covered"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("need addressed")
        verbose_name_plural = _("needs addressed")
        constraints = [
            models.UniqueConstraint(fields=["project", "need"], name="community_project_need_once")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} -> {self.need_id}: {self.quantity}"


class Pledge(models.Model):
    """A funder's pledge to a project. Not a ledger entry: the donation ledger records money
    when it is received."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="pledges")
    funder = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="community_pledges",
        verbose_name=_("funder"),
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=500, blank=True)
    pledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="community_pledge_amount")
        ]

    def __str__(self) -> str:
        return f"{self.funder_id} -> {self.project_id}: {self.amount}"

    def audit_scope(self) -> tuple[int | None, str]:
        return self.funder_id, self.project.region_code
