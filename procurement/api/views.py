"""API views: a ViewSet per resource, an ``@action`` per business action."""

import datetime as dt

import django_filters
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core import permissions as perms
from core.api import IsOfficial, refuse_input
from core.display import people
from core.fastjson import Computed, FastList, FastListMixin
from core.parsers import JSONParser
from core.throttling import AnonRateThrottle
from procurement import ocds, queries, services
from procurement.api import serializers as s
from procurement.models import (
    METHOD_CHINESE_NAMES,
    Bid,
    BidDocument,
    Challenge,
    Clawback,
    Milestone,
    Project,
    RecipientConfirmation,
    Score,
)
from procurement.services.evaluation import ranking
from registry.models import Organization


class ProjectFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region_code", lookup_expr="startswith")

    class Meta:
        model = Project
        fields = ["status", "method", "category", "incident", "region"]


def _projects_context(rows: list[dict], request) -> dict:
    """Once per page of projects: the invitees (ordered as the prefetch orders organizations),
    and for the projects that have them, the active award and the contract rendered by their
    own serializers (AwardOutSerializer, ContractOutSerializer: nested several levels deep and
    on few rows, so the serializer stays their one implementation), read by
    ``queries.page_details`` (a fixed number of queries whatever the page holds)."""
    invitees, active_awards, page_contracts = queries.page_details([row["pk"] for row in rows])
    awards: dict[int, dict] = {}
    for award in active_awards:
        if award.project_id not in awards:  # the first in Award's order, as get_award
            awards[award.project_id] = s.AwardOutSerializer(award).data
    contracts = {c.project_id: s.ContractOutSerializer(c).data for c in page_contracts}
    return {"invitees": invitees, "awards": awards, "contracts": contracts}


# The procurement list's cold path (core.fastjson): ProjectSerializer's output from values(),
# service standards and criteria one query each, the rest from _projects_context.
PROJECTS = FastList(
    s.ProjectSerializer,
    computed={
        "method_name": Computed(("method",), lambda row, ctx: METHOD_CHINESE_NAMES[row["method"]]),
        "eligibility": Computed(
            ("eligibility_specialty", "eligibility_min_grade"),
            lambda row, ctx: {
                "specialty": row["eligibility_specialty"] or None,
                "min_grade": row["eligibility_min_grade"],
            },
        ),
        "invitees": Computed((), lambda row, ctx: ctx["invitees"][row["pk"]]),
        "award": Computed((), lambda row, ctx: ctx["awards"].get(row["pk"])),
        "contract": Computed((), lambda row, ctx: ctx["contracts"].get(row["pk"])),
    },
    prepare=_projects_context,
    scalar_relations=True,  # the buyer's name by a subquery, not a join (planner time)
)


class ProjectViewSet(
    FastListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Government purchase of services (政府购买服务) projects."""

    serializer_class = s.ProjectSerializer
    fast_list = PROJECTS
    filterset_class = ProjectFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return queries.visible_projects(self.request.user).order_by("-created_at", "-id")

    def get_permissions(self):
        if self.action in ("create", "partial_update"):
            return [IsOfficial()]
        return super().get_permissions()

    def _project(self) -> Project:
        return get_object_or_404(queries.visible_projects(self.request.user), pk=self.kwargs["pk"])

    def _fresh(self, project: Project, code=status.HTTP_200_OK) -> Response:
        project = queries.visible_projects(self.request.user).get(pk=project.pk)
        return Response(
            s.ProjectDetailSerializer(project, context={"request": self.request}).data,
            status=code,
        )

    def get_serializer_class(self):
        return s.ProjectDetailSerializer if self.action == "retrieve" else s.ProjectSerializer

    @extend_schema(request=s.ProjectInputSerializer, responses={201: s.ProjectDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = s.ProjectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        project = services.create_project(by=request.user, **v)
        return self._fresh(project, status.HTTP_201_CREATED)

    @extend_schema(request=s.ProjectInputSerializer, responses=s.ProjectDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Edit a draft (``services.update_draft``, the twin of the edit page). The body is the
        create body, every field optional: a field left out keeps the draft's value, and a list
        given (service_standards, criteria, invitees) replaces the draft's list. The serializer
        checks the shape (a shape error is 400 even for a project the caller may not edit); the
        service decides who may edit (403) and refuses anything but a draft (409)."""
        project = self._project()
        data = s.ProjectInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        arguments = _draft_values(project) | dict(data.validated_data)
        project = services.update_draft(project=project, by=request.user, **arguments)
        return self._fresh(project)

    def _simple(self, func, **kwargs) -> Response:
        project = func(project=self._project(), by=self.request.user, **kwargs)
        return self._fresh(project)

    @extend_schema(request=None, responses=s.ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        refuse_input(request)
        return self._simple(services.publish_project)

    @extend_schema(request=None, responses=s.ProjectDetailSerializer)
    @action(detail=True, methods=["post"], url_path="open")
    def open_bids(self, request, pk=None):
        refuse_input(request)
        return self._simple(services.open_bids)

    @extend_schema(request=s.ProcurementReasonSerializer, responses=s.ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = s.ProcurementReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._simple(services.cancel_project, reason=data.validated_data["reason"])

    @extend_schema(request=s.RetenderInputSerializer, responses={201: s.ProjectDetailSerializer})
    @action(detail=True, methods=["post"])
    def retender(self, request, pk=None):
        data = s.RetenderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = services.retender(project=self._project(), by=request.user, **data.validated_data)
        return self._fresh(new, status.HTTP_201_CREATED)

    @extend_schema(request=s.PanelInputSerializer, responses={201: s.PanelDrawSerializer})
    @action(detail=True, methods=["post"])
    def panel(self, request, pk=None):
        data = s.PanelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        draw = services.draw_panel(project=self._project(), by=request.user, **data.validated_data)
        return Response(s.PanelDrawSerializer(draw).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ConflictFlagSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="conflict-flags", pagination_class=None)
    def conflict_flags(self, request, pk=None):
        """Experts who joined a bidder after publication at someone else's invitation (not
        excluded from the panel, flagged): the buying officials only (403 for others)."""
        project = self._project()
        if not perms.is_official_for(request.user, project.region_code):
            return Response(
                {"detail": _("Only the buying officials see conflict flags.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        return Response(s.ConflictFlagSerializer(services.conflict_flags(project), many=True).data)

    @extend_schema(methods=["GET"], request=None, responses=s.BidSerializer(many=True))
    @extend_schema(methods=["POST"], request=s.BidInputSerializer, responses={201: s.BidSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        permission_classes=[permissions.IsAuthenticated],
        parser_classes=[JSONParser, MultiPartParser, FormParser],
    )
    def bids(self, request, pk=None):
        project = self._project()
        if request.method == "POST":
            data = s.BidInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            v = data.validated_data
            bid = services.submit_bid(
                project=project,
                organization=v.get("organization"),
                by=request.user,
                price=v["price"],
                proposal=v["proposal"],
                team_size=v["team_size"],
                documents=v.get("documents"),
            )
            rows = [Bid.objects.select_related("organization").get(pk=bid.pk)]
            return Response(self._bid_data(project, rows)[0], status=status.HTTP_201_CREATED)
        rows = list(queries.visible_bids(request.user, project))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self._bid_data(project, page))

    def _bid_data(self, project: Project, rows) -> list:
        user = self.request.user
        readable = {b.pk for b in rows if queries.can_read_contents(user, b, project)}
        documents_readable = queries.readable_documents(user, project, rows)
        prefetch_related_objects([b for b in rows if b.pk in documents_readable], "documents")
        groups = (
            queries.same_representative_groups(project)
            if perms.is_official_for(user, project.region_code)
            else []
        )
        return s.BidSerializer(
            rows,
            many=True,
            context={
                "readable": readable,
                "documents_readable": documents_readable,
                "groups": groups,
            },
        ).data

    @extend_schema(methods=["GET"], request=None, responses=s.ScoreSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=s.ScoreInputSerializer, responses={201: s.ScoreSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def scores(self, request, pk=None):
        project = self._project()
        if request.method == "POST":
            if not request.user.is_authenticated:
                return Response(status=status.HTTP_403_FORBIDDEN)
            data = s.ScoreInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            row = services.submit_score(project=project, by=request.user, **data.validated_data)
            return Response(s.ScoreSerializer(row).data, status=status.HTTP_201_CREATED)
        qs = (
            Score.objects.filter(project=project)
            .select_related("expert")
            .prefetch_related(people("expert"))
            .order_by("id")
        )
        after_award = project.awards.exists()
        if not after_award:
            # Per-expert scores are shown after the award; before it an expert sees their own.
            qs = qs.none() if not request.user.is_authenticated else qs.filter(expert=request.user)
        page = self.paginate_queryset(list(qs))
        return self.get_paginated_response(s.ScoreSerializer(page, many=True).data)

    @extend_schema(request=None, responses=s.RankingSerializer(many=True))
    @action(detail=True, methods=["get"])
    def ranking(self, request, pk=None):
        project = self._project()
        allowed = perms.is_official_for(request.user, project.region_code) or (
            project.awards.exists()
        )
        if not allowed or project.opened_at is None:
            return Response(
                {"detail": _("The ranking is not public yet.")}, status=status.HTTP_403_FORBIDDEN
            )
        # Paginated like every list (and as the schema says): rank order, page by page.
        page = self.paginate_queryset(list(ranking(project)))
        return self.get_paginated_response(s.RankingSerializer(page, many=True).data)

    @extend_schema(request=s.AwardInputSerializer, responses=s.ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def award(self, request, pk=None):
        data = s.AwardInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.award(project=self._project(), by=request.user, **data.validated_data)
        return self._fresh(self._project())

    @extend_schema(methods=["GET"], request=None, responses=s.ChallengeSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=s.ChallengeInputSerializer, responses={201: s.ChallengeSerializer}
    )
    @action(detail=True, methods=["get", "post"], permission_classes=[permissions.IsAuthenticated])
    def challenges(self, request, pk=None):
        project = self._project()
        if request.method == "POST":
            data = s.ChallengeInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            row = services.file_challenge(
                project=project,
                organization=data.validated_data.get("organization"),
                by=request.user,
                reason=data.validated_data["reason"],
            )
            return Response(s.ChallengeSerializer(row).data, status=status.HTTP_201_CREATED)
        qs = Challenge.objects.filter(project=project).order_by("id")
        if not perms.is_official_for(request.user, project.region_code):
            qs = qs.filter(organization_id__in=perms.organization_ids(request.user))
        page = self.paginate_queryset(list(qs))
        return self.get_paginated_response(s.ChallengeSerializer(page, many=True).data)

    @extend_schema(request=s.ContractInputSerializer, responses={201: s.ProjectDetailSerializer})
    @action(detail=True, methods=["post"])
    def contract(self, request, pk=None):
        data = s.ContractInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = self._project()
        services.create_contract(
            project=project, by=request.user, milestones=data.validated_data["milestones"]
        )
        return self._fresh(project, status.HTTP_201_CREATED)

    @extend_schema(request=s.InviteInputSerializer, responses=s.ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        """Invite registered, verified suppliers (``services.invite_suppliers``)."""
        data = s.InviteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._simple(
            services.invite_suppliers, organizations=data.validated_data["organizations"]
        )

    @extend_schema(request=s.ReviewInputSerializer, responses=s.ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Review an emergency purchase after the fact (``services.review_emergency_purchase``)."""
        data = s.ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._simple(services.review_emergency_purchase, **data.validated_data)

    @extend_schema(request=s.TerminateInputSerializer, responses=s.ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        data = s.TerminateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = self._project()
        services.terminate(project=project, by=request.user, **data.validated_data)
        return self._fresh(project)

    @extend_schema(request=None, responses=s.OcdsPackageSerializer)
    @action(detail=True, methods=["get"])
    def ocds(self, request, pk=None):
        project = get_object_or_404(queries.public_projects(), pk=pk)
        uri = request.build_absolute_uri()
        return Response(ocds.package(project.releases.order_by("date", "id"), uri=uri))


def _draft_values(project: Project) -> dict:
    """The draft's current values as ``update_draft`` arguments (what a PATCH leaves out)."""
    return {
        "title": project.title,
        "category": project.category,
        "method": project.method,
        "evaluation_method": project.evaluation_method,
        "budget_amount": project.budget_amount,
        "region_code": project.region_code,
        "tender_end": project.tender_end,
        "description": project.description,
        "incident": project.incident,
        "eligibility": {
            "specialty": project.eligibility_specialty,
            "min_grade": project.eligibility_min_grade,
        },
        "service_standards": list(
            project.service_standards.values("indicator", "target", "unit", "verification")
        ),
        "criteria": list(project.criteria.values("name", "kind", "weight")),
        "invitees": list(project.invitees.all()),
        "method_reason": project.method_reason,
        "method_reason_text": project.method_reason_text,
    }


class BidDocumentView(APIView):
    """A file of a bid's proposal, sealed like the bid (``queries.readable_documents``): 404 for
    whoever may not read it, so that a sealed bid's files are not admitted to exist."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        row = get_object_or_404(BidDocument.objects.select_related("bid__project"), pk=pk)
        if not queries.can_read_documents(request.user, row.bid, row.bid.project):
            raise Http404
        return FileResponse(
            row.file.open("rb"),
            content_type=row.content_type,
            as_attachment=True,
            filename=row.original_name,
        )


class ReleasesView(GenericAPIView):
    """All OCDS releases published since a date, as one release package."""

    serializer_class = s.OcdsPackageSerializer
    pagination_class = None

    @extend_schema(parameters=[OpenApiParameter("since", OpenApiTypes.DATETIME, required=False)])
    def get(self, request):
        raw = request.query_params.get("since", "")
        since = None
        if raw:
            try:
                since = parse_datetime(raw)
                if since is None and parse_date(raw):
                    since = dt.datetime.combine(parse_date(raw), dt.time.min)
            except ValueError:
                since = None
            if since is None:
                raise ValidationError({"since": [_("Give an ISO 8601 date or date-time.")]})
            if timezone.is_naive(since):
                since = timezone.make_aware(since)
        else:
            since = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        return Response(
            ocds.package(queries.releases_since(since), uri=request.build_absolute_uri())
        )


class BidViewSet(viewsets.GenericViewSet):
    serializer_class = s.BidSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return Bid.objects.filter(
            organization_id__in=perms.organization_ids(self.request.user)
        ).select_related("organization", "project")

    @extend_schema(request=None, responses=s.BidSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        refuse_input(request)
        bid = services.withdraw_bid(bid=self.get_object(), by=request.user)
        bid = self.get_queryset().get(pk=bid.pk)
        context = {"readable": {bid.pk}, "documents_readable": {bid.pk}}
        return Response(s.BidSerializer(bid, context=context).data)


class ChallengeViewSet(viewsets.GenericViewSet):
    serializer_class = s.ChallengeSerializer
    permission_classes = [IsOfficial]

    def get_queryset(self):
        return Challenge.objects.all()

    @extend_schema(request=s.ResolveInputSerializer, responses=s.ChallengeSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        data = s.ResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.resolve_challenge(
            challenge=self.get_object(), by=request.user, **data.validated_data
        )
        return Response(s.ChallengeSerializer(row).data)


class MilestoneViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.MilestoneDetailSerializer

    def get_queryset(self):
        return (
            Milestone.objects.filter(
                contract__project__in=queries.visible_projects(self.request.user).values("pk")
            )
            .select_related("contract__project", "contract__supplier", "evaluator")
            .prefetch_related("indicators", "acceptances")
        )

    @extend_schema(request=s.ReportInputSerializer, responses={201: s.ReportSerializer})
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[permissions.IsAuthenticated],
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def report(self, request, pk=None):
        data = s.ReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        row = services.report_progress(
            milestone=self.get_object(),
            by=request.user,
            summary=v["summary"],
            values=v["values"],
            evidence=v.get("evidence"),
            taken_at=v.get("taken_at"),
            recipients=v.get("recipients"),
        )
        return Response(s.ReportSerializer(row).data, status=status.HTTP_201_CREATED)

    def _detail(self, request):
        return Response(
            s.MilestoneDetailSerializer(self.get_object(), context={"request": request}).data
        )

    @extend_schema(request=s.AssignEvaluatorInputSerializer, responses=s.MilestoneDetailSerializer)
    @action(
        detail=True, methods=["post"], url_path="assign-evaluator", permission_classes=[IsOfficial]
    )
    def assign_evaluator(self, request, pk=None):
        data = s.AssignEvaluatorInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.assign_evaluator(
            milestone=self.get_object(), by=request.user, **data.validated_data
        )
        return self._detail(request)

    @extend_schema(request=None, responses={201: s.ConfirmationSerializer(many=True)})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def sample(self, request, pk=None):
        refuse_input(request)
        rows = services.sample_recipients(milestone=self.get_object(), by=request.user)
        return Response(
            s.ConfirmationSerializer(rows, many=True).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses=s.ConfirmationSerializer(many=True))
    @action(detail=True, methods=["get"], permission_classes=[permissions.IsAuthenticated])
    def confirmations(self, request, pk=None):
        """The sampled recipients (names, masked phones, answers): officials of the buyer and
        the assigned evaluator's members; 404 for everyone else."""
        milestone = self.get_object()
        if not queries.may_see_confirmations(request.user, milestone):
            raise Http404
        rows = milestone.confirmations.order_by("id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.ConfirmationSerializer(page, many=True).data)

    @extend_schema(request=s.InspectInputSerializer, responses=s.MilestoneDetailSerializer)
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[permissions.IsAuthenticated],
        parser_classes=[JSONParser, MultiPartParser, FormParser],
    )
    def inspect(self, request, pk=None):
        data = s.InspectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.inspect_milestone(
            milestone=self.get_object(), by=request.user, **data.validated_data
        )
        return Response(
            s.MilestoneDetailSerializer(self.get_object(), context={"request": request}).data
        )

    @extend_schema(request=s.AcceptInputSerializer, responses=s.MilestoneDetailSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsOfficial])
    def accept(self, request, pk=None):
        data = s.AcceptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.accept_milestone(
            milestone=self.get_object(), by=request.user, **data.validated_data
        )
        return Response(
            s.MilestoneDetailSerializer(self.get_object(), context={"request": request}).data
        )

    @extend_schema(request=None, responses={201: s.PaymentSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsOfficial])
    def pay(self, request, pk=None):
        refuse_input(request)
        row = services.pay_milestone(milestone=self.get_object(), by=request.user)
        return Response(s.PaymentSerializer(row).data, status=status.HTTP_201_CREATED)


class ClawbackViewSet(viewsets.GenericViewSet):
    serializer_class = s.ClawbackSerializer
    permission_classes = [IsOfficial]

    def get_queryset(self):
        return Clawback.objects.all()

    @extend_schema(request=s.RecoveryInputSerializer, responses=s.ClawbackSerializer)
    @action(detail=True, methods=["post"])
    def recover(self, request, pk=None):
        data = s.RecoveryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.record_recovery(
            clawback=self.get_object(), by=request.user, **data.validated_data
        )
        return Response(s.ClawbackSerializer(row).data)

    @extend_schema(request=s.WriteOffInputSerializer, responses={201: s.WriteOffSerializer})
    @action(detail=True, methods=["post"], url_path="write-off")
    def write_off(self, request, pk=None):
        """Write off what cannot be recovered, with the reason (``services.write_off_clawback``;
        ``amount`` defaults to all that is outstanding)."""
        data = s.WriteOffInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.write_off_clawback(
            clawback=self.get_object(), by=request.user, **data.validated_data
        )
        return Response(s.WriteOffSerializer(row).data, status=status.HTTP_201_CREATED)


class DebarmentViewSet(viewsets.GenericViewSet):
    """A supplier's debarment (``procurement.debarment``): public, like its record; an official
    of the buyer's jurisdiction lifts it with a reason."""

    serializer_class = s.DebarmentSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return Organization.objects.exclude(kind="agency")

    def retrieve(self, request, pk=None):
        organization = self.get_object()
        return Response(s.DebarmentSerializer(queries.supplier_record(organization)).data)

    @extend_schema(request=s.LiftInputSerializer, responses={201: s.LiftSerializer})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def lift(self, request, pk=None):
        data = s.LiftInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.lift_debarment(
            organization=self.get_object(), by=request.user, reason=data.validated_data["reason"]
        )
        return Response(s.LiftSerializer(row).data, status=status.HTTP_201_CREATED)


class ConfirmationView(APIView):
    """A sampled service recipient's one-time link: GET what is asked, POST the answer. No
    account: the token is the permission; an unknown token is a 404, a used or expired one 409."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [AnonRateThrottle]

    def _row(self, token):
        return get_object_or_404(
            RecipientConfirmation.objects.select_related(
                "milestone__contract__project", "milestone__contract__supplier"
            ),
            token=token,
        )

    @extend_schema(responses=s.ConfirmationPublicSerializer)
    def get(self, request, token):
        return Response(s.ConfirmationPublicSerializer(self._row(token)).data)

    @extend_schema(request=s.AnswerInputSerializer, responses=s.ConfirmationPublicSerializer)
    def post(self, request, token):
        self._row(token)
        data = s.AnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.answer_confirmation(
            token=token, confirmed=data.validated_data["answer"] == "confirmed"
        )
        return Response(s.ConfirmationPublicSerializer(self._row(token)).data)
