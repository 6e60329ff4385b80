"""Turning date-only periods (the 903 has no times) into date-times Lantern can hold.

A missing episode needs a moment it began and ended, the return after the start, and no two of
a child's episodes may overlap, though one may end at the moment the next begins. A 903 period is
only a start date and an end date, and DfE allows back-to-back and same-day periods. Each period
is placed at midday on its dates, pushed along the day past anything already there, so that every
period keeps its UK calendar dates (and so exports back to the same row) and nothing overlaps.
Pure: no database.
"""

from bisect import insort
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lantern.imports.files import at_uk, uk_date

STEP = timedelta(minutes=1)
NOON = 12

Interval = tuple[datetime, datetime | None]


@dataclass(frozen=True)
class Period:
    start: date
    end: date | None
    # An episode already in Lantern keeps the moment it began; only its end is placed.
    pinned_start: datetime | None = None


def _covering(start: datetime, intervals: Sequence[Interval]) -> Interval | None:
    for a, b in intervals:
        if a <= start and (b is None or b > start):
            return (a, b)
        if a > start:
            return None
    return None


def place_periods(fixed: Sequence[Interval], periods: Sequence[Period]) -> list[Interval | None]:
    """Date-times for each period, in the order given (sort by start, then end, open last).

    ``fixed`` are the child's episodes that stay as they are. A period that cannot be placed
    without overlapping something gets None: its dates overlap, and the caller reports it.
    """
    placed: list[tuple[datetime, datetime | None]] = sorted(
        fixed, key=lambda iv: (iv[0], iv[1] or datetime.max.replace(tzinfo=iv[0].tzinfo))
    )
    result: list[Interval | None] = []
    for period in periods:
        if period.pinned_start is not None:
            start = period.pinned_start
            if _covering(start, placed) is not None:
                result.append(None)
                continue
        else:
            start = at_uk(period.start, NOON)
            next_midnight = at_uk(period.start + timedelta(days=1))
            blocked = False
            while (cover := _covering(start, placed)) is not None:
                end_of_cover = cover[1]
                if end_of_cover is None or end_of_cover >= next_midnight:
                    blocked = True
                    break
                start = end_of_cover
            if blocked:
                result.append(None)
                continue
        following = next((iv for iv in placed if iv[0] > start), None)
        if period.end is None:
            if following is not None:
                result.append(None)
                continue
            end: datetime | None = None
        else:
            end = max(at_uk(period.end, NOON), start + STEP)
            if following is not None and following[0] < end:
                if uk_date(following[0]) == period.end and following[0] > start:
                    end = following[0]
                else:
                    result.append(None)
                    continue
            if uk_date(end) != period.end:
                result.append(None)
                continue
        interval = (start, end)
        insort(placed, interval, key=lambda iv: iv[0])
        result.append(interval)
    return result
