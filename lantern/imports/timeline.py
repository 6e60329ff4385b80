"""Turning date-only periods (the 903 has no times) into date-times Lantern can hold.

A missing episode needs a moment it began and ended, the return after the start, and no two of
a child's episodes may overlap, though one may end at the moment the next begins. A 903 period is
only a start date and an end date, and DfE allows back-to-back and same-day periods. Each period
is placed at midday on its dates, pushed along the day past anything already there, so that every
period keeps its UK calendar dates (and so exports back to the same row) and nothing overlaps.
Pure: no database.
"""

from bisect import bisect_right
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import NamedTuple

from lantern.imports.files import at_uk, uk_date

STEP = timedelta(minutes=1)
NOON = 12

Interval = tuple[datetime, datetime | None]


class Period(NamedTuple):
    start: date
    end: date | None
    # An episode already in Lantern keeps the moment it began; only its end is placed.
    pinned_start: datetime | None = None


# An import places hundreds of thousands of periods on a few thousand different days.
_NOONS: dict[date, datetime] = {}
_MIDNIGHTS: dict[date, datetime] = {}


def _noon(day: date) -> datetime:
    moment = _NOONS.get(day)
    if moment is None:
        moment = at_uk(day, NOON)
        if len(_NOONS) < 100_000:
            _NOONS[day] = moment
    return moment


def _next_midnight(day: date) -> datetime:
    moment = _MIDNIGHTS.get(day)
    if moment is None:
        moment = at_uk(day + timedelta(days=1))
        if len(_MIDNIGHTS) < 100_000:
            _MIDNIGHTS[day] = moment
    return moment


def _covering(
    start: datetime, placed: Sequence[Interval], starts: list[datetime]
) -> Interval | None:
    """The first interval (in start order) that holds ``start``, for intervals that may overlap."""
    for a, b in placed:
        if a <= start and (b is None or b > start):
            return (a, b)
        if a > start:
            return None
    return None


def _covering_disjoint(
    start: datetime, placed: Sequence[Interval], starts: list[datetime]
) -> Interval | None:
    """The same answer when no two intervals overlap: only the last one to begin by ``start``
    can hold it."""
    index = bisect_right(starts, start)
    if index:
        a, b = placed[index - 1]
        if b is None or b > start:
            return (a, b)
    return None


def _disjoint(intervals: Sequence[Interval]) -> bool:
    return all(
        earlier[1] is not None and earlier[1] <= later[0] for earlier, later in pairwise(intervals)
    )


def place_periods(fixed: Sequence[Interval], periods: Sequence[Period]) -> list[Interval | None]:
    """Date-times for each period, in the order given (sort by start, then end, open last).

    ``fixed`` are the child's episodes that stay as they are. A period that cannot be placed
    without overlapping something gets None: its dates overlap, and the caller reports it.
    """
    placed: list[Interval] = sorted(
        fixed, key=lambda iv: (iv[0], iv[1] or datetime.max.replace(tzinfo=iv[0].tzinfo))
    )
    starts = [iv[0] for iv in placed]
    # Every interval placed here fits between the others, so a list that starts disjoint stays
    # disjoint: then a binary search finds what holds a moment.
    covering: Callable[[datetime, Sequence[Interval], list[datetime]], Interval | None] = (
        _covering_disjoint if _disjoint(placed) else _covering
    )
    result: list[Interval | None] = []
    for period in periods:
        if period.pinned_start is not None:
            start = period.pinned_start
            if covering(start, placed, starts) is not None:
                result.append(None)
                continue
        else:
            start = _noon(period.start)
            next_midnight = _next_midnight(period.start)
            blocked = False
            while (cover := covering(start, placed, starts)) is not None:
                end_of_cover = cover[1]
                if end_of_cover is None or end_of_cover >= next_midnight:
                    blocked = True
                    break
                start = end_of_cover
            if blocked:
                result.append(None)
                continue
        # Placed is in start order: the first to begin after ``start`` follows it.
        index = bisect_right(starts, start)
        following = placed[index] if index < len(placed) else None
        if period.end is None:
            if following is not None:
                result.append(None)
                continue
            end: datetime | None = None
        else:
            noon = _noon(period.end)
            end = max(noon, start + STEP)
            if following is not None and following[0] < end:
                if uk_date(following[0]) == period.end and following[0] > start:
                    end = following[0]
                else:
                    result.append(None)
                    continue
            if end is not noon and uk_date(end) != period.end:
                result.append(None)
                continue
        interval = (start, end)
        placed.insert(index, interval)
        starts.insert(index, start)
        result.append(interval)
    return result
