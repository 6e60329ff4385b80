"""VOLT problem profile for an area and period: victims, offenders, locations, themes.

MACE meetings profile exploitation monthly by VOLT (domain §4.4). The profile counts only what the
viewer may see, so two organisations may get different profiles of the same area; it says so on
screen. ``volt_profile`` is the reusable function (panel packs include ``_volt.html`` with it).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from lantern.accounts.models import Organisation
from lantern.episodes import rules as episode_rules
from lantern.episodes.models import MissingEpisode
from lantern.intelligence import access
from lantern.intelligence.models import Link, PlaceType, Relation
from lantern.intelligence.queries import episodes_visible_to, exploited_child_ids
from lantern.interviews.models import Disclosure, InterviewFactor, ReturnInterview
from lantern.people.models import Child


@dataclass
class Victim:
    child: Child
    episodes: int
    found_elsewhere: int
    exploitation: list[str]
    frequently_missing: bool
    exploited: bool


@dataclass
class Offender:
    person: Any
    children: int
    places: int
    links: int
    url: str


@dataclass
class Location:
    label: str
    url: str
    kind: str
    risk: str
    episodes: int
    children: int


@dataclass
class Theme:
    group: str
    label: str
    count: int


@dataclass
class Volt:
    la: Organisation
    start: date
    end: date
    victims: list[Victim]
    offenders: list[Offender]
    locations: list[Location]
    themes: list[Theme]
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def child_ids(self) -> list[int]:
        return sorted(v.child.pk for v in self.victims)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def volt_profile(user: Any, *, la: Organisation, start: date, end: date) -> Volt:
    """The profile of ``la`` between ``start`` and ``end`` (inclusive) as the user may see it."""
    begin, finish = _bounds(start, end)
    episodes = list(
        episodes_visible_to(user)
        .filter(last_seen_at__gte=begin, last_seen_at__lt=finish)
        .filter(Q(missing_from_la=la) | Q(found_la=la) | Q(child__home_la=la))
        .select_related("child", "found_la")
    )
    by_child: dict[int, list[MissingEpisode]] = defaultdict(list)
    for episode in episodes:
        by_child[episode.child_id].append(episode)
    child_ids = list(by_child)
    disclosures = Disclosure.objects.filter(
        interview__child_id__in=child_ids,
        interview__offered_at__gte=begin,
        interview__offered_at__lt=finish + timedelta(days=30),
        is_exploitation_indicator=True,
    ).values_list("interview__child_id", "exploitation_type")
    types_by_child: dict[int, set[str]] = defaultdict(set)
    for child_id, kind in disclosures:
        types_by_child[child_id].add(kind)
    labels = dict(Disclosure._meta.get_field("exploitation_type").choices)
    exploited = exploited_child_ids(child_ids)
    rule_count = settings.LANTERN["FREQUENT_MISSING_COUNT"]
    rule_days = settings.LANTERN["FREQUENT_MISSING_DAYS"]
    victims = []
    for child_id, group in by_child.items():
        child = group[0].child
        starts = [e.last_seen_at for e in group]
        victims.append(
            Victim(
                child=child,
                episodes=len(group),
                found_elsewhere=sum(
                    1 for e in group if e.found_la_id and e.found_la_id != child.home_la_id
                ),
                exploitation=sorted(labels.get(t, t) for t in types_by_child.get(child_id, ())),
                frequently_missing=any(
                    episode_rules.is_frequently_missing(starts, at, rule_count, rule_days)
                    for at in starts
                ),
                exploited=child_id in exploited,
            )
        )
    victims.sort(key=lambda v: (-v.episodes, v.child.full_name))

    links = list(
        access.links_visible_to(user)
        .filter(Q(child_id__in=child_ids) | Q(child_b_id__in=child_ids) | Q(place__la=la))
        .select_related("person", "person_b", "place")
    )
    places_in_la = {link.place_id for link in links if link.place_id and link.place.la_id == la.pk}
    person_links = list(
        access.links_visible_to(user)
        .filter(person__isnull=False)
        .filter(Q(child_id__in=child_ids) | Q(place_id__in=places_in_la))
        .select_related("person")
    )
    visible_people = set(
        access.people_visible_to(user)
        .filter(pk__in={link.person_id for link in person_links})
        .values_list("pk", flat=True)
    )
    offenders_by: dict[int, dict[str, Any]] = {}
    for link in person_links:
        if link.person_id not in visible_people:
            continue
        entry = offenders_by.setdefault(
            link.person_id, {"person": link.person, "children": set(), "places": set(), "links": 0}
        )
        entry["links"] += 1
        if link.child_id:
            entry["children"].add(link.child_id)
        if link.place_id:
            entry["places"].add(link.place_id)
    offenders = sorted(
        (
            Offender(
                e["person"],
                len(e["children"]),
                len(e["places"]),
                e["links"],
                reverse("intelligence:person_detail", kwargs={"pk": e["person"].pk}),
            )
            for e in offenders_by.values()
        ),
        key=lambda o: (-o.children, -o.links, o.person.display_name),
    )

    locations = _locations(user, la, links, episodes)
    themes = _themes(child_ids, begin, finish, types_by_child, labels, episodes, links)
    return Volt(
        la=la,
        start=start,
        end=end,
        victims=victims,
        offenders=offenders,
        locations=locations,
        themes=themes,
        totals={
            "children": len(victims),
            "episodes": len(episodes),
            "exploited": sum(1 for v in victims if v.exploited),
            "offenders": len(offenders),
            "locations": len(locations),
        },
    )


def _locations(
    user: Any, la: Organisation, links: list[Link], episodes: list[MissingEpisode]
) -> list[Location]:
    found_in_la = [e for e in episodes if e.found_la_id == la.pk and e.found_postcode]
    by_place: dict[int, dict[str, Any]] = {}
    for link in links:
        if link.place_id is None or link.place.la_id != la.pk:
            continue
        entry = by_place.setdefault(
            link.place_id, {"place": link.place, "episodes": set(), "children": set()}
        )
        if link.relation == Relation.FOUND_AT and link.episode_id:
            entry["episodes"].add(link.episode_id)
        if link.child_id:
            entry["children"].add(link.child_id)
    for place in (
        access.places_visible_to(user)
        .filter(la=la)
        .exclude(place_type__in=[PlaceType.HOME, PlaceType.PLACEMENT, PlaceType.FOUND_AREA])
    ):
        by_place.setdefault(place.pk, {"place": place, "episodes": set(), "children": set()})
    period_episodes = {e.pk for e in found_in_la}
    result = [
        Location(
            label=entry["place"].label,
            url=reverse("intelligence:place_detail", kwargs={"pk": entry["place"].pk}),
            kind=entry["place"].get_place_type_display(),
            risk=entry["place"].get_risk_status_display(),
            episodes=len(entry["episodes"] & period_episodes) if period_episodes else 0,
            children=len(entry["children"]),
        )
        for entry in by_place.values()
    ]
    result.sort(key=lambda loc: (-loc.episodes, -loc.children, loc.label))
    return result


def _themes(
    child_ids: list[int],
    begin: datetime,
    finish: datetime,
    types_by_child: dict[int, set[str]],
    labels: dict[str, str],
    episodes: list[MissingEpisode],
    links: list[Link],
) -> list[Theme]:
    themes: list[Theme] = []
    exploitation = Counter(t for types in types_by_child.values() for t in types)
    themes += [
        Theme("Exploitation disclosed", labels.get(kind, kind), n)
        for kind, n in exploitation.most_common()
    ]
    factors = Counter(
        InterviewFactor.objects.filter(
            interview__in=ReturnInterview.objects.filter(
                child_id__in=child_ids, offered_at__gte=begin, offered_at__lt=finish
            )
        ).values_list("direction", "factor")
    )
    factor_labels = dict(InterviewFactor._meta.get_field("factor").choices)
    for (direction, factor), n in factors.most_common(12):
        group = "Pull factor" if direction == "pull" else "Push factor"
        themes.append(Theme(group, factor_labels.get(factor, factor), n))
    found_elsewhere = sum(
        1 for e in episodes if e.found_la_id and e.found_la_id != e.child.home_la_id
    )
    if found_elsewhere:
        themes.append(
            Theme("Pattern", "Found outside their home authority (episodes)", found_elsewhere)
        )
    together = sum(1 for link in links if link.relation == Relation.FOUND_TOGETHER)
    if together:
        themes.append(Theme("Pattern", "Found together with another child (links)", together))
    return themes
