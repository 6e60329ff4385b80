"""Pure rules about missing episodes: no database, unit-tested directly."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


def category_for(*, looked_after: bool, whereabouts_known: bool) -> str:
    """The episode category (domain §1.2): derived, never typed.

    Mirrors the database expression on ``MissingEpisode.category``.
    """
    if looked_after:
        return "away_placement" if whereabouts_known else "missing_care"
    return "away_home" if whereabouts_known else "missing_home"


def ssda903_code(category: str) -> str | None:
    """903 MISSING code: M missing from care, A away from placement; None for children at home."""
    return {"missing_care": "M", "away_placement": "A"}.get(category)


def overlaps(
    start_a: datetime, end_a: datetime | None, start_b: datetime, end_b: datetime | None
) -> bool:
    """Two episodes overlap when each starts before the other ends. Open episodes never end.

    Back to back (one returns at the moment the next begins) is not an overlap.
    """
    a_before_b_ends = end_b is None or start_a < end_b
    b_before_a_ends = end_a is None or start_b < end_a
    return a_before_b_ends and b_before_a_ends


def duration(last_seen_at: datetime, returned_at: datetime | None, now: datetime) -> timedelta:
    return (returned_at or now) - last_seen_at


def duration_band(length: timedelta) -> str:
    hours = length.total_seconds() / 3600
    if hours < 24:
        return "Under 24 hours"
    if hours < 48:
        return "1 to 2 days"
    if hours < 24 * 7:
        return "2 to 7 days"
    return "Over 7 days"


def format_duration(length: timedelta) -> str:
    total_minutes = int(length.total_seconds() // 60)
    days, rem = divmod(total_minutes, 24 * 60)
    hours, minutes = divmod(rem, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if not days and (minutes or not parts):
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


def rhi_due_at(returned_at: datetime, hours: int = 72) -> datetime:
    """An independent return interview is due within 72 hours of return (domain §1.4)."""
    return returned_at + timedelta(hours=hours)


@dataclass(frozen=True)
class Clock:
    due_at: datetime
    overdue: bool
    hours: int  # whole hours left when due, whole hours late when overdue

    @property
    def text(self) -> str:
        unit = "hour" if self.hours == 1 else "hours"
        return f"{self.hours} {unit} overdue" if self.overdue else f"{self.hours} {unit} left"


def rhi_clock(returned_at: datetime, now: datetime, hours: int = 72) -> Clock:
    """The 72-hour clock to the hour: time left, or how late."""
    due = rhi_due_at(returned_at, hours)
    seconds = (due - now).total_seconds()
    if seconds >= 0:
        return Clock(due, False, int(seconds // 3600))
    return Clock(due, True, int(-seconds // 3600))


def episodes_in_window(starts: Iterable[datetime], now: datetime, days: int) -> int:
    """Episodes that began in the last ``days`` days up to ``now``."""
    since = now - timedelta(days=days)
    return sum(1 for start in starts if since < start <= now)


def is_frequently_missing(starts: Iterable[datetime], now: datetime, count: int, days: int) -> bool:
    """ "Frequently missing": at least ``count`` episodes in the last ``days`` days (local rule)."""
    return episodes_in_window(starts, now, days) >= count
