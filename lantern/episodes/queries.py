"""Reads for the episode pages. Callers have already passed the access policy for the child."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from lantern.episodes import rules
from lantern.episodes.models import Category, MissingEpisode, PoliceGrading


@dataclass(frozen=True)
class EpisodeFacts:
    """What is derived about an episode rather than recorded."""

    category_label: str
    ssda903_code: str | None
    duration: timedelta
    duration_text: str
    duration_band: str


def episode_with_details(pk: int) -> MissingEpisode:
    return MissingEpisode.objects.select_related(
        "child",
        "missing_from_la",
        "reporting_organisation",
        "police_force",
        "found_la",
        "found_force",
        "recorded_by",
        "recording_organisation",
    ).get(pk=pk)


def gradings_for(episode: MissingEpisode) -> list[PoliceGrading]:
    """The police risk grading history, newest first."""
    return list(
        PoliceGrading.objects.filter(episode=episode)
        .select_related("organisation", "recorded_by")
        .order_by("-graded_at", "-id")
    )


def episode_facts(episode: MissingEpisode, now: datetime) -> EpisodeFacts:
    length = rules.duration(episode.last_seen_at, episode.returned_at, now)
    return EpisodeFacts(
        category_label=Category(episode.category).label,
        ssda903_code=rules.ssda903_code(episode.category),
        duration=length,
        duration_text=rules.format_duration(length),
        duration_band=rules.duration_band(length),
    )
