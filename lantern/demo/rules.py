"""Small pure rules shared by the generator and the showcase children."""

import random
from datetime import UTC, date, datetime
from decimal import Decimal

from lantern.demo.reference import Point
from lantern.geo import postcodes

RHI_HOURS = 72

# Police grading schemes by date (domain §2.2). The ACPO 2013 two-tier scheme ran from April 2013
# to January 2017. When forces moved from "no apparent risk (absent)" to "very low" is not
# verified (domain §8 item 2): the 2021 switch below is an arbitrary synthetic choice.
ACPO_2013_FROM = datetime(2013, 4, 1, tzinfo=UTC)
APP_2017_FROM = datetime(2017, 1, 1, tzinfo=UTC)
APP_CURRENT_FROM = datetime(2021, 1, 1, tzinfo=UTC)


def grade_as_recorded(rng: random.Random, at: datetime, grade: str) -> tuple[str, str]:
    """(grade, scheme) as a force would have recorded a current-scheme grade at the time."""
    if at >= APP_CURRENT_FROM:
        return grade, "app_current"
    if at >= APP_2017_FROM:
        return ("nar_absent" if grade == "very_low" else grade), "app_2017"
    if at >= ACPO_2013_FROM:
        if grade in ("very_low", "low") and rng.random() < 0.5:
            return "absent_2013", "acpo_2013"
        return ("low" if grade == "very_low" else grade), "acpo_2013"
    return ("low" if grade == "very_low" else grade), "acpo_2010"


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC)


def miles(a: Point, b: Point) -> Decimal:
    """PL_DISTANCE between two sampled postcodes, exactly as lantern.geo derives it."""
    return postcodes.distance_miles(
        postcodes.PostcodeInfo(a.postcode, a.ltla, a.utla, a.easting, a.northing),
        postcodes.PostcodeInfo(b.postcode, b.ltla, b.utla, b.easting, b.northing),
    )
