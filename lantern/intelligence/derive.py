"""Derive links for every episode and interview at once, for records loaded in bulk.

The same rules as ``services.links_from_episode`` and ``services.links_from_interview`` (and the
same derived keys, so either may run first and nothing is duplicated), but set-based: one pass
over the episodes sorted by sector and return time instead of one query per episode.
"""

from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from lantern.audit.models import Action
from lantern.audit.services import audit_record
from lantern.episodes.models import MissingEpisode
from lantern.intelligence import rules, services
from lantern.intelligence.models import Link, LinkKind, Origin, Place, Relation
from lantern.interviews.models import ReturnInterview

BATCH = 2000


def _reference(pk: int) -> str:
    return f"ME{pk:08d}"


@transaction.atomic
def derive_all() -> dict[str, int]:
    """Found-at and found-together links from all returned episodes with a found postcode, and
    phone and place links from all interviews. Returns counts of what was read and made."""
    existing = set(Link.objects.exclude(derived_key="").values_list("derived_key", flat=True))
    episodes = list(
        MissingEpisode.objects.filter(returned_at__isnull=False)
        .exclude(found_postcode="")
        .values(
            "id",
            "child_id",
            "last_seen_at",
            "returned_at",
            "found_postcode",
            "found_place",
            "recording_organisation_id",
        )
    )
    places: dict[str, Place | None] = {}
    new: list[Link] = []
    by_sector: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in episodes:
        sector = rules.sector_of(row["found_postcode"])
        if not sector:
            continue
        by_sector[sector].append(row)
        if sector not in places:
            places[sector] = services.found_area_place(row["found_postcode"], None)
        place = places[sector]
        key = f"ep{row['id']}:found"
        if place is None or key in existing:
            continue
        new.append(
            Link(
                derived_key=key,
                kind=LinkKind.CHILD_PLACE,
                relation=Relation.FOUND_AT,
                child_id=row["child_id"],
                place=place,
                episode_id=row["id"],
                observed_on=timezone.localtime(row["returned_at"]).date(),
                evidence=(
                    f"Found at {row['found_place'] or 'a place not named'} in postcode sector "
                    f"{sector} (missing episode {_reference(row['id'])})."
                ),
                source=f"Missing episode {_reference(row['id'])}",
                source_organisation_id=row["recording_organisation_id"],
                recording_organisation_id=row["recording_organisation_id"],
                origin=Origin.EPISODE,
            )
        )
    window = timedelta(hours=rules.together_hours())
    for sector, group in by_sector.items():
        group.sort(key=lambda r: r["returned_at"])
        for i, first in enumerate(group):
            a = _window(first)
            for second in group[i + 1 :]:
                if second["returned_at"] - first["returned_at"] > window:
                    break
                if not rules.found_together(a, _window(second)):
                    continue
                low, high = sorted((first, second), key=lambda r: r["id"])
                key = f"ft{low['id']}:{high['id']}"
                if key in existing:
                    continue
                existing.add(key)
                new.append(
                    Link(
                        derived_key=key,
                        kind=LinkKind.CHILD_CHILD,
                        relation=Relation.FOUND_TOGETHER,
                        child_id=low["child_id"],
                        child_b_id=high["child_id"],
                        episode_id=low["id"],
                        episode_b_id=high["id"],
                        observed_on=timezone.localtime(high["returned_at"]).date(),
                        evidence=(
                            f"Both missing at the same time and found in postcode sector {sector}: "
                            f"{_reference(low['id'])} and {_reference(high['id'])}."
                        ),
                        source=f"Missing episode {_reference(low['id'])}",
                        source_organisation_id=low["recording_organisation_id"],
                        recording_organisation_id=low["recording_organisation_id"],
                        origin=Origin.EPISODE,
                    )
                )
    Link.objects.bulk_create(new, batch_size=BATCH)
    made = len(new)
    interviews = 0
    for interview in (
        ReturnInterview.objects.select_related("conducted_by_organisation")
        .prefetch_related("disclosures")
        .iterator(chunk_size=BATCH)
    ):
        interviews += 1
        made += len(services.links_from_interview(interview=interview))
    audit_record(
        actor=None,
        action=Action.CREATE,
        object_type="intelligence.link",
        summary=f"Derived {made} intelligence link(s) from existing records",
        detail={"episodes": len(episodes), "interviews": interviews, "links": made},
    )
    return {"episodes": len(episodes), "interviews": interviews, "links": made}


def _window(row: dict[str, Any]) -> rules.EpisodeWindow:
    return rules.EpisodeWindow(
        row["id"],
        row["child_id"],
        row["last_seen_at"],
        row["returned_at"],
        "",
        row["found_postcode"],
    )
