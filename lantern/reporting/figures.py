"""Monthly figures and KPIs for a local authority or for England: aggregate queries only.

Every figure is a GROUP BY with conditional counts, so the work stays in the database at national
scale, and every figure carries a definition saying what is counted and by which dates (domain
§6.2: incidents and children are shown separately because they are easily confused).

Whose episodes: for a local authority, the episodes of children it is responsible for, that is
children whose home authority it is, and children it has placed (a child placed by Haringey in
Kent is Haringey's). For England, every episode, attributed to the child's home authority when
broken down by authority. Records merged into another child's record are left out.
"""

from calendar import monthrange
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import (
    Cast,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    TruncDate,
    TruncMonth,
)
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from lantern.accounts.models import Organisation
from lantern.episodes import rules
from lantern.episodes.models import Category, Grade, MissingEpisode, PoliceGrading
from lantern.interviews.models import ExploitationType, ReturnInterview, Status
from lantern.people.codes import Sex
from lantern.people.models import Child, Placement, PlacementLocation

CATEGORIES = [
    Category.MISSING_FROM_HOME,
    Category.AWAY_FROM_HOME,
    Category.MISSING_FROM_CARE,
    Category.AWAY_FROM_PLACEMENT,
]
AGE_BANDS = [  # DfE's bands for looked-after children who went missing (domain §3.5)
    ("Under 1", 0, 0),
    ("1 to 4", 1, 4),
    ("5 to 9", 5, 9),
    ("10 to 15", 10, 15),
    ("16 and over", 16, 200),
]
# Bands of rules.duration_band, by their lower edge in hours (a test keeps them in step).
DURATION_EDGES_HOURS = [0, 24, 48, 24 * 7]
NOT_RETURNED = "Not returned yet"
NOT_GRADED = "Not graded by police"
LEGACY_GRADES = frozenset({Grade.NO_APPARENT_RISK_ABSENT, Grade.ABSENT_2013})


def rhi_due_hours() -> int:
    return int(getattr(settings, "LANTERN", {}).get("RHI_DUE_HOURS", 72))


# --- Periods ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole calendar months in UK time: from ``start`` (inclusive) to ``end`` (exclusive)."""

    start: datetime
    end: datetime

    @classmethod
    def months_to(cls, year: int, month: int, count: int = 1) -> "Period":
        """``count`` months ending with the given month."""
        first_year, first_month = year, month - count + 1
        while first_month < 1:
            first_month += 12
            first_year -= 1
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        tz = timezone.get_default_timezone()
        return cls(
            datetime(first_year, first_month, 1, tzinfo=tz),
            datetime(next_year, next_month, 1, tzinfo=tz),
        )

    @property
    def last_day(self) -> datetime:
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        first, last = self.start, self.last_day
        if (first.year, first.month) == (last.year, last.month):
            return f"{first:%B %Y}"
        return f"{first:%B %Y} to {last:%B %Y}"

    @property
    def dates_text(self) -> str:
        last = self.last_day
        _, days = monthrange(last.year, last.month)
        return f"1 {self.start:%B %Y} to {days} {last:%B %Y} (UK time)"

    @property
    def month_count(self) -> int:
        last = self.last_day
        return (last.year - self.start.year) * 12 + last.month - self.start.month + 1


# --- Result shapes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stat:
    key: str
    label: str
    value: float | int | None
    text: str
    definition: str


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    definition: str
    columns: list[str]
    rows: list[list[object]]  # the first cell of each row is its label

    @property
    def is_empty(self) -> bool:
        return not any(isinstance(v, int | float) and v for row in self.rows for v in row[1:])


@dataclass
class Figures:
    scope: str
    period: Period
    stats: list[Stat] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def stat(self, key: str) -> Stat:
        return next(s for s in self.stats if s.key == key)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def csv_rows(self) -> list[list[object]]:
        """Long format: one value per line with its definition, for spreadsheets."""
        rows: list[list[object]] = []
        for s in self.stats:
            rows.append([self.scope, self.period.label, s.label, "", "", s.value, s.definition])
        for t in self.tables:
            for row in t.rows:
                for column, value in zip(t.columns[1:], row[1:], strict=True):
                    rows.append(
                        [
                            self.scope,
                            self.period.label,
                            t.title,
                            row[0],
                            column,
                            value,
                            t.definition,
                        ]
                    )
        return rows

    CSV_HEADER = ["Area", "Period", "Measure", "Breakdown", "Column", "Value", "Definition"]


# --- Scope --------------------------------------------------------------------------------------


def episodes_in_scope(la: Organisation | None) -> QuerySet[MissingEpisode]:
    """Episodes of the council's children (or every child), leaving out merged records.

    Written as IN and NOT IN over small child-id subqueries rather than joins, so PostgreSQL
    hashes a few thousand ids instead of scanning every child to join them.
    """
    merged = Child.objects.filter(merged_into__isnull=False)
    qs = MissingEpisode.objects.all()
    # Checked first (an index lookup): with no merged records the planner's row estimates stay
    # exact, and it joins children by index instead of hashing all of them.
    if merged.exists():
        qs = qs.exclude(child_id__in=merged.values("pk"))
    if la is None:
        return qs
    own = Child.objects.filter(home_la=la).values("pk")
    placed = Placement.objects.filter(placing_la=la).values("child_id")
    return qs.filter(Q(child_id__in=own) | Q(child_id__in=placed))


def _pct(part: int, whole: int) -> str:
    return f"{part:,} ({100 * part / whole:.0f}%)" if whole else f"{part:,}"


def age_expression(seen: str = "last_seen_at", dob: str = "child__date_of_birth") -> Func:
    """Age in whole years on the UK date the episode began, computed in SQL on any database.

    Grouped on as a number and turned into bands in Python (``age_band``): a CASE chain over
    this expression would be evaluated once per band and row.
    """
    seen_md = ExtractMonth(seen) * 100 + ExtractDay(seen)
    dob_md = ExtractMonth(dob) * 100 + ExtractDay(dob)
    birthday_to_come = Case(
        When(GreaterThan(dob_md, seen_md), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return Cast(ExtractYear(seen) - ExtractYear(dob) - birthday_to_come, IntegerField())


def age_band(age: int | None) -> str:
    for label, low, high in AGE_BANDS:
        if age is not None and low <= age <= high:
            return label
    return "Not known"


def _started(la: Organisation | None, period: Period) -> QuerySet[MissingEpisode]:
    return episodes_in_scope(la).filter(last_seen_at__gte=period.start, last_seen_at__lt=period.end)


def _started_text(period: Period) -> str:
    return f"episodes that began (the child was last seen) from {period.dates_text}"


# --- The figures --------------------------------------------------------------------------------


def category_table(la: Organisation | None, period: Period) -> tuple[Table, dict[str, int]]:
    """Incidents and distinct children by category, with totals, in one query."""
    aggregates: dict[str, Count] = {
        "all_n": Count("id"),
        "all_c": Count("child_id", distinct=True),
    }
    for category in CATEGORIES:
        aggregates[f"{category}_n"] = Count("id", filter=Q(category=category))
        aggregates[f"{category}_c"] = Count("child_id", distinct=True, filter=Q(category=category))
    counts = _started(la, period).aggregate(**aggregates)
    rows: list[list[object]] = [
        [category.label, counts[f"{category}_n"], counts[f"{category}_c"]]
        for category in CATEGORIES
    ]
    rows.append(["All episodes", counts["all_n"], counts["all_c"]])
    table = Table(
        "categories",
        "Episodes and children by category",
        f"Incidents: {_started_text(period)}, by category. Children: how many different children "
        "had at least one such episode; a child who went missing three times is one child and "
        "three incidents. A child with episodes in two categories is counted in both, so the "
        "children column does not add up to the total. The category is fixed when the episode "
        "is reported: missing (whereabouts not known) or away (known), from home or, for a "
        "looked-after child, from care.",
        ["Category", "Incidents", "Children"],
        rows,
    )
    return table, counts


def repeat_stats(la: Organisation | None, period: Period) -> tuple[int, int]:
    """(children with an episode, children with two or more) in one grouped query."""
    per_child = _started(la, period).values("child_id").annotate(n=Count("id"))
    result = per_child.aggregate(
        children=Count("child_id"), repeat=Count("child_id", filter=Q(n__gte=2))
    )
    return result["children"] or 0, result["repeat"] or 0


def duration_table(la: Organisation | None, period: Period) -> Table:
    edges = DURATION_EDGES_HOURS
    aggregates: dict[str, Count] = {"open": Count("id", filter=Q(returned_at__isnull=True))}
    for index, low in enumerate(edges):
        condition = Q(returned_at__gte=F("last_seen_at") + timedelta(hours=low))
        if index + 1 < len(edges):
            condition &= Q(returned_at__lt=F("last_seen_at") + timedelta(hours=edges[index + 1]))
        aggregates[f"band{index}"] = Count("id", filter=condition)
    counts = _started(la, period).aggregate(**aggregates)
    rows: list[list[object]] = [
        [rules.duration_band(timedelta(hours=low)), counts[f"band{index}"]]
        for index, low in enumerate(edges)
    ]
    rows.append([NOT_RETURNED, counts["open"]])
    return Table(
        "durations",
        "How long episodes lasted",
        f"Incidents: {_started_text(period)}, by the time from last seen to return or being "
        "found. Under 24 hours means less than 24 hours; 1 to 2 days is 24 hours up to 48; "
        "2 to 7 days is 48 hours up to 7 days. Episodes with no return recorded yet are shown "
        "on their own.",
        ["Duration", "Incidents"],
        rows,
    )


def rhi_table(la: Organisation | None, period: Period) -> Table:
    hours = rhi_due_hours()
    due = F("returned_at") + timedelta(hours=hours)
    completed = Q(interviews__status=Status.COMPLETED)
    # One pass: episodes joined to the interviews covering them, flags per episode, then counted.
    per_episode = (
        episodes_in_scope(la)
        .filter(returned_at__gte=period.start, returned_at__lt=period.end)
        .values("pk")
        .annotate(
            offered=Count("interviews"),
            offered_in_time=Count("interviews", filter=Q(interviews__offered_at__lte=due)),
            accepted=Count(
                "interviews", filter=Q(interviews__status__in=[Status.ACCEPTED, Status.COMPLETED])
            ),
            completed=Count("interviews", filter=completed),
            completed_in_time=Count(
                "interviews", filter=completed & Q(interviews__completed_at__lte=due)
            ),
        )
    )
    keys = ["offered", "offered_in_time", "accepted", "completed", "completed_in_time"]
    totals = per_episode.aggregate(
        n_returned=Count("pk"),
        **{f"n_{key}": Count("pk", filter=Q(**{f"{key}__gt": 0})) for key in keys},
    )
    counts = {key.removeprefix("n_"): value for key, value in totals.items()}
    whole = counts["returned"]
    labels = [
        ("returned", "Episodes that ended (child returned or found)"),
        ("offered", "Return interview offered"),
        ("offered_in_time", f"Offered within {hours} hours of return"),
        ("accepted", "Accepted by the child"),
        ("completed", "Completed"),
        ("completed_in_time", f"Completed within {hours} hours of return"),
    ]
    rows: list[list[object]] = [
        [label, counts[key], f"{100 * counts[key] / whole:.0f}%" if whole else "None"]
        for key, label in labels
    ]
    return Table(
        "rhi",
        "Return interviews after each episode",
        f"Episodes whose return (or being found) was recorded from {period.dates_text}, and "
        "whether a return interview covering that episode was offered, accepted (status "
        "accepted or completed) and completed. One interview can cover several episodes. "
        f"Within {hours} hours means no later than exactly {hours} hours after the recorded "
        "time of return, to the minute.",
        ["Measure", "Episodes", "Share of returns"],
        rows,
    )


def risk_table(la: Organisation | None, period: Period) -> Table:
    latest = (
        PoliceGrading.objects.filter(episode=OuterRef("pk"))
        .order_by("-graded_at", "-id")
        .values("grade")[:1]
    )
    grouped = (
        _started(la, period)
        .annotate(grade=Subquery(latest), age=age_expression())
        .values("child__sex", "age", "grade")
        .annotate(n=Count("id"))
    )
    cells: dict[tuple[str, str], dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
    for row in grouped:
        cells[(row["child__sex"], age_band(row["age"]))][row["grade"]] += row["n"]
    # Grades of earlier police schemes (domain §2.2) only when some episode carries one.
    seen = {grade for found in cells.values() for grade in found}
    grades: list[str | None] = [g for g in Grade.values if g not in LEGACY_GRADES or g in seen]
    grades.append(None)
    rows: list[list[object]] = []
    for sex in Sex:
        for band, _, _ in [*AGE_BANDS, ("Not known", 0, 0)]:
            found = cells.get((sex.value, band))
            if found is None:
                continue
            rows.append(
                [f"{sex.label}, {band}", *(found.get(g, 0) for g in grades), sum(found.values())]
            )
    return Table(
        "risk",
        "Police risk grading by sex and age",
        f"Incidents: {_started_text(period)}, by the child's sex, their age on the day the "
        "episode began, and the police risk grade last given to the episode (a grading can be "
        "reviewed; the latest one counts). Rows with no episodes are not shown.",
        ["Sex and age", *(Grade(g).label for g in grades if g), NOT_GRADED, "All"],
        rows,
    )


def exploitation_table(la: Organisation | None, period: Period) -> Table:
    through = ReturnInterview.episodes.through
    started_ids = _started(la, period).values("pk")
    grouped = (
        through.objects.filter(  # type: ignore[misc]  # the stubs cannot see the "age" annotation
            missingepisode_id__in=started_ids,
            returninterview__disclosures__is_exploitation_indicator=True,
            returninterview__disclosures__exploitation_type__in=ExploitationType.values,
        )
        .annotate(
            age=age_expression(
                "missingepisode__last_seen_at", "missingepisode__child__date_of_birth"
            )
        )
        .values(
            "returninterview__disclosures__exploitation_type",
            "missingepisode__child__sex",
            "age",
        )
        .annotate(n=Count("missingepisode_id", distinct=True))
    )
    cells: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in grouped:
        key = (
            row["returninterview__disclosures__exploitation_type"],
            row["missingepisode__child__sex"],
        )
        cells[key][age_band(row["age"])] += row["n"]
    # The oldest bands always; the youngest only when a child that young is counted.
    used = {band for found in cells.values() for band, n in found.items() if n}
    bands = [band for band, low, _ in AGE_BANDS if low >= 10 or band in used]
    rows: list[list[object]] = []
    for kind in ExploitationType:
        for sex in Sex:
            found = cells.get((kind.value, sex.value))
            if found:
                rows.append([f"{kind.label}: {sex.label}", *(found.get(b, 0) for b in bands)])
    return Table(
        "exploitation",
        "Exploitation disclosed in return interviews, by sex and age",
        f"Incidents: {_started_text(period)} that are covered by a return interview in which "
        "the child disclosed something the interviewer marked as a sign of exploitation, by "
        "the type marked, the child's sex and their age when the episode began. An episode "
        "with signs of two types is counted under each.",
        ["Type and sex", *bands],
        rows,
    )


def out_of_area_table(la: Organisation | None, period: Period) -> Table:
    day = OuterRef("seen_day")
    placed_out = Placement.objects.filter(
        child_id=OuterRef("child_id"), location=PlacementLocation.OUT, started_on__lte=day
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
    if la is not None:
        placed_out = placed_out.filter(placing_la=la)
    counts = (
        _started(la, period)
        .annotate(seen_day=TruncDate("last_seen_at"))
        .filter(Exists(placed_out))
        .aggregate(
            n=Count("id"),
            c=Count("child_id", distinct=True),
            missing_n=Count("id", filter=Q(category=Category.MISSING_FROM_CARE)),
            missing_c=Count(
                "child_id", distinct=True, filter=Q(category=Category.MISSING_FROM_CARE)
            ),
            away_n=Count("id", filter=Q(category=Category.AWAY_FROM_PLACEMENT)),
            away_c=Count(
                "child_id", distinct=True, filter=Q(category=Category.AWAY_FROM_PLACEMENT)
            ),
        )
    )
    who = "this council" if la is not None else "their council"
    return Table(
        "out_of_area",
        "Children placed out of area",
        f"Incidents: {_started_text(period)} by children who, on the day the episode began, "
        f"were in a placement made by {who} outside its own area (placement location OUT, "
        "derived from the placement postcode). Children: how many different children.",
        ["Category", "Incidents", "Children"],
        [
            [Category.MISSING_FROM_CARE.label, counts["missing_n"], counts["missing_c"]],
            [Category.AWAY_FROM_PLACEMENT.label, counts["away_n"], counts["away_c"]],
            ["All episodes while placed out of area", counts["n"], counts["c"]],
        ],
    )


def flow_tables(la: Organisation | None, period: Period, limit: int = 15) -> list[Table]:
    found_elsewhere = Q(found_la__isnull=False) & ~Q(found_la=F("child__home_la"))
    definition = (
        f"Incidents: {_started_text(period)} where the child was found in (or returned from) a "
        "different local authority from their home authority, by home authority and the "
        "authority where they were found (from the postcode recorded at return). Children: how "
        "many different children. These are the routes county lines exploitation can follow."
    )
    outward = (
        _started(la, period)
        .filter(found_elsewhere)
        .values("child__home_la__name", "found_la__name")
        .annotate(n=Count("id"), c=Count("child_id", distinct=True))
        .order_by("-n", "child__home_la__name", "found_la__name")[:limit]
    )
    tables = [
        Table(
            "flows",
            "Where children were found: from home authority to another area",
            definition + (f" The {limit} largest flows are shown." if la is None else ""),
            ["From (home authority) to (where found)", "Incidents", "Children"],
            [
                [f"{r['child__home_la__name']} to {r['found_la__name']}", r["n"], r["c"]]
                for r in outward
            ],
        )
    ]
    if la is not None:
        inward = (
            episodes_in_scope(None)
            .filter(
                last_seen_at__gte=period.start,
                last_seen_at__lt=period.end,
                found_la=la,
            )
            .exclude(child__home_la=la)
            .values("child__home_la__name")
            .annotate(n=Count("id"), c=Count("child_id", distinct=True))
            .order_by("-n", "child__home_la__name")[:limit]
        )
        tables.append(
            Table(
                "flows_in",
                "Children from other areas found here",
                f"Incidents: {_started_text(period)} of children whose home authority is "
                "elsewhere and who were found in this authority's area, by home authority. "
                "Counts only: these children's records stay with the councils and forces "
                "that work with them.",
                ["Home authority", "Incidents", "Children"],
                [[r["child__home_la__name"], r["n"], r["c"]] for r in inward],
            )
        )
    return tables


def trend_table(la: Organisation | None, period: Period, months: int = 12) -> Table:
    last = period.last_day
    window = Period.months_to(last.year, last.month, months)
    aggregates = {
        f"{category}": Count("id", filter=Q(category=category)) for category in CATEGORIES
    }
    grouped = (
        episodes_in_scope(la)
        .filter(last_seen_at__gte=window.start, last_seen_at__lt=window.end)
        .annotate(month=TruncMonth("last_seen_at"))
        .values("month")
        .annotate(**aggregates)
        .order_by("month")
    )
    by_month = {(row["month"].year, row["month"].month): row for row in grouped}
    rows: list[list[object]] = []
    year, month = window.start.year, window.start.month
    for _ in range(months):
        row: dict[str, Any] = dict(by_month.get((year, month), {}))
        rows.append(
            [datetime(year, month, 1).strftime("%b %Y"), *(row.get(c, 0) for c in CATEGORIES)]
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return Table(
        "trend",
        f"Incidents by month, {months} months to {last:%B %Y}",
        f"Incidents: episodes that began in each calendar month (UK time), {window.dates_text}, "
        "by category.",
        ["Month", *(c.label for c in CATEGORIES)],
        rows,
    )


def by_authority_table(period: Period) -> Table:
    aggregates = {
        f"{category}": Count("id", filter=Q(category=category)) for category in CATEGORIES
    }
    grouped = (
        _started(None, period)
        .values("child__home_la__name")
        .annotate(total=Count("id"), **aggregates)
        .order_by("child__home_la__name")
    )
    return Table(
        "by_authority",
        "Incidents by home authority",
        f"Incidents: {_started_text(period)}, by the child's home authority and category.",
        ["Home authority", *(c.label for c in CATEGORIES), "All"],
        [
            [r["child__home_la__name"], *(r[c] for c in CATEGORIES), r["total"]]
            for r in map(dict, grouped)
        ],
    )


@contextmanager
def analytic_queries() -> Iterator[None]:
    """Run a batch of report queries without PostgreSQL's JIT compiler.

    Correlated subqueries (latest grading, return interviews per episode) make the planner's
    cost estimates large enough to trigger JIT, which then spends most of a second compiling
    queries that run in tens of milliseconds. SET LOCAL lasts only to the end of this
    transaction.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def monthly_figures(la: Organisation | None, period: Period) -> Figures:
    """Every figure for one authority (or England, when ``la`` is None) and period."""
    with analytic_queries():
        return _monthly_figures(la, period)


def _monthly_figures(la: Organisation | None, period: Period) -> Figures:
    scope = la.name if la is not None else "England"
    figures = Figures(scope=scope, period=period)
    categories, counts = category_table(la, period)
    children, repeat = repeat_stats(la, period)
    incidents = counts["all_n"]
    figures.stats = [
        Stat(
            "incidents",
            "Missing and away incidents",
            incidents,
            f"{incidents:,}",
            f"Every missing or away episode, of any category: {_started_text(period)}.",
        ),
        Stat(
            "children",
            "Children who went missing or were away",
            counts["all_c"],
            f"{counts['all_c']:,}",
            f"Different children with at least one episode that began from {period.dates_text}.",
        ),
        Stat(
            "per_child",
            "Episodes per child",
            round(incidents / children, 1) if children else None,
            f"{incidents / children:.1f}" if children else "None",
            "Incidents divided by children, for the same episodes. DfE reports 6.8 missing "
            "incidents per looked-after child who went missing in the year to March 2025.",
        ),
        Stat(
            "repeat_rate",
            "Children who went missing more than once",
            round(100 * repeat / children, 1) if children else None,
            _pct(repeat, children) if children else "None",
            f"Children with two or more episodes that began from {period.dates_text}, as a "
            "share of children with at least one. A one-month window undercounts repeats; "
            "choose 12 months to compare with annual figures.",
        ),
    ]
    figures.tables = [
        categories,
        rhi_table(la, period),
        duration_table(la, period),
        risk_table(la, period),
        exploitation_table(la, period),
        out_of_area_table(la, period),
        *flow_tables(la, period),
        trend_table(la, period),
    ]
    if la is None:
        figures.tables.append(by_authority_table(period))
    return figures
