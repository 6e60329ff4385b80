"""Reads for the home worklist: what needs doing now, for the children the user may see.

Every list starts from ``policy.children_visible_to(user)`` (AC2), as an uncorrelated subquery,
and each is one or two queries however many rows it holds.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, OuterRef, Subquery
from django.utils import timezone

from lantern.accounts import policy
from lantern.episodes import rules as episode_rules
from lantern.episodes.models import Grade, MissingEpisode, PoliceGrading
from lantern.interviews.models import ReturnInterview, Status
from lantern.people.models import Child
from lantern.people.queries import CLOSED_INTERVIEW_STATUSES, category_label, grade_colour

LIST_LIMIT = 200
# Returns older than this drop off the overdue list: the interview is long overdue and the
# record, not the worklist, is where that shows.
OVERDUE_WINDOW_DAYS = 30


@dataclass(frozen=True)
class OpenEpisodeRow:
    episode: MissingEpisode
    category: str
    missing_for: str
    grade: str
    grade_label: str
    grade_colour: str


@dataclass(frozen=True)
class InterviewDueRow:
    episode: MissingEpisode
    clock: episode_rules.Clock
    interview_status: str  # an interview offered or accepted but not yet done, or ""


@dataclass(frozen=True)
class FrequentRow:
    child: Child
    episodes: int
    last_seen_at: datetime
    missing_now: bool


@dataclass(frozen=True)
class Worklist:
    open_episodes: list[OpenEpisodeRow]
    overdue: list[InterviewDueRow]
    due: list[InterviewDueRow]
    frequent: list[FrequentRow]
    frequent_count: int
    frequent_days: int
    due_hours: int
    overdue_window_days: int
    limit: int

    @property
    def interviews_waiting(self) -> list[InterviewDueRow]:
        return self.overdue + self.due

    @property
    def child_ids(self) -> list[int]:
        """Every child named on the page, for the audit."""
        ids = {row.episode.child_id for row in self.open_episodes}
        ids |= {row.episode.child_id for row in self.interviews_waiting}
        ids |= {row.child.pk for row in self.frequent}
        return sorted(ids)


def open_episodes(user: Any, *, now: datetime, limit: int = LIST_LIMIT) -> list[OpenEpisodeRow]:
    """Children missing now, missing longest first, with the latest police grading."""
    latest_grade = PoliceGrading.objects.filter(episode=OuterRef("pk")).order_by(
        "-graded_at", "-id"
    )
    episodes = (
        MissingEpisode.objects.filter(
            child__in=policy.children_visible_to(user), returned_at__isnull=True
        )
        .select_related("child", "missing_from_la")
        .annotate(latest_grade=Subquery(latest_grade.values("grade")[:1]))
        .order_by("last_seen_at", "id")[:limit]
    )
    labels = dict(Grade.choices)
    return [
        OpenEpisodeRow(
            episode=e,
            category=category_label(e.category),
            missing_for=episode_rules.format_duration(
                episode_rules.duration(e.last_seen_at, None, now)
            ),
            grade=e.latest_grade or "",
            grade_label=labels.get(e.latest_grade, "Not graded"),
            grade_colour=grade_colour(e.latest_grade or ""),
        )
        for e in episodes
    ]


def interviews_due(
    user: Any, *, now: datetime, window_days: int = OVERDUE_WINDOW_DAYS, limit: int = LIST_LIMIT
) -> tuple[list[InterviewDueRow], list[InterviewDueRow]]:
    """Returns still waiting for a return interview, as (overdue, due).

    An episode waits until an interview covering it is completed, declined or not completed.
    Overdue comes longest overdue first; due comes least time left first.
    """
    hours = settings.LANTERN["RHI_DUE_HOURS"]
    in_progress = (
        ReturnInterview.episodes.through.objects.filter(
            missingepisode_id=OuterRef("pk"),
            returninterview__status__in=[Status.OFFERED, Status.ACCEPTED],
        )
        .order_by("-returninterview__offered_at")
        .values("returninterview__status")[:1]
    )
    waiting = (
        MissingEpisode.objects.filter(child__in=policy.children_visible_to(user))
        .exclude(interviews__status__in=CLOSED_INTERVIEW_STATUSES)
        .select_related("child")
        .annotate(interview_status=Subquery(in_progress))
        .order_by("returned_at", "id")
    )
    deadline = now - timedelta(hours=hours)
    labels = dict(Status.choices)

    def rows(episodes: Any) -> list[InterviewDueRow]:
        return [
            InterviewDueRow(
                e,
                episode_rules.rhi_clock(e.returned_at, now, hours),
                labels.get(e.interview_status or "", ""),
            )
            for e in episodes[:limit]
        ]

    # Oldest return first: most overdue first, then least time left.
    overdue = rows(
        waiting.filter(returned_at__gte=now - timedelta(days=window_days), returned_at__lt=deadline)
    )
    due = rows(waiting.filter(returned_at__gte=deadline, returned_at__lte=now))
    return overdue, due


def frequently_missing(user: Any, *, now: datetime, limit: int = LIST_LIMIT) -> list[FrequentRow]:
    """Children with at least FREQUENT_MISSING_COUNT episodes in FREQUENT_MISSING_DAYS days."""
    count = settings.LANTERN["FREQUENT_MISSING_COUNT"]
    days = settings.LANTERN["FREQUENT_MISSING_DAYS"]
    grouped = list(
        MissingEpisode.objects.filter(
            child__in=policy.children_visible_to(user),
            last_seen_at__gt=now - timedelta(days=days),
            last_seen_at__lte=now,
        )
        .values("child_id")
        .annotate(n=Count("id"), last=Max("last_seen_at"))
        .filter(n__gte=count)
        .order_by("-n", "-last", "child_id")[:limit]
    )
    if not grouped:
        return []
    ids = [row["child_id"] for row in grouped]
    children = Child.objects.select_related("home_la").in_bulk(ids)
    missing_now = set(
        MissingEpisode.objects.filter(child_id__in=ids, returned_at__isnull=True).values_list(
            "child_id", flat=True
        )
    )
    return [
        FrequentRow(
            children[row["child_id"]], row["n"], row["last"], row["child_id"] in missing_now
        )
        for row in grouped
        if row["child_id"] in children
    ]


def worklist_for(user: Any, *, now: datetime | None = None) -> Worklist:
    """Everything on the home worklist for a user who may open records."""
    now = now or timezone.now()
    overdue, due = interviews_due(user, now=now)
    return Worklist(
        open_episodes=open_episodes(user, now=now),
        overdue=overdue,
        due=due,
        frequent=frequently_missing(user, now=now),
        frequent_count=settings.LANTERN["FREQUENT_MISSING_COUNT"],
        frequent_days=settings.LANTERN["FREQUENT_MISSING_DAYS"],
        due_hours=settings.LANTERN["RHI_DUE_HOURS"],
        overdue_window_days=OVERDUE_WINDOW_DAYS,
        limit=LIST_LIMIT,
    )
