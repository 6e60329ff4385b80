"""Plain records produced by the generator and written by the loader. No database here.

Organisations are referred to by key: an ONS code for local authorities and police forces, or
one of the ``DEMO_*`` keys below for the partner organisations the loader creates.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

DEMO_CHARITY = "demo:charity"
DEMO_SCHOOL = "demo:school"
DEMO_HEALTH = "demo:health"
DEMO_YJ = "demo:yj"
NHS_ISSUER = "demo:nhs"


@dataclass(slots=True)
class GenAlias:
    kind: str
    first_name: str
    last_name: str


@dataclass(slots=True)
class GenIdentifier:
    kind: str
    value: str
    issuer: str


@dataclass(slots=True)
class GenLead:
    name: str
    organisation: str
    job_title: str
    started_on: date
    ended_on: date | None
    reason_for_change: str
    user_key: str = ""


@dataclass(slots=True)
class GenPlacement:
    placing_la: str
    place: str
    provider: str
    postcode: str
    started_on: date
    ended_on: date | None
    host_la: str
    host_area_code: str
    location: str
    distance_miles: Decimal | None


@dataclass(slots=True)
class GenGrading:
    grade: str
    scheme: str
    graded_at: datetime
    graded_by_name: str
    organisation: str
    rationale: str


@dataclass(slots=True)
class GenEpisode:
    setting: str
    whereabouts: str
    looked_after: bool
    last_seen_at: datetime
    last_seen_place: str
    last_seen_postcode: str
    missing_from_la: str
    reported_at: datetime
    reporter_kind: str
    reporter_name: str
    reporting_organisation: str
    reported_to_police: bool
    police_force: str
    police_reference: str
    circumstances: str
    returned_at: datetime | None
    found_place: str
    found_postcode: str
    found_la: str
    found_force: str
    found_with: str
    return_how: str
    recording_organisation: str
    gradings: list[GenGrading] = field(default_factory=list)
    far_town: str = ""  # not stored: the town a child was found in far from home


@dataclass(slots=True)
class GenDisclosure:
    text: str
    exploitation_type: str
    is_exploitation_indicator: bool


@dataclass(slots=True)
class GenInterview:
    episodes: list[int]  # positions in the child's ``episodes`` list
    status: str
    offered_at: datetime
    offered_by_name: str
    offered_by_organisation: str
    conducted_by_organisation: str
    conducted_by_name: str
    conducted_by_role: str
    independent: bool
    completed_at: datetime | None
    not_completed_reason: str = ""
    not_completed_detail: str = ""
    where_child_was: str = ""
    with_whom: str = ""
    how_travelled: str = ""
    harm: str = ""
    agreed_actions: str = ""
    push: list[str] = field(default_factory=list)
    pull: list[str] = field(default_factory=list)
    disclosures: list[GenDisclosure] = field(default_factory=list)


@dataclass(slots=True)
class GenChild:
    number: int  # unique per load: makes identifiers unique across loads
    first_name: str
    middle_names: str
    last_name: str
    preferred_name: str
    date_of_birth: date
    sex: str
    gender: str
    ethnicity: str
    home_la: str
    home_postcode: str
    care_status: str
    legal_status: str
    learning_disability: bool
    created_at: datetime
    aliases: list[GenAlias] = field(default_factory=list)
    identifiers: list[GenIdentifier] = field(default_factory=list)
    leads: list[GenLead] = field(default_factory=list)
    placements: list[GenPlacement] = field(default_factory=list)
    episodes: list[GenEpisode] = field(default_factory=list)
    interviews: list[GenInterview] = field(default_factory=list)
    showcase: str = ""


# --- Configuration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    children: int
    seed: int
    now: datetime
    years: float  # the period most episodes fall in, ending now
    la_weights: tuple[tuple[str, float], ...]
    first_number: int = 1
    showcase: bool = True
    historic_share: float = 0.015  # children whose episodes predate the period (legacy codes)
    # Home LA -> LAs a child from there is never placed or found in (keeps the demo's Sussex
    # persona free of any Haringey link).
    excluded: tuple[tuple[str, frozenset[str]], ...] = ()

    def excluded_for(self, home: str) -> frozenset[str]:
        for code, las in self.excluded:
            if code == home:
                return las
        return frozenset()
