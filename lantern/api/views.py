"""The REST API: thin adapters over the access policy, the services and the audit log.

Every list starts from ``policy.children_visible_to`` and writes a SEARCH event with the ids it
returned and a row per child for the child's "who has seen this record" page; every record read goes through the policy's object face (404 when missing *or* not
visible) and writes a VIEW event; every write is a service call, so the rules, the messages and
the audit are the same as on the pages.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer, Serializer

from lantern.accounts import policy
from lantern.accounts.models import Organisation, OrgType
from lantern.api import serializers as s
from lantern.api.errors import call_service
from lantern.api.pagination import SyncPagination
from lantern.api.permissions import CanChangeRecordsToWrite, CanOpenRecords
from lantern.audit.models import Action
from lantern.audit.services import audit_record
from lantern.episodes import services as episode_services
from lantern.episodes.models import MissingEpisode, PoliceGrading
from lantern.interviews import services as interview_services
from lantern.interviews.models import ReturnInterview
from lantern.people import services as people_services
from lantern.people.models import Child, Placement
from lantern.risk.models import Assessment

VIA = "api"
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The record's id")


def _acting_organisation(user: Any) -> Organisation | None:
    membership = policy.acting_membership(user)
    return membership.organisation if membership else None


def _visible_child_ids(user: Any) -> QuerySet:
    return policy.children_visible_to(user).values("pk")


def _filters(request: Request, serializer_class: type[Serializer]) -> dict[str, Any]:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    # DRF reads an empty query value as "not given"; a filter sent empty is a mistake to report,
    # not a reason to return everything.
    empty = {
        name: [field.error_messages["invalid"]]
        for name, field in serializer.fields.items()
        if request.query_params.get(name, None) == ""
    }
    if empty:
        raise ValidationError(empty)
    return dict(serializer.validated_data)


def _get_or_404(queryset: QuerySet, pk: Any) -> Any:
    try:
        return queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No record found") from None


class RecordViewSet(viewsets.GenericViewSet):
    """Lists and reads of one kind of record about children, audited like the pages."""

    permission_classes = (IsAuthenticated, CanOpenRecords, CanChangeRecordsToWrite)
    pagination_class = SyncPagination
    serializer_class: type[BaseSerializer]
    filter_serializer: type[Serializer] = s.ListFilterSerializer
    lookup_value_regex = "[^/]+"
    noun = "records"
    audit_type = ""

    def visible(self) -> QuerySet:
        """Every row the user may see, from the policy's queryset face."""
        raise NotImplementedError

    def get_for(self, pk: Any) -> Any:
        """One row through the policy's object face; Http404 if missing or not visible."""
        raise NotImplementedError

    def child_id_of(self, obj: Any) -> int:
        return obj.child_id

    def for_child(self, queryset: QuerySet, child_id: int) -> QuerySet:
        return queryset.filter(child_id=child_id)

    def prepared(self, queryset: QuerySet) -> QuerySet:
        """Joins and prefetches the serializer needs, so a page costs a fixed number of queries."""
        return queryset

    def get_queryset(self) -> QuerySet:
        return self.visible()

    def list(self, request: Request) -> Response:
        filters = _filters(request, self.filter_serializer)
        queryset = self.visible()
        if "updated_since" in filters:
            queryset = queryset.filter(updated_at__gte=filters["updated_since"])
        if "child" in filters:
            queryset = self.for_child(queryset, filters["child"])
        page = self.paginate_queryset(self.prepared(queryset))
        children = sorted({self.child_id_of(row) for row in page})
        audit_record(
            actor=request.user,
            action=Action.SEARCH,
            object_type=self.audit_type,
            summary=f"Listed {self.noun} through the API",
            detail={
                "shown": [row.pk for row in page],
                "children": children,
                "filters": {k: str(v) for k, v in filters.items()},
                "via": VIA,
            },
            child_ids=children,
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        obj = self.get_for(pk)
        obj = self.prepared(type(obj)._default_manager.filter(pk=obj.pk)).get()
        self.audit_view(obj)
        return Response(self.get_serializer(obj).data)

    def audit_view(self, obj: Any) -> None:
        audit_record(
            actor=self.request.user,
            action=Action.VIEW,
            obj=obj,
            child_id=self.child_id_of(obj),
            summary=f"Viewed {obj._meta.verbose_name} {obj.pk} through the API",
            detail={"via": VIA},
        )

    def respond(self, obj: Any, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.prepared(type(obj)._default_manager.filter(pk=obj.pk)).get()
        return Response(
            self.serializer_class(fresh, context=self.get_serializer_context()).data, code
        )


def _validated(serializer_class: type[Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


LIST_DOC = (
    "Rows the caller's organisation may see, oldest change first, "
    "with a keyset `next` link. Writes one access-log entry naming every row returned."
)


# --- Children -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(parameters=[s.ChildListFilterSerializer], description=LIST_DOC),
    retrieve=extend_schema(parameters=[ID_PARAMETER]),
    partial_update=extend_schema(
        parameters=[ID_PARAMETER],
        request=s.ChildUpdateSerializer,
        responses={200: s.ChildSerializer},
        description="Change a child's details. Send the `version` you read; "
        "if someone has saved since, nothing changes and the answer is 409.",
    ),
)
class ChildViewSet(RecordViewSet):
    serializer_class = s.ChildSerializer
    filter_serializer = s.ChildListFilterSerializer
    http_method_names = ["get", "patch", "head", "options"]
    noun = "children"
    audit_type = "people.child"

    def visible(self) -> QuerySet:
        return policy.children_visible_to(self.request.user)

    def get_for(self, pk: Any) -> Child:
        return policy.child_get_for(self.request.user, pk)

    def child_id_of(self, obj: Any) -> int:
        return obj.pk

    def for_child(self, queryset: QuerySet, child_id: int) -> QuerySet:
        return queryset.filter(pk=child_id)

    def prepared(self, queryset: QuerySet) -> QuerySet:
        return queryset.prefetch_related("identifiers", "aliases")

    def partial_update(self, request: Request, pk: Any = None) -> Response:
        child = policy.child_get_for_change(request.user, pk)
        data = _validated(s.ChildUpdateSerializer, request)
        version = data.pop("version")
        child = call_service(
            people_services.child_update, actor=request.user, child=child, version=version, **data
        )
        return self.respond(child)


# --- Missing episodes ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(parameters=[s.ListFilterSerializer], description=LIST_DOC),
    retrieve=extend_schema(parameters=[ID_PARAMETER]),
    create=extend_schema(
        request=s.EpisodeCreateSerializer,
        responses={201: s.EpisodeSerializer},
        description="Report that a child is missing. The category is derived, never sent.",
    ),
    record_return=extend_schema(
        parameters=[ID_PARAMETER],
        request=s.ReturnSerializer,
        responses={200: s.EpisodeSerializer},
        description="Record the return. Send the episode's `version`; a stale one gives 409.",
    ),
)
class EpisodeViewSet(RecordViewSet):
    serializer_class = s.EpisodeSerializer
    noun = "missing episodes"
    audit_type = "episodes.missingepisode"

    def visible(self) -> QuerySet:
        return MissingEpisode.objects.filter(child_id__in=_visible_child_ids(self.request.user))

    def get_for(self, pk: Any) -> MissingEpisode:
        return policy.episode_get_for(self.request.user, pk)

    def create(self, request: Request) -> Response:
        data = _validated(s.EpisodeCreateSerializer, request)
        child = policy.child_get_for_change(request.user, data.pop("child"))
        episode = call_service(
            episode_services.episode_report,
            actor=request.user,
            child=child,
            reporting_organisation=_acting_organisation(request.user),
            **data,
        )
        return self.respond(episode, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="return")
    def record_return(self, request: Request, pk: Any = None) -> Response:
        episode = policy.episode_get_for(request.user, pk)
        data = _validated(s.ReturnSerializer, request)
        episode = call_service(
            episode_services.episode_record_return, actor=request.user, episode=episode, **data
        )
        return self.respond(episode)


# --- Police risk gradings -----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(parameters=[s.ListFilterSerializer], description=LIST_DOC),
    retrieve=extend_schema(parameters=[ID_PARAMETER]),
    create=extend_schema(
        request=s.GradingCreateSerializer,
        responses={201: s.GradingSerializer},
        description="Add a police risk grading to an episode's history.",
    ),
)
class GradingViewSet(RecordViewSet):
    serializer_class = s.GradingSerializer
    noun = "police risk gradings"
    audit_type = "episodes.policegrading"

    def visible(self) -> QuerySet:
        return PoliceGrading.objects.filter(
            episode__child_id__in=_visible_child_ids(self.request.user)
        )

    def get_for(self, pk: Any) -> PoliceGrading:
        grading = _get_or_404(PoliceGrading.objects.select_related("episode"), pk)
        policy.child_get_for(self.request.user, grading.episode.child_id)
        return grading

    def child_id_of(self, obj: Any) -> int:
        return obj.episode.child_id

    def prepared(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("episode")

    def for_child(self, queryset: QuerySet, child_id: int) -> QuerySet:
        return queryset.filter(episode__child_id=child_id)

    def create(self, request: Request) -> Response:
        data = _validated(s.GradingCreateSerializer, request)
        episode = policy.episode_get_for(request.user, data.pop("episode"))
        grading = call_service(
            episode_services.grading_record, actor=request.user, episode=episode, **data
        )
        return self.respond(grading, status.HTTP_201_CREATED)


# --- Return home interviews ---------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(parameters=[s.ListFilterSerializer], description=LIST_DOC),
    retrieve=extend_schema(parameters=[ID_PARAMETER]),
    create=extend_schema(
        request=s.InterviewCreateSerializer,
        responses={201: s.InterviewSerializer},
        description="Record a return home interview covering one or more returned episodes. "
        "Organisations default to the caller's own.",
    ),
)
class InterviewViewSet(RecordViewSet):
    serializer_class = s.InterviewSerializer
    noun = "return interviews"
    audit_type = "interviews.returninterview"

    def visible(self) -> QuerySet:
        return ReturnInterview.objects.filter(child_id__in=_visible_child_ids(self.request.user))

    def get_for(self, pk: Any) -> ReturnInterview:
        return policy.interview_get_for(self.request.user, pk)

    def prepared(self, queryset: QuerySet) -> QuerySet:
        return queryset.prefetch_related("episodes", "factors", "disclosures")

    def create(self, request: Request) -> Response:
        data = _validated(s.InterviewCreateSerializer, request)
        child = policy.child_get_for_change(request.user, data.pop("child"))
        wanted = set(data.pop("episodes"))
        episodes = list(MissingEpisode.objects.filter(pk__in=wanted, child=child))
        if len(episodes) != len(wanted):
            # Never say whether an id the caller may not see exists.
            raise ValidationError({"episodes": [interview_services.EPISODE_OTHER_CHILD]})
        own = _acting_organisation(request.user)
        data["offered_by_organisation"] = data["offered_by_organisation"] or own
        data["conducted_by_organisation"] = data["conducted_by_organisation"] or own
        disclosures = [
            interview_services.DisclosureInput(**item) for item in data.pop("disclosures")
        ]
        interview = call_service(
            interview_services.interview_record,
            actor=request.user,
            child=child,
            episodes=episodes,
            disclosures=disclosures,
            **data,
        )
        return self.respond(interview, status.HTTP_201_CREATED)


# --- Placements ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(parameters=[s.ListFilterSerializer], description=LIST_DOC),
    retrieve=extend_schema(parameters=[ID_PARAMETER]),
    create=extend_schema(
        request=s.PlacementCreateSerializer,
        responses={201: s.PlacementSerializer},
        description="Record a placement. Host authority, in or out of area and distance are "
        "derived from the postcodes. The placing authority defaults to the caller's own.",
    ),
    end=extend_schema(
        parameters=[ID_PARAMETER],
        request=s.PlacementEndSerializer,
        responses={200: s.PlacementSerializer},
        description="End a placement. Send its `version`; a stale one gives 409.",
    ),
)
class PlacementViewSet(RecordViewSet):
    serializer_class = s.PlacementSerializer
    noun = "placements"
    audit_type = "people.placement"

    def visible(self) -> QuerySet:
        return Placement.objects.filter(child_id__in=_visible_child_ids(self.request.user))

    def get_for(self, pk: Any) -> Placement:
        placement = _get_or_404(Placement.objects.all(), pk)
        policy.child_get_for(self.request.user, placement.child_id)
        return placement

    def create(self, request: Request) -> Response:
        data = _validated(s.PlacementCreateSerializer, request)
        child = policy.child_get_for_change(request.user, data.pop("child"))
        placing_la = data.pop("placing_la") or _acting_organisation(request.user)
        if placing_la is None or placing_la.type != OrgType.LOCAL_AUTHORITY:
            raise ValidationError({"placing_la": [people_services.PLACING_LA_NOT_LA]})
        placement = call_service(
            people_services.placement_add,
            actor=request.user,
            child=child,
            placing_la=placing_la,
            **data,
        )
        return self.respond(placement, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: Any = None) -> Response:
        placement = self.get_for(pk)
        data = _validated(s.PlacementEndSerializer, request)
        placement = call_service(
            people_services.placement_end, actor=request.user, placement=placement, **data
        )
        return self.respond(placement)


# --- Exploitation screenings (read only) --------------------------------------------------------


@extend_schema_view(
    list=extend_schema(parameters=[s.ListFilterSerializer], description=LIST_DOC),
    retrieve=extend_schema(parameters=[ID_PARAMETER]),
)
class ScreeningViewSet(RecordViewSet):
    serializer_class = s.ScreeningSerializer
    http_method_names = ["get", "head", "options"]
    noun = "exploitation screenings"
    audit_type = "risk.assessment"

    def visible(self) -> QuerySet:
        return Assessment.objects.filter(child_id__in=_visible_child_ids(self.request.user))

    def get_for(self, pk: Any) -> Assessment:
        assessment = _get_or_404(Assessment.objects.all(), pk)
        policy.child_get_for(self.request.user, assessment.child_id)
        return assessment

    def prepared(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("tool").prefetch_related("exploitation_types")


# --- Organisations (reference data, no child data) ----------------------------------------------


@extend_schema_view(
    list=extend_schema(description="Every active organisation, to resolve the ids in records."),
)
class OrganisationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.OrganisationSerializer
    permission_classes = (IsAuthenticated,)
    pagination_class = None
    queryset = Organisation.objects.filter(active=True).order_by("id")


def routes() -> Iterable[tuple[str, type[viewsets.GenericViewSet], str]]:
    return (
        ("children", ChildViewSet, "child"),
        ("episodes", EpisodeViewSet, "episode"),
        ("gradings", GradingViewSet, "grading"),
        ("interviews", InterviewViewSet, "interview"),
        ("placements", PlacementViewSet, "placement"),
        ("screenings", ScreeningViewSet, "screening"),
        ("organisations", OrganisationViewSet, "organisation"),
    )
