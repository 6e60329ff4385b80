"""Who may see which intelligence: built on ``lantern.accounts.policy``, never beside it.

The rules, in the order they apply:

1. Only roles that open case records use intelligence (analysts and administrators see none).
2. Police-only items and links are seen by police forces only (AC5). A partner organisation
   never learns that they exist: they are left out, not shown greyed.
3. Restricted people of concern are seen only by police forces and the organisation that
   recorded them.
4. A link is visible when its own access level allows it, every child at either end is a child
   the viewer may see (``children_visible_to``), and every other end is visible under 2 and 3.
   Links to children the viewer may not see are dropped entirely: never shown as anonymous nodes.
5. Items typed by hand (places, people, phones, vehicles) are intelligence for the partnership:
   any organisation may see them, subject to 2 and 3. Items Lantern derived from a child's
   record (a "found" area made from an episode's postcode) are seen only through a visible link,
   or by the organisation whose record they came from.

As with the access policy, the queryset face (``links_visible_to``) and the object face
(``link_is_visible``) are written independently and a test proves they agree.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from lantern.accounts import policy
from lantern.accounts.models import OrgType
from lantern.intelligence.models import (
    AccessLevel,
    Link,
    Origin,
    PersonOfConcern,
    Phone,
    Place,
    Vehicle,
)

# work_mem for aggregate reads over large visible sets (see ``large_reads``).
LARGE_READ_WORK_MEM = "64MB"


@dataclass(frozen=True)
class Viewer:
    """What the rules need to know about the person looking."""

    allowed: bool
    organisation_id: int | None
    police: bool

    @property
    def levels(self) -> list[str]:
        return (
            [AccessLevel.PARTNERS, AccessLevel.POLICE_ONLY]
            if self.police
            else [AccessLevel.PARTNERS]
        )


def viewer_for(user: Any) -> Viewer:
    if not policy.can_open_records(user):
        return Viewer(False, None, False)
    membership = policy.acting_membership(user)
    assert membership is not None  # can_open_records implies a membership
    return Viewer(True, membership.organisation_id, membership.organisation.type == OrgType.POLICE)


def can_use_intelligence(user: Any) -> bool:
    return policy.can_open_records(user)


def can_record_intelligence(user: Any) -> bool:
    return policy.can_change_records(user)


def is_police(user: Any) -> bool:
    return viewer_for(user).police


# --- Items ------------------------------------------------------------------------------------


def _level_q(viewer: Viewer, prefix: str = "") -> Q:
    return Q(**{f"{prefix}access_level__in": viewer.levels})


def _person_q(viewer: Viewer, prefix: str = "") -> Q:
    condition = _level_q(viewer, prefix)
    if not viewer.police:
        condition &= Q(**{f"{prefix}restricted": False}) | Q(
            **{f"{prefix}recording_organisation_id": viewer.organisation_id}
        )
    return condition


def _item_q(model: type[Model], viewer: Viewer, prefix: str = "") -> Q:
    if model is PersonOfConcern:
        return _person_q(viewer, prefix)
    return _level_q(viewer, prefix)


def links_visible_to(user: Any) -> QuerySet[Link]:
    """Every link the user may see (rule 4)."""
    viewer = viewer_for(user)
    if not viewer.allowed:
        return Link.objects.none()
    children = policy.children_visible_to(user).values("pk")
    return Link.objects.filter(
        _level_q(viewer),
        Q(child__isnull=True) | Q(child_id__in=children),
        Q(child_b__isnull=True) | Q(child_b_id__in=children),
        Q(person__isnull=True) | _person_q(viewer, "person__"),
        Q(person_b__isnull=True) | _person_q(viewer, "person_b__"),
        Q(place__isnull=True) | _level_q(viewer, "place__"),
        Q(phone__isnull=True) | _level_q(viewer, "phone__"),
        Q(vehicle__isnull=True) | _level_q(viewer, "vehicle__"),
    )


def _items_visible(user: Any, model: type[Model], link_column: str) -> QuerySet[Any]:
    viewer = viewer_for(user)
    if not viewer.allowed:
        return model.objects.none()  # type: ignore[attr-defined]
    linked = links_visible_to(user).filter(**{f"{link_column}__isnull": False})
    return model.objects.filter(  # type: ignore[attr-defined]
        _item_q(model, viewer),
        Q(origin=Origin.MANUAL)
        | Q(recording_organisation_id=viewer.organisation_id)
        | Q(pk__in=linked.values(link_column)),
    )


def places_visible_to(user: Any) -> QuerySet[Place]:
    return _items_visible(user, Place, "place")


def people_visible_to(user: Any) -> QuerySet[PersonOfConcern]:
    return _items_visible(user, PersonOfConcern, "person")


def phones_visible_to(user: Any) -> QuerySet[Phone]:
    return _items_visible(user, Phone, "phone")


def vehicles_visible_to(user: Any) -> QuerySet[Vehicle]:
    return _items_visible(user, Vehicle, "vehicle")


# --- The object face --------------------------------------------------------------------------


def item_is_visible_alone(viewer: Viewer, item: Any) -> bool:
    """Rules 2 and 3 for one place, person, phone or vehicle."""
    if not viewer.allowed or item.access_level not in viewer.levels:
        return False
    if isinstance(item, PersonOfConcern) and item.restricted and not viewer.police:
        return item.recording_organisation_id == viewer.organisation_id
    return True


def link_is_visible(viewer: Viewer, link: Link, visible_children: Iterable[int]) -> bool:
    """Rule 4 for one link whose endpoint rows are loaded; ``visible_children`` are the ids of
    the children the viewer may see (at least those at the ends of this link)."""
    if not viewer.allowed or link.access_level not in viewer.levels:
        return False
    visible = (
        visible_children if isinstance(visible_children, set | frozenset) else set(visible_children)
    )
    for column in ("child_id", "child_b_id"):
        child_id = getattr(link, column)
        if child_id is not None and child_id not in visible:
            return False
    for column in ("person", "person_b", "place", "phone", "vehicle"):
        if getattr(link, f"{column}_id") is None:
            continue
        if not item_is_visible_alone(viewer, getattr(link, column)):
            return False
    return True


def visible_child_ids(user: Any, candidates: Iterable[int]) -> set[int]:
    """Which of these children the user may see: one query, bounded by the candidates."""
    ids = {int(pk) for pk in candidates if pk is not None}
    if not ids:
        return set()
    return set(policy.children_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


# Up to this many visible children, aggregates filter on a list of ids (see below).
VISIBLE_IDS_CAP = 20_000


def visible_children_q(user: Any, column: str = "child_id") -> Q:
    """A filter on ``column`` for the children the user may see, shaped for aggregates.

    The same set as ``policy.children_visible_to``. For most organisations the set is small, and
    PostgreSQL reads a large table much faster from a list of ids (index lookups) than by
    joining the policy's subqueries, whose size it cannot estimate. Police forces see far more
    children: for them, and whenever the list would pass ``VISIBLE_IDS_CAP``, the subquery is
    used (run it inside ``large_reads``).
    """
    visible = policy.children_visible_to(user)
    if not viewer_for(user).police:
        ids = list(visible.values_list("pk", flat=True)[: VISIBLE_IDS_CAP + 1])
        if len(ids) <= VISIBLE_IDS_CAP:
            return Q(**{f"{column}__in": ids})
    return Q(**{f"{column}__in": visible.values("pk")})


@contextmanager
def large_reads() -> Iterator[None]:
    """Run aggregate reads over a large visible set (a police force's maps) with room to hash.

    ``children_visible_to`` is a set of IN-subqueries. For a force such as the Met at national
    scale one of them returns hundreds of thousands of rows; with PostgreSQL's default 4 MB
    ``work_mem`` the planner cannot hash it and re-scans it for every row (minutes). A larger
    ``work_mem`` for this transaction only lets it hash the subquery once. SQLite needs nothing.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL work_mem = '{LARGE_READ_WORK_MEM}'")
        yield


def item_get_for(user: Any, model: type[Model], pk: int | str) -> Any:
    """One intelligence item the user may see, or Http404 (the same for missing and hidden)."""
    querysets: dict[type[Model], Callable[[Any], QuerySet[Any]]] = {
        Place: places_visible_to,
        PersonOfConcern: people_visible_to,
        Phone: phones_visible_to,
        Vehicle: vehicles_visible_to,
    }
    try:
        return querysets[model](user).get(pk=int(pk))
    except (model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise Http404("Not found") from None
