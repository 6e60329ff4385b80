"""Intelligence pages: thin adapters over queries, services and the access rules.

Every page is for roles that open case records; anyone else gets a 404, like any record outside
their reach. Every page that shows children writes an audit event listing the child ids shown,
with a row per child (``child_ids``) so each child's "who has seen this record" page finds it.
"""

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lantern.accounts import policy
from lantern.audit.models import Action
from lantern.audit.services import audit_record
from lantern.intelligence import access, mapdraw, maps, queries, services
from lantern.intelligence.forms import (
    DisruptionForm,
    LinkForm,
    MapForm,
    PersonForm,
    PhoneForm,
    PlaceForm,
    PlacementCheckForm,
    RiskStatusForm,
    VehicleForm,
    VoltForm,
    apply_service_errors,
    volt_initial,
)
from lantern.intelligence.models import (
    Notification,
    PersonOfConcern,
    Phone,
    Place,
    Vehicle,
)
from lantern.intelligence.placement import placement_check as placement_check_query
from lantern.intelligence.volt import volt_profile
from lantern.people.models import PlacementLocation


def _require_use(request: HttpRequest) -> None:
    if not access.can_use_intelligence(request.user):
        raise Http404("No page found")


def _require_record(request: HttpRequest) -> None:
    if not access.can_record_intelligence(request.user):
        raise Http404("No page found")


def _audit_view(
    request: HttpRequest, object_type: str, summary: str, child_ids: list[int], **extra: Any
) -> None:
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        object_type=object_type,
        summary=summary,
        detail={"shown": sorted(set(child_ids)), **extra},
        child_ids=child_ids,
    )


# --- Index and networks -----------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _require_use(request)
    unacknowledged = len(queries.notifications_for(request.user, include_acknowledged=False))
    return render(
        request,
        "intelligence/index.html",
        {
            "unacknowledged": unacknowledged,
            "can_record": access.can_record_intelligence(request.user),
            "police": access.is_police(request.user),
        },
    )


@require_GET
def child_network(request: HttpRequest, pk: int) -> HttpResponse:
    """A child's two-hop network: SVG drawn on the server, and the same as tables."""
    _require_use(request)
    child = policy.child_get_for(request.user, pk)
    net = queries.child_network(request.user, child)
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        obj=child,
        child_id=child.pk,
        summary="Viewed the child's intelligence network",
        detail={"shown": net.child_ids, "links": len(net.edges)},
        child_ids=net.child_ids,
    )
    return render(
        request,
        "intelligence/child_network.html",
        {
            "child": child,
            "net": net,
            "svg": queries.network_svg(net),
            "nodes": sorted(net.nodes.values(), key=lambda n: (n.kind != "child", n.kind, n.label)),
            "can_record": access.can_record_intelligence(request.user),
        },
    )


@require_GET
def network(request: HttpRequest) -> HttpResponse:
    """Clusters in everything the user may see, with key people and places."""
    _require_use(request)
    overview = queries.network_overview(request.user)
    # The children named on the page: up to a dozen per cluster. The rest of the network only
    # adds to counts, and a police force's network holds tens of thousands of children.
    named = [int(node.key.split(":")[1]) for c in overview.clusters for node in c.children]
    _audit_view(
        request,
        "intelligence.network",
        "Viewed intelligence clusters",
        named,
        children_in_network=len(overview.child_ids),
    )
    return render(request, "intelligence/network.html", {"overview": overview})


@require_GET
def patterns(request: HttpRequest) -> HttpResponse:
    _require_use(request)
    result = queries.patterns(request.user)
    _audit_view(request, "intelligence.patterns", "Viewed intelligence patterns", result.child_ids)
    return render(request, "intelligence/patterns.html", {"patterns": result})


# --- Items ------------------------------------------------------------------------------------

ITEMS: dict[str, dict[str, Any]] = {
    "place": {
        "model": Place,
        "visible": access.places_visible_to,
        "form": PlaceForm,
        "title": "Places",
        "one": "place",
        "list_url": "intelligence:place_list",
    },
    "person": {
        "model": PersonOfConcern,
        "visible": access.people_visible_to,
        "form": PersonForm,
        "title": "People of concern",
        "one": "person of concern",
        "list_url": "intelligence:person_list",
    },
    "phone": {
        "model": Phone,
        "visible": access.phones_visible_to,
        "form": PhoneForm,
        "title": "Phones and handles",
        "one": "phone or handle",
        "list_url": "intelligence:phone_list",
    },
    "vehicle": {
        "model": Vehicle,
        "visible": access.vehicles_visible_to,
        "form": VehicleForm,
        "title": "Vehicles",
        "one": "vehicle",
        "list_url": "intelligence:vehicle_list",
    },
}


@require_GET
def item_list(request: HttpRequest, kind: str) -> HttpResponse:
    _require_use(request)
    spec = ITEMS[kind]
    rows = list(spec["visible"](request.user).select_related("recording_organisation")[:500])
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        object_type=spec["model"]._meta.label_lower,
        summary=f"Viewed the list of {spec['title'].lower()}",
        detail={"shown_items": [row.pk for row in rows]},
    )
    return render(
        request,
        "intelligence/item_list.html",
        {
            "kind": kind,
            "spec": spec,
            "rows": rows,
            "can_record": access.can_record_intelligence(request.user),
            "create_url": reverse(f"intelligence:{kind}_create"),
        },
    )


@require_GET
def item_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    _require_use(request)
    spec = ITEMS[kind]
    item = access.item_get_for(request.user, spec["model"], pk)
    edges = queries.item_links(request.user, item)
    viewpoint = queries.node_key(kind, item)
    rows = queries.edge_rows(edges, viewpoint)
    child_ids = [c for e in edges for c in (e.link.child_id, e.link.child_b_id) if c is not None]
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        obj=item,
        summary=f"Viewed {spec['one']} {item.reference}",
        detail={"shown": sorted(set(child_ids))},
        child_ids=child_ids,
    )
    context: dict[str, Any] = {
        "kind": kind,
        "spec": spec,
        "item": item,
        "rows": rows,
        "can_record": access.can_record_intelligence(request.user),
    }
    if kind == "place":
        context["disruptions"] = item.disruptions.select_related("organisation")
        context["risk_form"] = RiskStatusForm(initial={"risk_status": item.risk_status})
    if kind == "person":
        context["aliases"] = item.aliases.all()
    return render(request, "intelligence/item_detail.html", context)


@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest, kind: str) -> HttpResponse:
    _require_record(request)
    spec = ITEMS[kind]
    form = spec["form"](request.POST if request.method == "POST" else None, user=request.user)
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        grading = form.grading()
        for name in (
            "source",
            "source_organisation",
            "source_evaluation",
            "assessment",
            "handling_code",
            "access_level",
        ):
            data.pop(name, None)
        try:
            if kind == "place":
                item = services.place_create(actor=request.user, grading=grading, **data)
            elif kind == "person":
                aliases = [line for line in data.pop("aliases", "").splitlines() if line.strip()]
                item = services.person_create(
                    actor=request.user, grading=grading, aliases=aliases, **data
                )
            elif kind == "phone":
                item = services.phone_create(actor=request.user, grading=grading, **data)
            else:
                item = services.vehicle_create(actor=request.user, grading=grading, **data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Recorded {spec['one']} {item.reference}")
            return redirect(f"intelligence:{kind}_detail", pk=item.pk)
    return render(
        request, "intelligence/item_form.html", {"form": form, "spec": spec, "kind": kind}
    )


@require_http_methods(["GET", "POST"])
def link_create(request: HttpRequest) -> HttpResponse:
    """Link two things by hand. ``?first=`` prefills one end (a child's or item's reference)."""
    _require_record(request)
    initial = {"first": request.GET.get("first", ""), "observed_on": timezone.localdate()}
    form = LinkForm(
        request.POST if request.method == "POST" else None, initial=initial, user=request.user
    )
    if form.is_bound and form.is_valid():
        try:
            link = services.link_create(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                ends=form.cleaned_data["ends"],
                relation=form.cleaned_data["relation"],
                observed_on=form.cleaned_data["observed_on"],
                ended_on=form.cleaned_data["ended_on"],
                evidence=form.cleaned_data["evidence"],
                grading=form.grading(),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Recorded link {link.reference}")
            if link.child_id:
                return redirect("intelligence:child_network", pk=link.child_id)
            first = next(v for v in form.cleaned_data["ends"].values())
            kind = type(first).__name__.lower().replace("personofconcern", "person")
            return redirect(f"intelligence:{kind}_detail", pk=first.pk)
    return render(request, "intelligence/link_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def disruption_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require_record(request)
    place = access.item_get_for(request.user, Place, pk)
    form = DisruptionForm(
        request.POST if request.method == "POST" else None,
        initial={"taken_on": timezone.localdate()},
    )
    if form.is_bound and form.is_valid():
        try:
            services.disruption_add(actor=request.user, place=place, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Disruption action logged")
            return redirect("intelligence:place_detail", pk=place.pk)
    return render(request, "intelligence/disruption_form.html", {"form": form, "place": place})


@require_POST
def place_risk(request: HttpRequest, pk: int) -> HttpResponse:
    _require_record(request)
    place = access.item_get_for(request.user, Place, pk)
    form = RiskStatusForm(request.POST)
    if form.is_valid():
        services.place_risk_status_set(
            actor=request.user, place=place, risk_status=form.cleaned_data["risk_status"]
        )
        messages.success(request, f"Risk status is now: {place.get_risk_status_display()}")
    return redirect("intelligence:place_detail", pk=place.pk)


# --- Maps -------------------------------------------------------------------------------------

MAP_PAGES = {
    "found": ("Found locations and hotspots", "intelligence:map_found"),
    "episodes": ("Missing episodes by local authority", "intelligence:map_episodes"),
    "flows": ("County lines flows", "intelligence:map_flows"),
}


def _layers(request: HttpRequest, kind: str, values: dict[str, Any]) -> maps.MapLayers:
    if kind == "found":
        return maps.found_and_hotspots(
            request.user,
            days=values["days"],
            resolution=values["resolution"],
            region=values["region"],
        )
    if kind == "episodes":
        return maps.episodes_by_la(
            request.user, days=values["days"], measure=values["measure"], region=values["region"]
        )
    return maps.flows(request.user, days=values["days"], region=values["region"])


def _map_audit_detail(layers: maps.MapLayers, values: dict[str, Any]) -> dict[str, Any]:
    return {"shown": layers.child_ids, "children": layers.children_count, "filters": values}


@require_GET
def map_page(request: HttpRequest, kind: str) -> HttpResponse:
    _require_use(request)
    form = MapForm(request.GET)
    values = form.values()
    layers = _layers(request, kind, values)
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        object_type="intelligence.map",
        summary=f"Viewed the map: {MAP_PAGES[kind][0]}",
        detail=_map_audit_detail(layers, values),
        child_ids=layers.child_ids,
    )
    query = request.GET.urlencode()
    image_url = reverse("intelligence:map_image", kwargs={"kind": kind, "fmt": "svg"})
    png_url = reverse("intelligence:map_image", kwargs={"kind": kind, "fmt": "png"})
    boundaries_url = reverse("intelligence:boundaries")
    if values["region"]:
        boundaries_url += f"?region={values['region']}"
    table_rows = _table_rows(kind, layers)
    return render(
        request,
        "intelligence/map.html",
        {
            "kind": kind,
            "heading": MAP_PAGES[kind][0],
            "form": form,
            "layers": layers,
            "rows": table_rows,
            "map_json": _json_for_script(
                {**layers.as_json(), "kind": kind, "boundaries": boundaries_url}
            ),
            "image_url": f"{image_url}?{query}" if query else image_url,
            "png_url": f"{png_url}?{query}" if query else png_url,
            "region_name": maps.region_name(values["region"]),
            "period": maps.PERIODS.get(values["days"], ""),
            "pages": MAP_PAGES,
        },
    )


_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _json_for_script(value: dict[str, Any]) -> str:
    """JSON safe inside a <script type="application/json"> block (as Django's json_script)."""
    return mark_safe(json.dumps(value).translate(_SCRIPT_ESCAPES))  # noqa: S308 - escaped above


def _table_rows(kind: str, layers: maps.MapLayers) -> list[tuple[str, ...]]:
    if kind == "found":
        return [
            (p.code, str(p.found), str(p.hotspots))
            for p in sorted(layers.points, key=lambda p: (-p.found, -p.hotspots, p.code))
        ]
    if kind == "episodes":
        index = maps.la_index()
        return [
            (index[code].name if code in index else code, str(n))
            for code, n in sorted(layers.choropleth.items(), key=lambda item: -item[1])
        ]
    return [(f.origin_name, f.destination_name, str(f.count)) for f in layers.flows]


@require_GET
def map_image(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """The same map drawn on the server, as SVG or PNG, for reports and PDFs."""
    _require_use(request)
    if kind not in MAP_PAGES or fmt not in ("svg", "png"):
        raise Http404("No page found")
    values = MapForm(request.GET).values()
    layers = _layers(request, kind, values)
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        object_type="intelligence.map",
        summary=f"Drew the map as {fmt.upper()}: {MAP_PAGES[kind][0]}",
        detail=_map_audit_detail(layers, values),
        child_ids=layers.child_ids,
    )
    content_type = "image/svg+xml" if fmt == "svg" else "image/png"
    response = HttpResponse(mapdraw.render(layers, fmt), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="lantern-{kind}-map.{fmt}"'
    return response


@require_GET
def boundaries(request: HttpRequest) -> HttpResponse:
    """Local authority boundaries (public ONS data) for the Leaflet base layer."""
    region = request.GET.get("region", "")
    if region and region not in dict(maps.regions()):
        raise Http404("No page found")
    return HttpResponse(mapdraw.boundaries_geojson(region), content_type="application/geo+json")


# --- VOLT, placement check, notifications -------------------------------------------------------


@require_GET
def volt(request: HttpRequest) -> HttpResponse:
    _require_use(request)
    form = VoltForm(request.GET or None, initial=volt_initial(request.user))
    profile = None
    if not form.is_bound:
        initial = volt_initial(request.user)
        if initial["la"]:
            form = VoltForm(
                {
                    "la": initial["la"],
                    "start": initial["start"].isoformat(),
                    "end": initial["end"].isoformat(),
                }
            )
    if form.is_bound and form.is_valid():
        profile = volt_profile(
            request.user,
            la=form.cleaned_data["la"],
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
        )
        _audit_view(
            request,
            "intelligence.volt",
            f"Viewed the VOLT problem profile for {profile.la}",
            profile.child_ids,
            la=profile.la.ons_code,
            start=profile.start.isoformat(),
            end=profile.end.isoformat(),
        )
    return render(request, "intelligence/volt.html", {"form": form, "profile": profile})


@require_http_methods(["GET", "POST"])
def placement_check(request: HttpRequest) -> HttpResponse:
    """The postcode travels by POST: a placement address stays out of URLs and logs."""
    _require_use(request)
    initial: dict[str, Any] = {}
    child = None
    if request.GET.get("child"):
        child = policy.child_get_for(request.user, request.GET["child"])
        current = child.placements.filter(ended_on__isnull=True).order_by("-started_on").first()
        if current is not None:
            initial["postcode"] = current.postcode
    form = PlacementCheckForm(request.POST if request.method == "POST" else None, initial=initial)
    result = None
    if form.is_bound and form.is_valid():
        result = placement_check_query(
            request.user,
            postcode=form.cleaned_data["postcode"],
            radius_km=form.cleaned_data["radius_km"],
        )
        if result is not None:
            audit_record(
                actor=request.user,
                action=Action.SEARCH,
                object_type="intelligence.placement_check",
                summary=f"Checked a placement postcode in sector {result.sector}",
                detail={
                    "shown": result.child_ids,
                    "places": [p.place.pk for p in result.places],
                    "people": [p.person.pk for p in result.people],
                    "radius_km": result.radius_km,
                },
                child_ids=result.child_ids,
            )
    elif child is not None:
        audit_record(
            actor=request.user,
            action=Action.VIEW,
            obj=child,
            child_id=child.pk,
            summary="Opened a placement check for the child's placement",
        )
    return render(
        request,
        "intelligence/placement_check.html",
        {"form": form, "result": result, "child": child, "out_of_area": PlacementLocation.OUT},
    )


@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    _require_use(request)
    rows = queries.notifications_for(request.user)
    _audit_view(
        request,
        "intelligence.notification",
        "Viewed cross-border notifications",
        [n.child_id for n in rows if getattr(n, "child_visible", False)],
    )
    membership = policy.acting_membership(request.user)
    return render(
        request,
        "intelligence/notifications.html",
        {"rows": rows, "organisation": membership.organisation if membership else None},
    )


@require_POST
def notification_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    _require_use(request)
    membership = policy.acting_membership(request.user)
    notification = get_object_or_404(
        Notification, pk=pk, recipient_id=membership.organisation_id if membership else None
    )
    services.notification_acknowledge(actor=request.user, notification=notification)
    messages.success(request, "Notification acknowledged")
    return redirect("intelligence:notifications")
