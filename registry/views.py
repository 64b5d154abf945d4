"""Pages of the registry: directory, detail, registration, org admin and official pages."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core import formfields, hooks
from core import permissions as perms
from core.states import InvalidTransition
from registry import forms, queries, services
from registry.actions import CAPABILITY
from registry.api.views import document_response
from registry.models import Capability, Membership, Organization


def page_messages(errors) -> list[str]:
    """What a person reads for a service's errors: a credit-code error without the name of the
    check that failed (the API keeps it), any other error as it is."""
    out = []
    for error in errors:
        if isinstance(error, ValidationError) and error.params and "check" in error.params:
            out.append(str(error.params["message"]))
        elif isinstance(error, ValidationError):
            out.extend(error.messages)
        else:
            out.append(str(error))
    return out


def _apply_errors(form, error: ValidationError, rename: dict | None = None) -> None:
    """Put a service's ValidationError on the form's fields (unknown fields: the form)."""
    items = error.error_dict.items() if hasattr(error, "error_dict") else [(None, error.error_list)]
    for field, errors in items:
        target = (rename or {}).get(field, field)
        target = target if target in form.fields else None
        for msg in page_messages(errors):
            form.add_error(target, msg)


def organization_list(request):
    form = forms.DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    # Links from before the picker (?province=&city=&county=) still filter.
    legacy = [request.GET.get(k, "")[:6] for k in ("county", "city", "province")]
    region = filters.get("region") or next((c for c in legacy if c.isdigit()), "")
    qs = queries.directory(
        request.user,
        kind=filters.get("kind") or "",
        region=region,
        specialty=filters.get("specialty") or "",
        min_grade=filters.get("min_grade"),
        search=filters.get("q") or "",
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/organization_list.html",
        {"form": form, "page": page, "is_official": perms.is_official(request.user)},
    )


def organization_detail(request, pk: int):
    org = queries.organization_detail(request.user, pk)
    private = services.can_read_private(request.user, org) or perms.is_official(request.user)
    return render(
        request,
        "registry/organization_detail.html",
        {
            "org": org,
            "private": private,
            "is_admin": perms.is_org_admin(request.user, org),
            "is_official_for": perms.is_official_for(request.user, org.region_code),
            "track_record": hooks.collect("organization_track_record", org),
            "documents": list(org.documents.all())
            if services.can_read_private(request.user, org)
            else [],
        },
    )


def register(request):
    if request.method == "POST":
        form = forms.RegistrationForm(request.POST, request.FILES)
        if not form.is_valid():
            _add_registration_problems(form)
        else:
            d = form.cleaned_data
            docs = [("registration_certificate", d["certificate"])] if d.get("certificate") else []
            try:
                org = services.register_organization(
                    username=d["username"],
                    password=d["password"],
                    email=d["email"],
                    organization={k: d[k] for k in form.ORG_FIELDS},
                    documents=docs,
                )
            except ValidationError as error:
                _apply_errors(form, error, rename={"file": "certificate"})
            else:
                login(
                    request,
                    org.memberships.get().user,
                    backend="core.auth.RateLimitedModelBackend",
                )
                messages.success(
                    request, _("Registered. An official will verify your organization.")
                )
                return redirect("registry:organization_detail", pk=org.pk)
    else:
        form = forms.RegistrationForm()
    return render(
        request,
        "registry/form.html",
        {"form": form, "heading": _("Register an organization"), "multipart": True},
    )


def _add_registration_problems(form) -> None:
    """The service's reasons for the fields the form found well-formed, so that one submit shows
    every error (a taken username, a weak password, a bad credit code, an unknown region)."""
    data = form.cleaned_data
    problems = services.registration_problems(
        username=data.get("username"),
        password=data.get("password"),
        organization={k: data[k] for k in ("kind", "uscc", "region_code") if k in data},
    )
    for field, errors in problems.items():
        if field in form.fields and field not in form.errors:
            for message in page_messages(errors):
                form.add_error(field, message)


def _admin_org(request, pk: int) -> Organization:
    org = get_object_or_404(queries.visible_organizations(request.user), pk=pk)
    if not perms.is_org_admin(request.user, org):
        raise Http404
    return org


def _form_page(request, form, heading, org=None, multipart=False):
    return render(
        request,
        "registry/form.html",
        {"form": form, "heading": heading, "org": org, "multipart": multipart},
    )


@login_required
def edit_profile(request, pk: int):
    org = _admin_org(request, pk)
    form = forms.ProfileForm(request.POST or None, instance=Organization.objects.get(pk=org.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(organization=org, by=request.user, changes=form.changes())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:organization_detail", pk=org.pk)
    return _form_page(request, form, _("Edit profile"), org)


@login_required
def capability_form(request, pk: int, capability_id: int | None = None):
    org = _admin_org(request, pk)
    cap = (
        get_object_or_404(Capability, pk=capability_id, organization=org) if capability_id else None
    )
    form = forms.CapabilityForm(request.POST or None, instance=cap or Capability(organization=org))
    if request.method == "POST" and form.is_valid():
        try:
            values = form.values()
            if cap:
                services.update_capability(capability=cap, by=request.user, changes=values)
            else:
                services.declare_capability(
                    organization=org,
                    by=request.user,
                    specialty=form.cleaned_data["specialty"],
                    **values,
                )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:organization_detail", pk=org.pk)
    return _form_page(request, form, _("Declare a capability") if not cap else str(cap), org)


@login_required
def members(request, pk: int):
    """An org admin's members page: roles, removal, and invitations (a person joins only by
    accepting one)."""
    org = _admin_org(request, pk)
    form = forms.InviteMemberForm(request.POST or None)
    if request.method == "POST":
        try:
            if "remove" in request.POST:
                m = get_object_or_404(Membership, pk=request.POST["remove"], organization=org)
                services.remove_member(membership=m, by=request.user)
            elif "membership" in request.POST:
                m = get_object_or_404(Membership, pk=request.POST["membership"], organization=org)
                services.set_member_role(
                    membership=m, by=request.user, role=request.POST.get("role", "")
                )
            elif "cancel" in request.POST:
                invitation = get_object_or_404(
                    queries.invitations_of(org), pk=request.POST["cancel"]
                )
                services.cancel_invitation(invitation=invitation, by=request.user)
            elif form.is_valid():
                services.invite_member(organization=org, by=request.user, **form.cleaned_data)
            else:
                raise ValidationError({})
        except ValidationError as error:
            for msgs in error.message_dict.values():
                for msg in msgs:
                    messages.error(request, msg)
        except InvalidTransition as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:members", pk=org.pk)
    rows = org.memberships.select_related("user").order_by("id")
    return render(
        request,
        "registry/members.html",
        {
            "org": org,
            "form": form,
            "memberships": rows,
            "invitations": queries.invitations_of(org),
        },
    )


@login_required
def invitations(request):
    """The invitations waiting for the user's answer; accepting makes them a member."""
    if request.method == "POST":
        invitation = get_object_or_404(
            queries.pending_invitations(request.user), pk=request.POST.get("invitation") or 0
        )
        try:
            if request.POST.get("answer") == "accept":
                services.accept_invitation(invitation=invitation, by=request.user)
                messages.success(
                    request,
                    _("You are now a member of %(name)s.") % {"name": invitation.organization},
                )
            else:
                services.decline_invitation(invitation=invitation, by=request.user)
                messages.success(request, _("Invitation declined."))
        except ValidationError as error:
            for msgs in error.message_dict.values():
                for msg in msgs:
                    messages.error(request, msg)
        except InvalidTransition as error:
            messages.error(request, error.message)
        return redirect("registry:invitations")
    return render(
        request,
        "registry/invitations.html",
        {"invitations": queries.pending_invitations(request.user)},
    )


@login_required
def documents(request, pk: int):
    org = get_object_or_404(queries.visible_organizations(request.user), pk=pk)
    if not services.can_read_private(request.user, org):
        raise Http404
    form = forms.DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.upload_document(
                organization=org,
                by=request.user,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
            )
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                raise
            _apply_errors(form, error)
        else:
            messages.success(request, _("Uploaded."))
            return redirect("registry:documents", pk=org.pk)
    return render(
        request,
        "registry/documents.html",
        {
            "org": org,
            "form": form,
            "documents": org.documents.all(),
            "is_admin": perms.is_org_admin(request.user, org),
        },
    )


@login_required
def document_download(request, pk: int):
    return document_response(request.user, pk)


@login_required
def verification_queue(request):
    if not perms.is_official(request.user):
        raise PermissionDenied
    page = Paginator(queries.verification_queue(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "registry/verification_queue.html", {"page": page})


def _official_action(request, org, form, run, heading):
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        except InvalidTransition as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:organization_detail", pk=org.pk)
    return _form_page(request, form, heading, org)


def _own_person(request, pk: int):
    """A person of the talent pool the user may edit: 404 when the user cannot see them at all,
    403 when they can (an official of the region) but are not of the person's organization."""
    person = get_object_or_404(queries.visible_people(request.user), pk=pk)
    if not queries.may_act_for(request.user, person.organization, verified=False):
        raise PermissionDenied
    return person


@login_required
def person_edit(request, pk: int):
    """Edit a person of one's own talent pool (``services.update_person``, the page twin of
    ``PATCH /api/v1/people/{pk}/``); removing them is a button of its own (``person_remove``)."""
    person = _own_person(request, pk)
    form = forms.PersonForm(
        request.POST or None,
        instance=person,
        initial={"skills_text": ", ".join(person.skills)},
        organizations=(),
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(person=person, by=request.user, changes=form.values())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:people")
    return render(request, "registry/person_edit.html", {"person": person, "form": form})


@login_required
def person_remove(request, pk: int):
    """Remove a person from one's talent pool (``services.remove_person``; POST only)."""
    if request.method != "POST":
        return redirect("registry:person_edit", pk=pk)
    person = _own_person(request, pk)
    name = person.name
    services.remove_person(person=person, by=request.user)
    messages.success(request, _("%(name)s was removed from the talent pool.") % {"name": name})
    return redirect("registry:people")


@login_required
def decide(request, pk: int):
    org = get_object_or_404(queries.visible_organizations(request.user), pk=pk)
    if not perms.is_official_for(request.user, org.region_code):
        raise PermissionDenied
    form = forms.DecisionForm(request.POST or None)

    def run(d):
        services.decide_verification(
            organization=org, by=request.user, decision=d["decision"], reason=d["reason"]
        )

    return _official_action(request, org, form, run, _("Verification decision"))


@login_required
def suspend(request, pk: int):
    org = get_object_or_404(queries.visible_organizations(request.user), pk=pk)
    if not perms.is_official_for(request.user, org.region_code):
        raise PermissionDenied
    form = forms.ReasonForm(request.POST or None)
    if org.status == Organization.Status.SUSPENDED:
        return _official_action(
            request,
            org,
            form,
            lambda d: services.reinstate(organization=org, by=request.user, reason=d["reason"]),
            _("Reinstate"),
        )
    return _official_action(
        request,
        org,
        form,
        lambda d: services.suspend(organization=org, by=request.user, reason=d["reason"]),
        _("Suspend"),
    )


@login_required
def assess(request, capability_id: int):
    cap = get_object_or_404(Capability.objects.select_related("organization"), pk=capability_id)
    org = cap.organization
    CAPABILITY["assess"].who(request.user, cap)  # 403 before the form, as the service would
    form = forms.AssessmentForm(request.POST or None)

    def run(d):
        services.assess(
            capability=cap,
            by=request.user,
            **{k: v for k, v in d.items() if v not in (None, "") or k == "notes"},
        )

    return _official_action(request, org, form, run, _("Assessment (测评): %(cap)s") % {"cap": cap})


@login_required
def revoke(request, capability_id: int):
    cap = get_object_or_404(Capability.objects.select_related("organization"), pk=capability_id)
    CAPABILITY["revoke"].who(request.user, cap)
    form = forms.ReasonForm(request.POST or None)
    return _official_action(
        request,
        cap.organization,
        form,
        lambda d: services.revoke(capability=cap, by=request.user, reason=d["reason"]),
        _("Revoke (注销): %(cap)s") % {"cap": cap},
    )


@login_required
def people(request):
    if not (perms.is_official(request.user) or perms.organization_ids(request.user)):
        raise PermissionDenied
    skill, region = (request.GET.get(k, "").replace("\x00", "")[:100] for k in ("skill", "region"))
    qs = queries.visible_people(request.user, skill=skill, region=region)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    own = queries.acting_organizations(request.user, verified=False)
    form = forms.PersonForm(request.POST or None, organizations=own)
    if request.method == "POST" and form.is_valid():
        try:  # the service decides who adds for which organization (403 or a form error)
            services.add_person(
                by=request.user, organization=form.cleaned_data["organization"], **form.values()
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:people")
    region_input = formfields.RegionPicker().render("region", region, {"id": "people-region"})
    return render(
        request,
        "registry/people.html",
        {
            "page": page,
            "skill": skill,
            "region": region,
            "region_input": region_input,
            "form": form,
            "own": own,
            "own_ids": {o.pk for o in own},
        },
    )
