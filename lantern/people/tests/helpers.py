"""Build test data through the real services, so tests see what users would see."""

from datetime import date, datetime, timedelta
from typing import Any

from lantern.episodes import services as episode_services
from lantern.episodes.models import MissingEpisode
from lantern.interviews import services as interview_services
from lantern.interviews.models import ReturnInterview
from lantern.people import services as people_services
from lantern.people.models import Child


def make_child(
    actor: Any,
    *,
    first_name: str,
    last_name: str,
    home_la: Any,
    date_of_birth: date | None = None,
    **fields: Any,
) -> Child:
    return people_services.child_create(
        actor=actor,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth or date.today() - timedelta(days=15 * 365),
        home_la=home_la,
        **fields,
    )


def make_episode(
    actor: Any,
    child: Child,
    *,
    last_seen_at: datetime,
    returned_at: datetime | None = None,
    police_force: Any = None,
    **fields: Any,
) -> MissingEpisode:
    """Report an episode, and record the return if ``returned_at`` is given."""
    episode = episode_services.episode_report(
        actor=actor,
        child=child,
        setting=fields.pop("setting", "care" if child.is_looked_after else "home"),
        whereabouts=fields.pop("whereabouts", "unknown"),
        last_seen_at=last_seen_at,
        reported_at=fields.pop("reported_at", last_seen_at + timedelta(minutes=30)),
        reporter_kind=fields.pop("reporter_kind", "foster_carer"),
        police_force=police_force,
        **fields,
    )
    if returned_at is not None:
        episode = episode_services.episode_record_return(
            actor=actor,
            episode=episode,
            version=episode.version,
            returned_at=returned_at,
            return_how="police",
            found_place="Bus station",
            found_with="Two older males",
        )
    return episode


def make_interview(
    actor: Any,
    child: Child,
    episodes: list[MissingEpisode],
    *,
    status: str,
    offered_at: datetime,
    organisation: Any,
    completed_at: datetime | None = None,
    **fields: Any,
) -> ReturnInterview:
    return interview_services.interview_record(
        actor=actor,
        child=child,
        episodes=episodes,
        status=status,
        offered_at=offered_at,
        offered_by_name="Rita",
        offered_by_organisation=organisation,
        conducted_by_organisation=organisation,
        completed_at=completed_at,
        **fields,
    )
