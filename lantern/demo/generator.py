"""The synthetic data generator: seeded, deterministic, pure. Never real people.

``generate(config)`` yields one ``GenChild`` at a time (with their aliases, identifiers, lead
professionals, placements, episodes, gradings and interviews) so national scale streams in
constant memory. Each child has its own ``random.Random`` seeded from (seed, child number), so
the output does not depend on batch sizes, and the global ``random`` is never touched.

Shapes (domain §3.5, §6.2), measured over any 12 months by ``shape``:
- a heavy repeat tail: about 6% of children account for about a third of episodes, and about
  65% of episodes are repeats (not the child's first in the period);
- ages mostly 12 to 17; looked-after children over-represented and going missing more often;
- out-of-area placements; children from London, Birmingham, Liverpool and Manchester found far
  from home in coastal and provincial towns (synthetic routes, ``reference.ROUTES``);
- police gradings mostly low or medium, some high, a few very low; legacy codes on old episodes;
- return interviews: about 63% completed within 72 hours, the rest late, declined or not
  completed with a reason; push and pull factors; disclosures, some exploitation indicators.

Names come from synthetic lists (``data/``); postcodes are real (``reference.pools``) so that
lookups work, and postcodes are not personal data.
"""

import bisect
import itertools
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from lantern.demo import identifiers as ids
from lantern.demo import reference as ref
from lantern.demo import showcase, texts
from lantern.demo.records import (
    DEMO_CHARITY,
    DEMO_HEALTH,
    DEMO_SCHOOL,
    DEMO_YJ,
    NHS_ISSUER,
    Config,
    GenAlias,
    GenChild,
    GenDisclosure,
    GenEpisode,
    GenGrading,
    GenIdentifier,
    GenInterview,
    GenLead,
    GenPlacement,
)
from lantern.demo.rules import RHI_HOURS, grade_as_recorded, midnight, miles, years_after
from lantern.people.codes import Ethnicity

T = TypeVar("T")

HISTORIC_FROM = datetime(2016, 1, 1, tzinfo=UTC)
HISTORIC_TO = datetime(2019, 12, 31, tzinfo=UTC)


# --- Configurations ---------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)


def _excluded_for_demo() -> tuple[tuple[str, frozenset[str]], ...]:
    sussex = frozenset(la for la, force in ref.force_for_la().items() if force == ref.SUSSEX_POLICE)
    return ((ref.HARINGEY, sussex),)


def demo_config(
    *, children: int = 500, seed: int = 2026, now: datetime | None = None, first_number: int = 1
) -> Config:
    """Haringey and its six neighbours, most children in Haringey, episodes over two years."""
    share = 0.4 / len(ref.DEMO_NEIGHBOURS)
    return Config(
        children=children,
        seed=seed,
        now=_now(now),
        years=2.0,
        la_weights=((ref.HARINGEY, 0.6), *((code, share) for code in ref.DEMO_NEIGHBOURS)),
        first_number=first_number,
        excluded=_excluded_for_demo(),
    )


def national_config(
    *,
    children: int = 200_000,
    seed: int = 2026,
    now: datetime | None = None,
    first_number: int = 1,
) -> Config:
    """All 153 English upper-tier LAs weighted by population, episodes over eight years."""
    return Config(
        children=children,
        seed=seed,
        now=_now(now),
        years=8.0,
        la_weights=tuple((code, float(pop)) for code, pop in ref.utla_population().items()),
        first_number=first_number,
        excluded=_excluded_for_demo(),
    )


# --- Weighted choices -------------------------------------------------------------------------


class Picker:
    """Weighted choice with precomputed cumulative weights (fast for repeated draws)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs: Iterable[tuple[Any, float]]) -> None:
        pairs = list(pairs)
        self.items = [item for item, _ in pairs]
        self.cum = list(itertools.accumulate(weight for _, weight in pairs))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


CARE = Picker([("lac", 38), ("cin", 17), ("cp", 8), ("none", 37)])
LEGAL = Picker([("C2", 50), ("V2", 28), ("C1", 14), ("E1", 3), ("J1", 3), ("L1", 2)])
SEX = Picker([("M", 52), ("F", 46.5), ("U", 1.5)])
# How often a child goes missing depends on care status: looked-after children go missing more
# often (DfE: 6.8 incidents per looked-after child who went missing, domain §3.5).
FREQ_LAC = Picker([("single", 38), ("occasional", 30), ("repeat", 23), ("frequent", 11)])
FREQ_OTHER = Picker([("single", 56), ("occasional", 29), ("repeat", 12), ("frequent", 3.5)])
START_AGE = Picker([(10, 2), (11, 4), (12, 10), (13, 16), (14, 20), (15, 20), (16, 16), (17, 6)])
# Children who go on to go missing often tend to have started young.
START_AGE_EARLY = Picker([(11, 6), (12, 22), (13, 30), (14, 24), (15, 12), (16, 6)])
ETHNICITIES = tuple(Ethnicity.values)  # WBRI, WIRI, ... NOBT, in 903 order
ETHNIC_LONDON = Picker(
    zip(
        ETHNICITIES,
        (30, 1, 12, 0.5, 1, 6, 3, 2, 5, 3, 2, 4, 3, 8, 12, 3, 1, 4, 1, 1),
        strict=True,
    )
)
ETHNIC_ELSEWHERE = Picker(
    zip(
        ETHNICITIES,
        (70, 0.5, 5, 0.5, 0.5, 3, 1, 1.5, 2, 2, 3, 1, 1, 1, 3, 1, 0.5, 2, 0.5, 1),
        strict=True,
    )
)
# Hours missing: about three quarters back within a day, 87% within two days (domain §6.2).
DURATION = Picker([((1, 12), 45), ((12, 24), 28), ((24, 48), 14), ((48, 168), 10), ((168, 720), 3)])
REPORT_DELAY = Picker([((0.25, 1), 30), ((1, 4), 45), ((4, 12), 20), ((12, 48), 5)])
HOUR = Picker(
    zip(
        range(24),
        (2, 1, 1, 1, 1, 1, 1, 2, 3, 3, 3, 3, 4, 4, 5, 7, 8, 8, 8, 8, 8, 7, 5, 3),
        strict=True,
    )
)
# Children's Society on NCA 2018/19 data: 43% returned by themselves, police found 29%.
RETURN_HOW = Picker(
    [("self", 43), ("police", 29), ("carer_family", 18), ("other_agency", 7), ("unknown", 3)]
)
GRADE = Picker([("very_low", 6), ("low", 44), ("medium", 40), ("high", 10)])
GRADE_RISKY = Picker([("very_low", 1), ("low", 19), ("medium", 52), ("high", 28)])
RHI_OUTCOME = Picker([("in_time", 64), ("late", 14), ("declined", 12), ("not_completed", 10)])
NOT_COMPLETED = Picker(
    [
        ("no_contact", 40),
        ("missing_again", 30),
        ("carer_refused", 10),
        ("child_declined", 10),
        ("other", 10),
    ]
)
EXPLOIT_TYPE = Picker(
    [("county_lines", 40), ("cce", 20), ("cse", 25), ("gang", 8), ("online", 4), ("financial", 3)]
)
REPORTER_HOME = Picker(
    [
        ("parent_carer", 56),
        ("school", 9),
        ("police", 9),
        ("social_worker", 7),
        ("charity", 4),
        ("health", 4),
        ("other", 8),
        ("self", 3),
    ]
)
_CARE_REPORTERS = [
    ("social_worker", 12),
    ("police", 8),
    ("school", 5),
    ("other", 4),
    ("health", 3),
    ("charity", 2),
]
REPORTER_FOSTER = Picker([("foster_carer", 66), *_CARE_REPORTERS])
REPORTER_HOME_CARE = Picker([("childrens_home", 66), *_CARE_REPORTERS])
REPORTER_EDUCATION = Picker([("school", 80), ("parent_carer", 10), ("police", 10)])
REPORTER_OTHER = Picker([("police", 40), ("parent_carer", 25), ("other", 20), ("health", 15)])
EXPLOIT_CHANCE = {"single": 0.02, "occasional": 0.08, "repeat": 0.25, "frequent": 0.4}
LEAD_CHANGES_LAC = Picker([(0, 25), (1, 25), (2, 20), (3, 15), (4, 10), (5, 5)])
LEAD_CHANGES_OTHER = Picker([(0, 50), (1, 35), (2, 15)])
GRADES = ("very_low", "low", "medium", "high")
MAX_CAREER_YEARS = 6.0


def _choice(rng: random.Random, options: Sequence[T]) -> T:
    """rng.choice without its rejection loop: several times faster, equally deterministic."""
    return options[int(rng.random() * len(options))]


def _below(rng: random.Random, low: int, high: int | None = None) -> int:
    """A whole number in [low, high), or [0, low) when high is not given."""
    if high is None:
        low, high = 0, low
    return low + int(rng.random() * (high - low))


def _sample(rng: random.Random, options: Sequence[T], count: int) -> list[T]:
    """``count`` distinct items (for the small counts the generator needs)."""
    size = len(options)
    if count <= 0 or size == 0:
        return []
    first = int(rng.random() * size)
    if count == 1 or size == 1:
        return [options[first]]
    second = int(rng.random() * (size - 1))
    second += second >= first
    if count == 2:
        return [options[first], options[second]]
    return [
        options[first],
        options[second],
        *rng.sample([o for i, o in enumerate(options) if i not in (first, second)], count - 2),
    ]


_LA_PICKERS: dict[tuple[tuple[str, float], ...], Picker] = {}


def _la_picker(weights: tuple[tuple[str, float], ...]) -> Picker:
    picker = _LA_PICKERS.get(weights)
    if picker is None:
        picker = _LA_PICKERS[weights] = Picker(weights)
    return picker


def _at_hour(rng: random.Random, day: datetime) -> datetime:
    return day.replace(hour=HOUR(rng), minute=_below(rng, 60), second=0, microsecond=0)


def _staff_name(rng: random.Random) -> str:
    names = ref.names()
    first = _choice(rng, names.female if rng.random() < 0.7 else names.male)
    return f"{first} {_choice(rng, names.surnames)}"


def _point(rng: random.Random, la: str) -> ref.Point:
    return _choice(rng, ref.pools().by_utla[la])


# --- A child's missing 'career' ---------------------------------------------------------------


@dataclass
class _Plan:
    offsets: list[tuple[float, float]]  # (start day from the career start, hours missing)
    days: list[float]  # the start days alone, for bisecting
    length_days: float


def _career(rng: random.Random, frequency: str) -> _Plan:
    if frequency == "single":
        count, mean_gap = 1, 0.0
    elif frequency == "occasional":
        count, mean_gap = min(7, 2 + int(rng.expovariate(1 / 2.2))), 560.0
    elif frequency == "repeat":
        count, mean_gap = min(30, 8 + int(rng.expovariate(1 / 4.5))), 200.0
    else:
        count, mean_gap = min(150, 28 + int(rng.expovariate(1 / 23))), 27.0
    offsets: list[tuple[float, float]] = []
    day = 0.0
    for k in range(count):
        hours = rng.uniform(*DURATION(rng))
        offsets.append((day, hours))
        if k + 1 < count:
            # The risk of going missing again is highest in the weeks straight after an episode.
            gap = rng.uniform(1, 14) if rng.random() < 0.28 else rng.expovariate(1 / mean_gap)
            day += hours / 24 + 0.5 + gap
    return _Plan(offsets, [o for o, _ in offsets], day)


def _place_in_time(
    rng: random.Random,
    plan: _Plan,
    start: datetime,
    end: datetime,
    now: datetime,
    start_age: float,
) -> tuple[date, list[tuple[datetime, datetime | None]]]:
    """Start the career at a random time so it overlaps [start, end); keep the episodes in it.

    The child is ``start_age`` when it starts. Episodes from the 18th birthday or after ``end``
    are dropped; an episode still running at ``now`` stays open and ends the career. Which
    episodes fall inside is worked out on plain numbers first (this runs millions of times).
    """
    span = (end - start).total_seconds() / 86400
    shift = rng.uniform(-plan.length_days, span)  # the career start, in days after ``start``
    career_start = start + timedelta(days=shift)
    dob = (career_start - timedelta(days=365.25 * start_age)).date()
    limit = min(span, shift + 365.25 * (18 - start_age) - 1)
    first = bisect.bisect_left(plan.days, -shift)
    last = bisect.bisect_left(plan.days, limit - shift)
    kept: list[tuple[datetime, datetime | None]] = []
    if first >= last:
        return dob, kept
    adult = years_after(dob, 18)
    previous_end: datetime | None = None
    for offset, hours in plan.offsets[first:last]:
        seen = _at_hour(rng, career_start + timedelta(days=offset))
        if previous_end is not None and seen <= previous_end + timedelta(hours=1):
            seen = previous_end + timedelta(minutes=_below(rng, 120, 1800))
        if seen < start:
            continue
        if seen >= end or seen.date() >= adult:
            break
        back = seen + timedelta(minutes=1 + int(hours * 60))
        previous_end = back
        if back > now:
            kept.append((seen, None))
            break
        kept.append((seen, back))
    return dob, kept


class _ChildBuilder:
    """Builds one child from its own seeded random stream."""

    def __init__(self, cfg: Config, index: int) -> None:
        self.cfg = cfg
        self.now = cfg.now
        self.rng = random.Random(f"lantern-demo:{cfg.seed}:{index}")
        self.number = cfg.first_number + index
        self.names = ref.names()
        self.placement_points: list[ref.Point] = []
        self.care_start: date | None = None

    def build(self) -> GenChild:
        rng, cfg = self.rng, self.cfg
        self.home = _la_picker(cfg.la_weights)(rng)
        self.excluded = cfg.excluded_for(self.home)
        self.home_point = _point(rng, self.home)
        self.partners = self.home == ref.HARINGEY  # the demo partner organisations work here
        historic = rng.random() < cfg.historic_share
        if historic:
            start, end = HISTORIC_FROM, HISTORIC_TO
        else:
            start, end = self.now - timedelta(days=365.25 * cfg.years), self.now
        care, frequency, plan = self._plan((end - start).days / 365.25)
        self.exploitation = EXPLOIT_TYPE(rng) if rng.random() < EXPLOIT_CHANCE[frequency] else ""
        routes = ref.routes_for(self.home)
        if self.exploitation == "county_lines" and not routes:
            self.exploitation = "cce"
        allowed = [d for d in routes if ref.DESTINATIONS[d].utla not in self.excluded]
        self.destinations = _sample(rng, allowed, 1 + (rng.random() < 0.35))
        sex = SEX(rng)
        if self.exploitation == "cse" and sex == "M" and rng.random() < 0.6:
            sex = "F"
        oldest = (self.now - timedelta(days=365.25 * 25)).date()
        start_ages = START_AGE if frequency in ("single", "occasional") else START_AGE_EARLY
        dob: date = date.min
        times: list[tuple[datetime, datetime | None]] = []
        for _attempt in range(40):
            dob, times = _place_in_time(
                rng, plan, start, end, self.now, start_ages(rng) + rng.random()
            )
            if times and dob >= oldest:
                break
            times = []
        if not times:  # a child who only just started going missing
            dob = (self.now - timedelta(days=365.25 * (13 + 4 * rng.random()))).date()
            seen = _at_hour(rng, self.now - timedelta(days=rng.uniform(3, 60)))
            times = [(seen, seen + timedelta(hours=rng.uniform(2, 20)))]
        self.dob = dob
        legal = LEGAL(rng) if care == "lac" else ""
        if years_after(dob, 18) <= self.now.date():
            care, legal = ("leaver" if care == "lac" else "none"), ""
        female = sex == "F" or (sex == "U" and rng.random() < 0.5)
        given = self.names.female if female else self.names.male
        first = _choice(rng, given)
        middle = _choice(rng, given) if rng.random() < 0.4 else ""
        self.child = child = GenChild(
            number=self.number,
            first_name=first,
            middle_names=middle if middle != first else "",
            last_name=_choice(rng, self.names.surnames),
            preferred_name=_choice(rng, self.names.nicknames) if rng.random() < 0.08 else "",
            date_of_birth=dob,
            sex=sex,
            gender="Non-binary" if rng.random() < 0.012 else "",
            ethnicity=(ETHNIC_LONDON if self.home.startswith("E09") else ETHNIC_ELSEWHERE)(rng),
            home_la=self.home,
            home_postcode=self.home_point.postcode,
            care_status=care,
            legal_status=legal,
            learning_disability=rng.random() < 0.06,
            created_at=times[0][0],
        )
        self._aliases()
        if care in ("lac", "leaver"):
            self._placements(times)
        for seen, back in times:
            child.episodes.append(self._episode(seen, back))
        self._leads()
        self._identifiers()
        self._interviews()
        first_contact = min([times[0][0]] + [midnight(p.started_on) for p in child.placements])
        child.created_at = max(first_contact, midnight(dob))
        return child

    def _plan(self, span_years: float) -> tuple[str, str, _Plan]:
        """Care status, frequency and career, as a child in a steady stream of children would be.

        Children start going missing at a steady rate, so a period of ``span_years`` catches a
        child whose career lasts L years with odds proportional to span + L: long careers are
        kept more often (accept-reject), which makes any 12 months look alike.
        """
        rng = self.rng
        while True:
            care = CARE(rng)
            frequency = (FREQ_LAC if care == "lac" else FREQ_OTHER)(rng)
            plan = _career(rng, frequency)
            length = min(plan.length_days / 365.25, MAX_CAREER_YEARS)
            if rng.random() * (span_years + MAX_CAREER_YEARS) < span_years + length:
                return care, frequency, plan

    def _aliases(self) -> None:
        rng, child = self.rng, self.child
        if rng.random() < 0.1:
            child.aliases.append(GenAlias("known_as", _choice(rng, self.names.nicknames), ""))
        if rng.random() < 0.05:
            child.aliases.append(GenAlias("previous", "", _choice(rng, self.names.surnames)))
        if self.exploitation and rng.random() < 0.4:
            child.aliases.append(GenAlias("street", _choice(rng, self.names.street), ""))

    # Placements ------------------------------------------------------------------------------
    def _host_la(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.55:
            return self.home
        if roll < 0.8:
            options = ref.neighbours(self.home)
        elif roll < 0.95:
            options = ref.within_miles(self.home, 30, 150)
        else:
            options = ref.all_utlas()
        options = tuple(o for o in options if o not in self.excluded) or (self.home,)
        return _choice(rng, options)

    def _placements(self, times: list[tuple[datetime, datetime | None]]) -> None:
        rng, child = self.rng, self.child
        first_seen = times[0][0].date()
        if rng.random() < 0.7:
            start = first_seen - timedelta(days=_below(rng, 30, 900))
        else:
            days = (times[-1][0].date() - first_seen).days
            start = first_seen + timedelta(days=_below(rng, days + 1))
        start = max(start, years_after(child.date_of_birth, 8))
        self.care_start = start
        adult = years_after(child.date_of_birth, 18)
        today = self.now.date()
        stop = min(today, adult)
        day = start
        while True:
            age = (day - child.date_of_birth).days / 365.25
            place, provider = self._placement_type(age)
            ended: date | None = day + timedelta(days=_below(rng, 60, 560))
            if ended is not None and ended >= stop:
                ended = None if adult > today else adult
            point = _point(rng, self._host_la())
            child.placements.append(
                GenPlacement(
                    placing_la=self.home,
                    place=place,
                    provider=provider,
                    postcode=point.postcode,
                    started_on=day,
                    ended_on=ended,
                    host_la=point.utla,
                    host_area_code=point.utla,
                    location="IN" if point.utla == self.home else "OUT",
                    distance_miles=miles(self.home_point, point),
                )
            )
            self.placement_points.append(point)
            if ended is None or ended >= stop:
                break
            day = ended

    def _placement_type(self, age: float) -> tuple[str, str]:
        rng = self.rng
        roll = rng.random()
        if age < 14:
            place = "U6" if roll < 0.55 else "U4" if roll < 0.7 else "U3" if roll < 0.8 else "K2"
        elif age < 16:
            place = "U6" if roll < 0.45 else "U3" if roll < 0.55 else "K2"
        else:
            place = "U6" if roll < 0.3 else "K2" if roll < 0.6 else "K3" if roll < 0.88 else "H5"
        if place.startswith("U"):
            provider = "PR1" if rng.random() < 0.5 else "PR4"
        elif place == "K2":
            provider = "PR4" if rng.random() < 0.75 else "PR1"
        else:
            provider = "PR4" if rng.random() < 0.7 else "PR5"
        return place, provider

    def _placement_at(self, day: date) -> int | None:
        for i, p in enumerate(self.child.placements):
            if p.started_on <= day and (p.ended_on is None or day < p.ended_on):
                return i
        return None

    # Episodes --------------------------------------------------------------------------------
    def _episode(self, seen: datetime, back: datetime | None) -> GenEpisode:
        rng, child = self.rng, self.child
        forces = ref.force_for_la()
        looked_after = self.care_start is not None and seen.date() >= self.care_start
        index = self._placement_at(seen.date()) if looked_after else None
        placement = child.placements[index] if index is not None else None
        base = self.placement_points[index] if index is not None else self.home_point
        roll = rng.random()
        if looked_after:
            if placement is not None and placement.place in ("K3", "H5"):
                setting = "supported"
            else:
                setting = "care" if roll < 0.9 else "education" if roll < 0.95 else "other"
        else:
            setting = "home" if roll < 0.88 else "education" if roll < 0.94 else "other"
        unknown = rng.random() < (0.85 if self.exploitation else 0.7)
        places: tuple[str, ...]
        if setting in ("home", "care", "supported"):
            seen_point = base
            places = texts.LAST_SEEN_HOME if setting == "home" else texts.LAST_SEEN_CARE
        else:
            seen_point = _point(rng, base.utla)
            places = texts.LAST_SEEN_EDUCATION if setting == "education" else texts.LAST_SEEN_OTHER
        seen_postcode = seen_point.postcode if rng.random() < 0.85 else ""
        missing_from = seen_point.utla
        # Anyone may report: a parent or carer, a school, a charity, not only the police.
        reporter = self._reporter(setting, placement)
        to_police = reporter == "police" or rng.random() < (0.92 if unknown else 0.6)
        force = forces.get(missing_from, "") if to_police else ""
        reporting_org = force if reporter == "police" else ""
        if reporter == "social_worker":
            reporting_org = self.home
        elif self.partners:
            reporting_org = reporting_org or {
                "school": DEMO_SCHOOL,
                "charity": DEMO_CHARITY,
                "health": DEMO_HEALTH,
                "other": DEMO_YJ,
            }.get(reporter, "")
        if reporter == "parent_carer":
            reporter_name = f"{_choice(rng, self.names.female)} {child.last_name}"
        elif reporter == "foster_carer":
            reporter_name = _staff_name(rng)
        else:
            reporter_name = texts.REPORTER_ROLE.get(reporter, "")
        delay = int(60 * rng.uniform(*REPORT_DELAY(rng)))
        if back is not None:  # reported while still missing
            delay = min(delay, int((back - seen).total_seconds() * 0.8) // 60)
        reported = min(seen + timedelta(minutes=delay), self.now)
        circumstances: tuple[str, ...]
        if looked_after:
            circumstances = texts.CIRCUMSTANCES_CARE
        elif setting == "home":
            circumstances = texts.CIRCUMSTANCES_HOME
        else:
            circumstances = texts.CIRCUMSTANCES_OTHER
        episode = GenEpisode(
            setting=setting,
            whereabouts="unknown" if unknown else "known",
            looked_after=looked_after,
            last_seen_at=seen,
            last_seen_place=_choice(rng, places),
            last_seen_postcode=seen_postcode,
            missing_from_la=missing_from,
            reported_at=reported,
            reporter_kind=reporter,
            reporter_name=reporter_name,
            reporting_organisation=reporting_org,
            reported_to_police=bool(force),
            police_force=force,
            police_reference=f"MP/{seen.year % 100:02d}/{_below(rng, 1_000_000):06d}"
            if force
            else "",
            circumstances=_choice(rng, circumstances),
            returned_at=back,
            found_place="",
            found_postcode="",
            found_la="",
            found_force="",
            found_with="",
            return_how="",
            recording_organisation=reporting_org or self.home,
        )
        if back is not None:
            self._found(episode, base, looked_after)
        if force:
            self._gradings(episode)
        return episode

    def _reporter(self, setting: str, placement: GenPlacement | None) -> str:
        if setting == "home":
            return REPORTER_HOME(self.rng)
        if setting in ("care", "supported"):
            foster = placement is not None and placement.place.startswith("U")
            return (REPORTER_FOSTER if foster else REPORTER_HOME_CARE)(self.rng)
        if setting == "education":
            return REPORTER_EDUCATION(self.rng)
        return REPORTER_OTHER(self.rng)

    def _found(self, episode: GenEpisode, base: ref.Point, looked_after: bool) -> None:
        rng = self.rng
        far_chance = 0.55 if self.exploitation in ("county_lines", "cce") else 0.0
        if self.destinations and rng.random() < far_chance:
            key = _choice(rng, self.destinations)
            point = _choice(rng, ref.pools().by_destination[key])
            town = ref.DESTINATIONS[key].town
            episode.far_town = town
            episode.return_how = "police" if rng.random() < 0.75 else "other_agency"
            episode.found_place = f"{town} town centre"
            episode.found_with = _choice(rng, texts.FOUND_WITH_EXPLOITED)
        else:
            how = RETURN_HOW(rng)
            episode.return_how = how
            roll = rng.random()
            if how == "self" or roll < 0.75:
                point = base
                episode.found_place = (
                    texts.RETURNED_PLACE_CARE if looked_after else texts.RETURNED_PLACE_HOME
                )
            else:
                options = (
                    ref.neighbours(base.utla)
                    if roll < 0.95
                    else ref.within_miles(base.utla, 30, 150)
                )
                options = tuple(o for o in options if o not in self.excluded) or (base.utla,)
                point = _point(rng, _choice(rng, options))
                episode.found_place = _choice(rng, texts.LAST_SEEN_OTHER)
            exploited = self.exploitation and rng.random() < 0.4
            episode.found_with = _choice(
                rng, texts.FOUND_WITH_EXPLOITED if exploited else texts.FOUND_WITH_LOCAL
            )
            if rng.random() < 0.15:
                return  # a place recorded without a postcode
        episode.found_postcode = point.postcode
        episode.found_la = point.utla
        episode.found_force = ref.force_for_la().get(point.utla, "")

    def _gradings(self, episode: GenEpisode) -> None:
        rng = self.rng
        ceiling = episode.returned_at or self.now
        first_at = min(episode.reported_at + timedelta(minutes=_below(rng, 5, 120)), ceiling)
        first_at = max(first_at, episode.last_seen_at)
        risky = bool(self.exploitation) or len(self.child.episodes) >= 5
        grade = (GRADE_RISKY if risky else GRADE)(rng)
        grades = [(first_at, grade)]
        if ceiling - first_at > timedelta(hours=12) and rng.random() < 0.3:
            step = 1 if rng.random() < 0.6 else -1
            review = GRADES[max(0, min(3, GRADES.index(grade) + step))]
            review_at = first_at + timedelta(minutes=_below(rng, 240, 720))
            grades.append((min(review_at, ceiling), review))
        officer = f"{_choice(rng, texts.GRADED_BY)} {_choice(rng, self.names.surnames)}"
        for at, current in grades:
            recorded, scheme = grade_as_recorded(rng, at, current)
            episode.gradings.append(
                GenGrading(
                    grade=recorded,
                    scheme=scheme,
                    graded_at=at,
                    graded_by_name=officer,
                    organisation=episode.police_force,
                    rationale=texts.RATIONALE[recorded],
                )
            )

    # Lead professionals and identifiers -------------------------------------------------------
    def _leads(self) -> None:
        rng, child = self.rng, self.child
        if not child.placements and child.care_status not in ("cin", "cp"):
            return
        lac = bool(child.placements)
        changes = (LEAD_CHANGES_LAC if lac else LEAD_CHANGES_OTHER)(rng)
        first_episode = child.episodes[0].last_seen_at.date()
        start = self.care_start or (first_episode - timedelta(days=_below(rng, 30, 400)))
        start = max(start, years_after(child.date_of_birth, 5))
        today = self.now.date()
        end = max(start, min(today, years_after(child.date_of_birth, 18)))
        span = (end - start).days
        starts = sorted(
            {start, *(start + timedelta(days=_below(rng, span + 1)) for _ in range(changes))}
        )
        titles = texts.LEAD_TITLES_LAC if lac else texts.LEAD_TITLES_CIN
        for k, started in enumerate(starts):
            ended = starts[k + 1] if k + 1 < len(starts) else None
            if ended is None and end < today:
                ended = end
            child.leads.append(
                GenLead(
                    name=_staff_name(rng),
                    organisation=self.home,
                    job_title=_choice(rng, titles),
                    started_on=started,
                    ended_on=ended,
                    reason_for_change=_choice(rng, texts.LEAD_CHANGE_REASONS) if k else "",
                )
            )

    def _identifiers(self) -> None:
        rng, child = self.rng, self.child
        number = child.number
        found = child.identifiers
        found.append(GenIdentifier("la_child_id", ids.la_child_id(number), self.home))
        if rng.random() < 0.92:
            found.append(GenIdentifier("nhs", ids.synthetic_nhs_number(number), NHS_ISSUER))
        if rng.random() < 0.87:
            upn = ids.synthetic_upn(number, ref.dfe_codes().get(self.home, ""))
            found.append(GenIdentifier("upn", upn, self.home))
        force = next((e.police_force for e in child.episodes if e.police_force), "")
        if force and rng.random() < 0.8:
            found.append(GenIdentifier("police_id", ids.police_person_id(number), force))

    # Return interviews -----------------------------------------------------------------------
    def _interviews(self) -> None:
        rng, episodes = self.rng, self.child.episodes
        k = 0
        while k < len(episodes):
            first_return = episodes[k].returned_at
            if first_return is None:
                break
            due = first_return + timedelta(hours=RHI_HOURS)
            outcome = RHI_OUTCOME(rng)
            offered = first_return + timedelta(minutes=_below(rng, 120, 1800))
            done_at: datetime | None = None
            if outcome == "in_time":
                window = int((due - offered).total_seconds()) // 60
                done_at = offered + timedelta(minutes=max(1, int(window * rng.uniform(0.05, 1))))
            elif outcome == "late":
                done_at = due + timedelta(minutes=_below(rng, 60, 14400))
            decided = done_at or (offered + timedelta(minutes=_below(rng, 240, 2880)))
            # One interview covers every episode that began before it took place.
            covered = [k]
            while (
                k + 1 < len(episodes)
                and len(covered) < 3
                and episodes[k + 1].returned_at is not None
                and episodes[k + 1].last_seen_at < decided
            ):
                k += 1
                covered.append(k)
            k += 1
            if offered > self.now:
                continue  # not offered yet: the interview is due
            if rng.random() < 0.06 and offered < self.now - timedelta(days=14):
                continue  # never offered: a gap for the worklist and reports to show
            self.child.interviews.append(self._interview(covered, outcome, offered, done_at))

    def _interview(
        self, covered: list[int], outcome: str, offered: datetime, done_at: datetime | None
    ) -> GenInterview:
        rng, child = self.rng, self.child
        org = DEMO_CHARITY if self.partners and rng.random() < 0.8 else self.home
        independent = rng.random() < 0.9
        worker = _staff_name(rng)
        interview = GenInterview(
            episodes=covered,
            status="offered",
            offered_at=offered,
            offered_by_name=worker,
            offered_by_organisation=org,
            conducted_by_organisation=org,
            conducted_by_name=worker,
            conducted_by_role="Return home interview worker" if independent else "Social worker",
            independent=independent,
            completed_at=None,
        )
        decided = done_at or offered + timedelta(hours=24)
        if decided > self.now:
            interview.status = "accepted" if done_at is not None else "offered"
        elif outcome == "declined":
            interview.status = "declined"
        elif outcome == "not_completed":
            reason = NOT_COMPLETED(rng)
            interview.status = "not_completed"
            interview.not_completed_reason = reason
            interview.not_completed_detail = texts.NOT_COMPLETED_DETAIL[reason]
        elif done_at is not None:
            interview.status = "completed"
            interview.completed_at = done_at
            self._interview_content(interview, [child.episodes[i] for i in covered])
        return interview

    def _interview_content(self, interview: GenInterview, episodes: list[GenEpisode]) -> None:
        rng = self.rng
        town = next((e.far_town for e in episodes if e.far_town), "")
        push_pool = texts.PUSH_CARE if episodes[0].looked_after else texts.PUSH
        pull_pool = texts.PULL_EXPLOITED if self.exploitation else texts.PULL
        interview.push = sorted(_sample(rng, push_pool, _below(rng, 0, 3)))
        interview.pull = sorted(_sample(rng, pull_pool, _below(rng, 0, 3)))
        if town:
            interview.where_child_was = f"In {town}, at a flat they could not give the address of"
            interview.how_travelled = _choice(rng, texts.HOW_TRAVELLED_FAR)
        else:
            interview.where_child_was = _choice(rng, texts.WHERE_LOCAL)
            interview.how_travelled = _choice(rng, texts.HOW_TRAVELLED_LOCAL)
        interview.with_whom = episodes[0].found_with or _choice(rng, texts.FOUND_WITH_LOCAL)
        interview.harm = _choice(rng, texts.HARM_SOME) if rng.random() < 0.2 else texts.HARM_NONE
        interview.agreed_actions = " ".join(_sample(rng, texts.ACTIONS, 2))
        if self.exploitation and rng.random() < 0.6:
            kind = self.exploitation
            if kind == "county_lines" and not town:
                kind = "cce"
            options = texts.DISCLOSURES[kind]
            for text in _sample(rng, options, min(2, len(options))):
                interview.disclosures.append(GenDisclosure(text.format(town=town), kind, True))
        if rng.random() < 0.35:
            text = _choice(rng, texts.DISCLOSURES_PLAIN)
            interview.disclosures.append(GenDisclosure(text, "", False))


def generate(cfg: Config) -> Iterator[GenChild]:
    """Yield ``cfg.children`` synthetic children; the showcase children come first."""
    special = showcase.showcase_children(cfg) if cfg.showcase else []
    yield from special[: cfg.children]
    for index in range(len(special), cfg.children):
        yield _ChildBuilder(cfg, index).build()


# --- Measuring the shapes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    children: int
    episodes: int
    children_in_window: int
    episodes_in_window: int
    repeat_share: float  # episodes in the window that were not the child's first in it
    top_share: float  # share of the window's episodes belonging to the top 6% of its children
    age_12_17_share: float  # episodes in the window with the child aged 12 to 17
    looked_after_share: float  # children in the window looked after at one of its episodes
    rhi_in_time_share: float  # interviews due in the window completed within 72 hours
    open_episodes: int
    far_found_share: float  # returned episodes found 50 miles or more from where they went


def shape(children: Sequence[GenChild], now: datetime, days: int = 365) -> Shape:
    """The shapes the generator aims for, over the ``days`` before ``now``."""
    since = now - timedelta(days=days)
    centres = ref.utla_centres()
    counts: list[int] = []
    ages_ok = looked_after = total = open_count = due_total = in_time = far = found = 0
    for child in children:
        total += len(child.episodes)
        open_count += sum(1 for e in child.episodes if e.returned_at is None)
        in_window = [e for e in child.episodes if since < e.last_seen_at <= now]
        if in_window:
            counts.append(len(in_window))
            looked_after += any(e.looked_after for e in in_window)
        for e in in_window:
            age = (e.last_seen_at.date() - child.date_of_birth).days / 365.25
            ages_ok += 12 <= age < 18
            if e.found_la:
                found += 1
                far += ref.miles_between(centres[e.missing_from_la], centres[e.found_la]) >= 50
        for interview in child.interviews:
            returns = [child.episodes[i].returned_at for i in interview.episodes]
            due = min(r for r in returns if r is not None) + timedelta(hours=RHI_HOURS)
            if since < due <= now:
                due_total += 1
                done = interview.completed_at
                in_time += done is not None and done <= due
    window = sum(counts)
    top = sorted(counts, reverse=True)[: max(1, round(len(counts) * 0.06))]
    return Shape(
        children=len(children),
        episodes=total,
        children_in_window=len(counts),
        episodes_in_window=window,
        repeat_share=(window - len(counts)) / window if window else 0.0,
        top_share=sum(top) / window if window else 0.0,
        age_12_17_share=ages_ok / window if window else 0.0,
        looked_after_share=looked_after / len(counts) if counts else 0.0,
        rhi_in_time_share=in_time / due_total if due_total else 0.0,
        open_episodes=open_count,
        far_found_share=far / found if found else 0.0,
    )
