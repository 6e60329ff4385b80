"""Small helpers to make episodes for tests, through the real services."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from lantern.episodes import services
from lantern.episodes.models import MissingEpisode
from lantern.people.models import Child
from lantern.people.services import child_create


def local_input(value: datetime) -> str:
    """A date and time as a datetime-local input sends it (to the minute, UK time)."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def to_minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def home_child(world, first_name: str = "Jayden") -> Child:
    """A Haringey child living at home (not looked after)."""
    return child_create(
        actor=world.sam,
        first_name=first_name,
        last_name="Okafor",
        date_of_birth=date.today() - timedelta(days=15 * 365),
        home_la=world.haringey,
        sex="M",
    )


def open_episode(world, child: Child, *, hours_ago: float = 30, **extra) -> MissingEpisode:
    now = timezone.now()
    fields = {
        "setting": "care",
        "whereabouts": "unknown",
        "last_seen_at": now - timedelta(hours=hours_ago),
        "reported_at": now - timedelta(hours=hours_ago - 1),
        "reporter_kind": "foster_carer",
        "police_force": world.met,
    }
    fields.update(extra)
    return services.episode_report(actor=world.sam, child=child, **fields)


def returned_episode(
    world, child: Child, *, hours_ago: float = 30, back_hours_ago: float = 2
) -> MissingEpisode:
    episode = open_episode(world, child, hours_ago=hours_ago)
    return services.episode_record_return(
        actor=world.sam,
        episode=episode,
        version=episode.version,
        returned_at=timezone.now() - timedelta(hours=back_hours_ago),
        return_how="police",
    )
