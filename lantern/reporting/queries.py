"""Reads for statutory returns and regional tables. Callers have passed reporting.access."""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from lantern.accounts.models import Organisation, OrgType
from lantern.episodes import rules
from lantern.episodes.models import Category, MissingEpisode, Whereabouts
from lantern.geo import areas
from lantern.interviews.models import ReturnInterview, Status
from lantern.people.codes import IdentifierKind
from lantern.people.models import Child, ChildIdentifier, Placement
from lantern.reporting import disclosure, figures
from lantern.reporting.ssda903 import ChildInput, CollectionYear, EpisodeSpan, PlacementSpan

ANNEX_A_ID = "Child Unique ID"
ANNEX_A_MISSING = (
    "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months"
)
ANNEX_A_ABSENT = (
    "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months"
)
ANNEX_A_OFFERED = "Was the child offered a Return Interview after their last missing episode (Y/N)?"
ANNEX_A_ACCEPTED = "Did the child accept a Return Interview after their last missing episode (Y/N)?"
ANNEX_A_COLUMNS = (ANNEX_A_ID, ANNEX_A_MISSING, ANNEX_A_ABSENT, ANNEX_A_OFFERED, ANNEX_A_ACCEPTED)
SSD_MISSING_COLUMNS = (
    "miss_table_id",
    "miss_person_id",
    "miss_missing_episode_start",
    "miss_missing_episode_type",
    "miss_missing_episode_end",
    "miss_missing_rhi_offered",
    "miss_missing_rhi_accepted",
)
ACCEPTED = (Status.ACCEPTED, Status.COMPLETED)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def council_with_code(code: str) -> Organisation | None:
    return Organisation.objects.filter(ons_code=code, type=OrgType.LOCAL_AUTHORITY).first()


def child_ids(la: Organisation, pks: Iterable[int]) -> dict[int, str]:
    """The council's own id for each child (CHILD in the 903), else Lantern's reference."""
    pks = list(pks)
    issued = dict(
        ChildIdentifier.objects.filter(
            child_id__in=pks, kind=IdentifierKind.LA_CHILD_ID, issuing_organisation=la
        ).values_list("child_id", "value")
    )
    return {pk: issued.get(pk) or f"LC{pk:07d}" for pk in pks}


_REFERENCE = re.compile(r"LC(\d{1,12})")


def child_pks(la: Organisation, ids: Iterable[str]) -> list[int]:
    """Lantern's ids for the children a file or report names by CHILD id (the inverse of
    ``child_ids``), so its audit event can name each child for their access log (AD2)."""
    wanted = {str(i) for i in ids if i}
    issued = dict(
        ChildIdentifier.objects.filter(
            kind=IdentifierKind.LA_CHILD_ID, issuing_organisation=la, value__in=list(wanted)
        ).values_list("value", "child_id")
    )
    pks = set(issued.values())
    for value in wanted - set(issued):
        match = _REFERENCE.fullmatch(value)
        if match:
            pks.add(int(match.group(1)))
    return sorted(pks)


# --- SSDA903 ------------------------------------------------------------------------------------


def ssda903_inputs(
    la: Organisation, year: CollectionYear, through: CollectionYear | None = None
) -> list[ChildInput]:
    """Children the council looked after from the start of ``year`` to the end of ``through``
    (default: the same year), their placements by the council, and the episodes that began
    while they were looked after and could reach those years. One fetch serves this year's
    rows and last year's (rule 576 compares them)."""
    last = through or year
    in_years = Placement.objects.filter(placing_la=la, started_on__lte=last.end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=year.start)
    )
    children = dict(
        Child.objects.filter(pk__in=in_years.values("child_id"), merged_into__isnull=True)
        .order_by("pk")
        .values_list("pk", "date_of_birth")
    )
    placements: dict[int, list[PlacementSpan]] = defaultdict(list)
    for child_id, start, end in Placement.objects.filter(
        placing_la=la, child_id__in=in_years.values("child_id")
    ).values_list("child_id", "started_on", "ended_on"):
        placements[child_id].append(PlacementSpan(start, end))
    episodes: dict[int, list[EpisodeSpan]] = defaultdict(list)
    for pk, child_id, category, seen, returned in (
        MissingEpisode.objects.filter(
            child_id__in=in_years.values("child_id"),
            looked_after=True,
            last_seen_at__lt=local_midnight(last.end + timedelta(days=1)),
        )
        .filter(Q(returned_at__isnull=True) | Q(returned_at__gte=local_midnight(year.start)))
        .values_list("pk", "child_id", "category", "last_seen_at", "returned_at")
    ):
        code = rules.ssda903_code(category)
        if code:
            episodes[child_id].append(EpisodeSpan(f"ME{pk:08d}", code, seen, returned))
    ids = child_ids(la, children)
    return [ChildInput(ids[pk], dob, placements[pk], episodes[pk]) for pk, dob in children.items()]


# --- Ofsted Annex A, List 8 ---------------------------------------------------------------------


def year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def annex_a_rows(la: Organisation, on: date) -> list[list[object]]:
    """One row per child the council looked after in the 12 months to ``on``."""
    since = year_before(on)
    looked_after = Placement.objects.filter(placing_la=la, started_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=since)
    )
    pks = list(
        Child.objects.filter(pk__in=looked_after.values("child_id"), merged_into__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    window = MissingEpisode.objects.filter(
        child_id__in=pks,
        last_seen_at__gte=local_midnight(since + timedelta(days=1)),
        last_seen_at__lt=local_midnight(on + timedelta(days=1)),
    )
    counts = {
        row["child_id"]: row
        for row in window.values("child_id").annotate(
            missing=Count("id", filter=Q(category=Category.MISSING_FROM_CARE)),
            away=Count("id", filter=Q(category=Category.AWAY_FROM_PLACEMENT)),
        )
    }
    interviews = ReturnInterview.objects.filter(episodes=OuterRef("pk"))
    last_missing: dict[int, tuple[bool, bool]] = {}
    for child_id, offered, accepted in (
        window.filter(category=Category.MISSING_FROM_CARE)
        .annotate(
            offered=Exists(interviews),
            accepted=Exists(interviews.filter(status__in=ACCEPTED)),
        )
        .order_by("child_id", "-last_seen_at")
        .values_list("child_id", "offered", "accepted")
    ):
        last_missing.setdefault(child_id, (offered, accepted))
    ids = child_ids(la, pks)
    rows: list[list[object]] = []
    for pk in pks:
        found: dict[str, Any] = dict(counts.get(pk, {}))
        offered_text = accepted_text = ""
        if pk in last_missing:
            offered, accepted = last_missing[pk]
            offered_text = "Y" if offered else "N"
            accepted_text = ("Y" if accepted else "N") if offered else ""
        rows.append(
            [ids[pk], found.get("missing", 0), found.get("away", 0), offered_text, accepted_text]
        )
    return rows


# --- Standard Safeguarding Dataset: ssd_missing -------------------------------------------------


def ssd_missing_rows(la: Organisation, start: date, end: date) -> list[list[object]]:
    """Every missing or away episode of the council's children that began from ``start`` to
    ``end`` (inclusive, UK dates), whether or not the child was looked after."""
    interviews = ReturnInterview.objects.filter(episodes=OuterRef("pk"))
    episodes = list(
        figures.episodes_in_scope(la)
        .filter(
            last_seen_at__gte=local_midnight(start),
            last_seen_at__lt=local_midnight(end + timedelta(days=1)),
        )
        .annotate(
            offered=Exists(interviews),
            accepted=Exists(interviews.filter(status__in=ACCEPTED)),
        )
        .order_by("last_seen_at", "pk")
        .values_list(
            "pk", "child_id", "last_seen_at", "whereabouts", "returned_at", "offered", "accepted"
        )
    )
    ids = child_ids(la, {e[1] for e in episodes})
    stamp = "%Y-%m-%d %H:%M:%S"
    rows: list[list[object]] = []
    for pk, child_id, seen, whereabouts, returned, offered, accepted in episodes:
        rows.append(
            [
                f"ME{pk:08d}",
                ids[child_id],
                timezone.localtime(seen).strftime(stamp),
                "M" if whereabouts == Whereabouts.UNKNOWN else "A",
                timezone.localtime(returned).strftime(stamp) if returned else "",
                "Y" if offered else "N",
                ("Y" if accepted else "N") if offered else "NA",
            ]
        )
    return rows


# --- Regional tables ----------------------------------------------------------------------------


ENGLAND = "E92000001"


@cache
def regions() -> dict[str, str]:
    """ONS code -> name: England (every council) and its nine regions."""
    nine = sorted({(la.region_code, la.region_name) for la in areas.upper_tier_las()})
    return {ENGLAND: "England", **dict(nine)}


@dataclass(frozen=True)
class CountTable:
    title: str
    definition: str
    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[int]]


def regional_counts(region_code: str, year: CollectionYear, breakdown: str) -> CountTable:
    """Incidents by council x category, or council x month, for one region's councils."""
    las = Organisation.objects.filter(type=OrgType.LOCAL_AUTHORITY)
    if region_code != ENGLAND:
        las = las.filter(region_code=region_code)
    councils = list(las.order_by("name").values_list("pk", "name"))
    episodes = MissingEpisode.objects.filter(
        child__merged_into__isnull=True,
        child__home_la__in=[pk for pk, _ in councils],
        last_seen_at__gte=local_midnight(year.start),
        last_seen_at__lt=local_midnight(year.end + timedelta(days=1)),
    )
    columns: list[str] = []
    keys: list[object] = []
    found: dict[int, dict[object, int]] = defaultdict(dict)
    if breakdown == "month":
        y, m = year.start.year, year.start.month
        for _ in range(12):
            columns.append(date(y, m, 1).strftime("%b %Y"))
            keys.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        for row in (
            episodes.annotate(month=TruncMonth("last_seen_at"))
            .values("child__home_la", "month")
            .annotate(n=Count("id"))
        ):
            found[row["child__home_la"]][(row["month"].year, row["month"].month)] = row["n"]
        what = "by the month the episode began"
    else:
        columns = [c.label for c in figures.CATEGORIES]
        keys = list(figures.CATEGORIES)
        for by_category in episodes.values("child__home_la").annotate(
            **{c.value: Count("id", filter=Q(category=c)) for c in figures.CATEGORIES}
        ):
            counts: dict[str, Any] = dict(by_category)
            found[counts["child__home_la"]] = {c: counts[c.value] for c in figures.CATEGORIES}
        what = "by category"
    return CountTable(
        title=f"Missing and away incidents in {regions().get(region_code, region_code)}, "
        f"{year.label}",
        definition=f"Incidents: episodes that began from 1 April {year.year - 1} to 31 March "
        f"{year.year} (UK time), by the child's home council and {what}. Counts from 1 to 5 "
        "are shown as c, and further cells are hidden where they could otherwise be worked "
        "out from the totals. Regional and national totals are rounded to the nearest 10; council "
        "totals "
        "are not rounded. 0 means none.",
        row_labels=[name for _, name in councils],
        column_labels=columns,
        cells=[[found.get(pk, {}).get(k, 0) for k in keys] for pk, _ in councils],
    )


def regional_table(
    region: str, year: int, breakdown: str
) -> tuple[CountTable, disclosure.ProtectedTable]:
    """The counts and the same table suppressed and rounded for publication."""
    counts = regional_counts(region, CollectionYear(year), breakdown)
    protected = disclosure.protect(
        row_labels=counts.row_labels,
        column_labels=counts.column_labels,
        cells=counts.cells,
        total_label="England total" if region == ENGLAND else "Region total",
    )
    return counts, protected
