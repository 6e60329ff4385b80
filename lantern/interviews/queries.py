"""Reads for return interviews. Callers have already passed the access policy for the child."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet

from lantern.episodes import rules
from lantern.episodes.models import Category, MissingEpisode
from lantern.interviews.models import Direction, ReturnInterview, Status
from lantern.people.models import Child


@dataclass(frozen=True)
class InterviewState:
    """Where the 72-hour return interview clock stands for one episode (domain §1.4)."""

    state: str  # "open" (not returned yet), "completed", "due" or "overdue"
    clock: rules.Clock | None
    completed: ReturnInterview | None

    @property
    def tag_colour(self) -> str:
        return {"completed": "green", "due": "yellow", "overdue": "red"}.get(self.state, "grey")


@dataclass(frozen=True)
class Timeliness:
    """For one episode an interview covers: was it completed within 72 hours of the return?"""

    episode: MissingEpisode
    clock: rules.Clock | None  # None when the interview was not completed

    @property
    def category_label(self) -> str:
        return Category(self.episode.category).label

    @property
    def due_at(self) -> datetime | None:
        return rules.rhi_due_at(self.episode.returned_at) if self.episode.returned_at else None

    @property
    def hours_after_return(self) -> int | None:
        """Whole hours from the return to the completed interview."""
        if self.clock is None or self.episode.returned_at is None:
            return None
        return 72 + self.clock.hours if self.clock.overdue else 72 - self.clock.hours

    @property
    def within(self) -> bool | None:
        return None if self.clock is None else not self.clock.overdue


def interviews_covering(episode: MissingEpisode) -> list[ReturnInterview]:
    return list(
        episode.interviews.select_related(
            "conducted_by_organisation", "offered_by_organisation"
        ).order_by("-offered_at", "-id")
    )


def interview_state(
    episode: MissingEpisode, interviews: list[ReturnInterview], now: datetime
) -> InterviewState:
    """The clock runs from the return; the first completed interview stops it."""
    if episode.returned_at is None:
        return InterviewState("open", None, None)
    completed = [i for i in interviews if i.status == Status.COMPLETED and i.completed_at]
    if completed:
        first = min(completed, key=lambda i: i.completed_at or now)
        clock = rules.rhi_clock(episode.returned_at, first.completed_at or now)
        return InterviewState("completed", clock, first)
    clock = rules.rhi_clock(episode.returned_at, now)
    return InterviewState("overdue" if clock.overdue else "due", clock, None)


def episodes_awaiting_interview(child: Child) -> QuerySet[MissingEpisode]:
    """The child's returned episodes that no completed interview covers yet, newest first."""
    completed = ReturnInterview.episodes.through.objects.filter(
        missingepisode_id=OuterRef("pk"), returninterview__status=Status.COMPLETED
    )
    return (
        MissingEpisode.objects.filter(child=child, returned_at__isnull=False)
        .exclude(Exists(completed))
        .order_by("-returned_at", "-id")
    )


def interview_with_details(pk: int) -> ReturnInterview:
    return ReturnInterview.objects.select_related(
        "child", "offered_by_organisation", "conducted_by_organisation", "recorded_by"
    ).get(pk=pk)


def factors_by_direction(interview: ReturnInterview) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {Direction.PUSH: [], Direction.PULL: []}
    for factor in interview.factors.order_by("factor"):
        found[factor.direction].append(factor.get_factor_display())
    return found


def timeliness(interview: ReturnInterview) -> list[Timeliness]:
    """Each covered episode, newest return first, with how the completion met the 72 hours."""
    episodes = interview.episodes.order_by("-returned_at", "-id")
    return [
        Timeliness(
            episode,
            rules.rhi_clock(episode.returned_at, interview.completed_at)
            if interview.completed_at and episode.returned_at
            else None,
        )
        for episode in episodes
    ]
