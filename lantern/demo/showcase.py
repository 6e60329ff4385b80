"""Showcase children: fixed, deterministic stories that later features can be demonstrated on.

The first four are Haringey children, placed and found relative to the time of the load:

- Kai Mensah: looked after, placed out of area in an Enfield children's home, frequently missing
  (five episodes in the last 90 days), found again and again in Southend-on-Sea, with completed
  return interviews whose disclosures are marked as county lines and CCE indicators.
- Ruby Kowalski: returned about 100 hours ago and has had no return interview (overdue).
- Leah Adeyemi: missing now; police graded the risk medium, then high.
- Mason Doyle: returned about 20 hours ago; the return interview is due.
- Jordan Fraser: a Camden child found in Brighton, so Sussex Police (the demo's force with no
  Haringey link) has a record to see.

The names are combinations from the synthetic lists, not real people.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from lantern.demo import identifiers as ids
from lantern.demo import reference as ref
from lantern.demo import texts
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
from lantern.demo.rules import midnight, miles

MET = "E23000001"
ESSEX_POLICE = "E23000028"
ENFIELD = "E09000010"
SOUTHEND = "E06000033"
HARINGEY_SW = "haringey-sw"  # the demo social worker leads on Kai (see demo.users)

FREQUENT = "frequently_missing_out_of_area"
OVERDUE = "interview_overdue"
MISSING_NOW = "missing_now"
DUE = "interview_due"
FOUND_IN_SUSSEX = "found_in_sussex"
CAMDEN = "E09000007"

SHOWCASE_HINTS = (
    (
        "Kai Mensah",
        "looked after, placed in Enfield, missing five times in 90 days, found in Southend-on-Sea",
    ),
    ("Ruby Kowalski", "returned about 100 hours ago; return interview overdue"),
    ("Leah Adeyemi", "missing now; police risk graded high"),
    ("Mason Doyle", "returned about 20 hours ago; return interview due"),
    ("Jordan Fraser", "Camden child found in Brighton: Sussex Police can see this record"),
)


@dataclass
class _Ep:
    """One showcase episode, in hours before now."""

    seen_hours_ago: float
    missing_hours: float | None  # None: still missing
    grades: tuple[str, ...] = ("medium",)
    found: str = "home"  # home (back where they went missing from) or a destination key
    reporter: str = "childrens_home"
    reporting_org: str = ""
    interview: dict[str, object] = field(default_factory=dict)


def _pick(la: str, prefix: str = "", n: int = 0) -> ref.Point:
    points = [p for p in ref.pools().by_utla[la] if p.postcode.startswith(prefix)]
    return points[n % len(points)]


def _episode(
    now: datetime,
    spec: _Ep,
    *,
    base: ref.Point,
    looked_after: bool,
    rng: random.Random,
    home_la: str = ref.HARINGEY,
) -> GenEpisode:
    forces = ref.force_for_la()
    seen = (now - timedelta(hours=spec.seen_hours_ago)).replace(second=0, microsecond=0)
    back = (
        None
        if spec.missing_hours is None
        else (seen + timedelta(hours=spec.missing_hours)).replace(second=0, microsecond=0)
    )
    force = forces[base.utla]
    reported = seen + timedelta(hours=1.5)
    episode = GenEpisode(
        setting="care" if looked_after else "home",
        whereabouts="unknown",
        looked_after=looked_after,
        last_seen_at=seen,
        last_seen_place="Outside the placement" if looked_after else "Home address",
        last_seen_postcode=base.postcode,
        missing_from_la=base.utla,
        reported_at=reported,
        reporter_kind=spec.reporter,
        reporter_name=texts.REPORTER_ROLE.get(spec.reporter, "Parent"),
        reporting_organisation=spec.reporting_org or (force if spec.reporter == "police" else ""),
        reported_to_police=True,
        police_force=force,
        police_reference=f"MP/{seen.year % 100:02d}/{rng.randrange(1_000_000):06d}",
        circumstances=(
            "Was collected by a car outside the placement and did not return by curfew."
            if looked_after
            else "Did not come home after school."
        ),
        returned_at=back,
        found_place="",
        found_postcode="",
        found_la="",
        found_force="",
        found_with="",
        return_how="",
        recording_organisation=spec.reporting_org or home_la,
    )
    if back is not None:
        if spec.found == "home":
            point = base
            episode.found_place = (
                texts.RETURNED_PLACE_CARE if looked_after else texts.RETURNED_PLACE_HOME
            )
            episode.return_how = "self"
            episode.found_with = "Alone"
        else:
            destination = ref.DESTINATIONS[spec.found]
            point = ref.pools().by_destination[spec.found][int(spec.seen_hours_ago) % 7]
            episode.far_town = destination.town
            episode.found_place = f"{destination.town} town centre"
            episode.return_how = "police"
            episode.found_with = "With older males not known to the family"
        episode.found_postcode = point.postcode
        episode.found_la = point.utla
        episode.found_force = forces[point.utla]
    ceiling = back or now
    for k, grade in enumerate(spec.grades):
        at = min(reported + timedelta(minutes=30) + timedelta(hours=8 * k), ceiling)
        episode.gradings.append(
            GenGrading(
                grade=grade,
                scheme="app_current",
                graded_at=at.replace(second=0, microsecond=0),
                graded_by_name="PS Whitfield" if k == 0 else "Insp Okoro",
                organisation=force,
                rationale=texts.RATIONALE[grade],
            )
        )
    return episode


def _interview(
    child: GenChild, index: int, *, status: str, hours_after_return: float, **content: object
) -> GenInterview:
    returned = child.episodes[index].returned_at
    assert returned is not None
    offered = returned + timedelta(hours=min(6.0, hours_after_return / 2))
    interview = GenInterview(
        episodes=[index],
        status=status,
        offered_at=offered.replace(second=0, microsecond=0),
        offered_by_name="Grace Achebe",
        offered_by_organisation=DEMO_CHARITY,
        conducted_by_organisation=DEMO_CHARITY,
        conducted_by_name="Grace Achebe",
        conducted_by_role="Return home interview worker",
        independent=True,
        completed_at=None,
    )
    if status == "completed":
        done = returned + timedelta(hours=hours_after_return)
        interview.completed_at = done.replace(second=0, microsecond=0)
    for key, value in content.items():
        setattr(interview, key, value)
    return interview


def _child(cfg: Config, index: int, **fields: object) -> GenChild:
    number = cfg.first_number + index
    child = GenChild(
        number=number,
        middle_names="",
        preferred_name="",
        gender="",
        home_la=ref.HARINGEY,
        legal_status="",
        learning_disability=False,
        **fields,  # type: ignore[arg-type]
    )
    dfe = ref.dfe_codes()[ref.HARINGEY]
    child.identifiers = [
        GenIdentifier("la_child_id", ids.la_child_id(number), ref.HARINGEY),
        GenIdentifier("nhs", ids.synthetic_nhs_number(number), NHS_ISSUER),
        GenIdentifier("upn", ids.synthetic_upn(number, dfe), ref.HARINGEY),
        GenIdentifier("police_id", ids.police_person_id(number), MET),
    ]
    return child


def _years_ago(now: datetime, years: float) -> date:
    return (now - timedelta(days=365.25 * years)).date()


def _kai(cfg: Config, index: int, rng: random.Random) -> GenChild:
    now = cfg.now
    today = now.date()
    home = _pick(ref.HARINGEY, "N17", 3)
    foster = _pick(ref.HARINGEY, "N22", 5)
    home_in_enfield = _pick(ENFIELD, "EN3", 2)
    child = _child(
        cfg,
        index,
        first_name="Kai",
        last_name="Mensah",
        date_of_birth=_years_ago(now, 15.4),
        sex="M",
        ethnicity="BAFR",
        home_postcode=home.postcode,
        care_status="lac",
        created_at=midnight(today - timedelta(days=800)),
        showcase=FREQUENT,
    )
    child.legal_status = "C2"
    child.aliases = [GenAlias("known_as", "Kay", ""), GenAlias("street", "Smokes", "")]
    moved = today - timedelta(days=270)
    child.placements = [
        GenPlacement(
            ref.HARINGEY, "U6", "PR1", foster.postcode, today - timedelta(days=800), moved,
            foster.utla, foster.utla, "IN", miles(home, foster),
        ),
        GenPlacement(
            ref.HARINGEY, "K2", "PR4", home_in_enfield.postcode, moved, None,
            home_in_enfield.utla, home_in_enfield.utla, "OUT", miles(home, home_in_enfield),
        ),
    ]  # fmt: skip
    leads = [
        (800, "Amelia Hughes", ""),
        (610, "Daniel Okonkwo", "Previous social worker left the authority"),
        (400, "Priya Sharma", "Case transferred to the children in care team"),
        (270, "Tom Walsh", "Case transferred after the child moved placement"),
        (120, "Sam Patel", "Previous social worker on long-term leave"),
    ]
    for k, (days_ago, name, reason) in enumerate(leads):
        ended = today - timedelta(days=leads[k + 1][0]) if k + 1 < len(leads) else None
        child.leads.append(
            GenLead(
                name=name,
                organisation=ref.HARINGEY,
                job_title="Social worker",
                started_on=today - timedelta(days=days_ago),
                ended_on=ended,
                reason_for_change=reason,
                user_key=HARINGEY_SW if ended is None else "",
            )
        )
    specs = [
        _Ep(200 * 24, 20, ("low",), reporter="health", reporting_org=DEMO_HEALTH),
        _Ep(150 * 24, 30, ("medium",), found="southend"),
        _Ep(115 * 24, 40, ("medium",), reporter="school", reporting_org=DEMO_SCHOOL),
        _Ep(84 * 24, 52, ("medium", "high"), found="southend"),
        _Ep(63 * 24, 28, ("medium",), found="southend"),
        _Ep(41 * 24, 70, ("medium", "high"), found="southend"),
        _Ep(22 * 24, 18, ("medium",), reporter="other", reporting_org=DEMO_YJ),
        _Ep(9 * 24, 45, ("high",), found="southend"),
    ]
    for spec in specs:
        base = foster if spec.seen_hours_ago / 24 > 270 else home_in_enfield
        child.episodes.append(_episode(now, spec, base=base, looked_after=True, rng=rng))
    lines = texts.DISCLOSURES["county_lines"]
    county_lines = [
        GenDisclosure(lines[0].format(town="Southend-on-Sea"), "county_lines", True),
        GenDisclosure(lines[2].format(town="Southend-on-Sea"), "county_lines", True),
        GenDisclosure(texts.DISCLOSURES["cce"][0], "cce", True),
    ]
    content = {
        "where_child_was": "In Southend-on-Sea, at a flat they could not give the address of",
        "with_whom": "Older males not known to the family",
        "how_travelled": "By train; the ticket was bought for them",
        "harm": "Said they had not eaten for a day.",
        "agreed_actions": "Referral to the exploitation panel. "
        "Share the interview with the social worker and the police missing persons coordinator.",
        "push": ["placement"],
        "pull": ["debt", "fear", "money", "status"],
    }
    child.interviews = [
        _interview(child, 0, status="completed", hours_after_return=40),
        _interview(child, 1, status="completed", hours_after_return=60, **content),
        _interview(child, 3, status="completed", hours_after_return=30, disclosures=county_lines[:2], **content),
        _interview(child, 4, status="not_completed", hours_after_return=0,
                   not_completed_reason="no_contact",
                   not_completed_detail=texts.NOT_COMPLETED_DETAIL["no_contact"]),
        _interview(child, 5, status="completed", hours_after_return=100, disclosures=county_lines[2:], **content),
        _interview(child, 6, status="declined", hours_after_return=0),
        _interview(child, 7, status="completed", hours_after_return=48, disclosures=county_lines, **content),
    ]  # fmt: skip
    return child


def _at_home(
    cfg: Config,
    index: int,
    rng: random.Random,
    *,
    home: ref.Point,
    specs: list[_Ep],
    lead: tuple[str, int] | None = None,
    home_la: str = ref.HARINGEY,
    **fields: object,
) -> GenChild:
    """A child living at home (not looked after) with their episodes, all from ``home``.

    ``lead`` is the social worker's name and how many days ago they took the case on.
    """
    now = cfg.now
    child = _child(cfg, index, home_postcode=home.postcode, **fields)
    child.home_la = home_la
    if lead is not None:
        name, days_ago = lead
        child.leads = [
            GenLead(
                name, home_la, "Social worker", (now - timedelta(days=days_ago)).date(), None, ""
            )
        ]
    for spec in specs:
        child.episodes.append(
            _episode(now, spec, base=home, looked_after=False, rng=rng, home_la=home_la)
        )
    return child


def _ruby(cfg: Config, index: int, rng: random.Random) -> GenChild:
    child = _at_home(
        cfg,
        index,
        rng,
        home=_pick(ref.HARINGEY, "N15", 1),
        lead=("Nadia Rahman", 70),
        specs=[
            _Ep(60 * 24, 9, ("low",), reporter="parent_carer"),
            _Ep(100 + 16, 16, ("medium",), reporter="school", reporting_org=DEMO_SCHOOL),
        ],
        first_name="Ruby",
        last_name="Kowalski",
        date_of_birth=_years_ago(cfg.now, 14.2),
        sex="F",
        ethnicity="WOTH",
        care_status="cin",
        created_at=cfg.now - timedelta(days=60),
        showcase=OVERDUE,
    )
    child.interviews = [_interview(child, 0, status="completed", hours_after_return=50)]
    return child


def _leah(cfg: Config, index: int, rng: random.Random) -> GenChild:
    child = _at_home(
        cfg,
        index,
        rng,
        home=_pick(ref.HARINGEY, "N8", 2),
        lead=("Oliver Bennett", 45),
        specs=[
            _Ep(30 * 24, 22, ("medium",), reporter="parent_carer"),
            _Ep(30, None, ("medium", "high"), reporter="parent_carer"),
        ],
        first_name="Leah",
        last_name="Adeyemi",
        date_of_birth=_years_ago(cfg.now, 16.1),
        sex="F",
        ethnicity="MWBA",
        care_status="cp",
        created_at=cfg.now - timedelta(days=30),
        showcase=MISSING_NOW,
    )
    child.interviews = [_interview(child, 0, status="completed", hours_after_return=30)]
    return child


def _mason(cfg: Config, index: int, rng: random.Random) -> GenChild:
    return _at_home(
        cfg,
        index,
        rng,
        home=_pick(ref.HARINGEY, "N17", 8),
        specs=[_Ep(34, 14, ("low",), reporter="parent_carer")],
        first_name="Mason",
        last_name="Doyle",
        date_of_birth=_years_ago(cfg.now, 13.3),
        sex="M",
        ethnicity="WIRI",
        care_status="none",
        created_at=cfg.now - timedelta(days=2),
        showcase=DUE,
    )


def _jordan(cfg: Config, index: int, rng: random.Random) -> GenChild:
    child = _at_home(
        cfg,
        index,
        rng,
        home=_pick(CAMDEN, "NW1", 4),
        home_la=CAMDEN,
        specs=[_Ep(40 * 24, 60, ("medium",), found="brighton", reporter="parent_carer")],
        first_name="Jordan",
        last_name="Fraser",
        date_of_birth=_years_ago(cfg.now, 15.8),
        sex="M",
        ethnicity="WBRI",
        care_status="cin",
        created_at=cfg.now - timedelta(days=50),
        showcase=FOUND_IN_SUSSEX,
    )
    for ident in child.identifiers:
        if ident.issuer == ref.HARINGEY:
            ident.issuer = CAMDEN
    child.identifiers[2].value = ids.synthetic_upn(child.number, ref.dfe_codes()[CAMDEN])
    interview = _interview(child, 0, status="completed", hours_after_return=50)
    interview.offered_by_organisation = interview.conducted_by_organisation = CAMDEN
    interview.offered_by_name = interview.conducted_by_name = "Ella Byrne"
    child.interviews = [interview]
    return child


def showcase_children(cfg: Config) -> list[GenChild]:
    """The showcase children, in a fixed order, numbered from ``cfg.first_number``."""
    rng = random.Random(f"lantern-showcase:{cfg.seed}")
    builders = (_kai, _ruby, _leah, _mason, _jordan)
    return [build(cfg, index, rng) for index, build in enumerate(builders)]
