"""Intelligence for the demo: a peer found with Kai, a shared phone, a cuckooed flat, a person of
concern known only to police, and the notifications they set off.

Built on top of the loaded demo (``demo_load``) through the ordinary services, so the same
derivation, notification and audit paths run as they would for real work. The names come from
the demo's synthetic lists; nobody here is real. Idempotent: does nothing the second time.
"""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from lantern.accounts.models import User
from lantern.episodes.models import MissingEpisode
from lantern.episodes.services import episode_record_return, episode_report
from lantern.intelligence import services
from lantern.intelligence.derive import derive_all
from lantern.intelligence.models import AccessLevel, Link, Origin, Phone
from lantern.interviews.services import interview_record
from lantern.people.models import Child
from lantern.people.services import child_create

SOUTHEND = "E06000033"
DEAL_LINE = "07700 900461"  # Ofcom's range for drama: never a real number


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


@transaction.atomic
def demo_intelligence_seed() -> dict[str, Any]:
    """Add the intelligence story around the showcase child Kai Mensah; returns what it made."""
    derived = derive_all()
    if Link.objects.filter(origin=Origin.MANUAL).exists():
        return {"seeded": False, **derived}
    social_worker = _user("haringey-sw")
    police = _user("met-coordinator")
    charity = _user("charity-rhi")
    kai = Child.objects.filter(first_name="Kai", last_name="Mensah").first()
    if not (social_worker and police and charity and kai):
        return {"seeded": False, **derived}
    kai_episode = (
        MissingEpisode.objects.filter(child=kai, found_la__ons_code=SOUTHEND)
        .select_related("police_force")
        .order_by("-returned_at")
        .first()
    )
    if kai_episode is None or kai_episode.returned_at is None:
        return {"seeded": False, **derived}

    # A peer: missing two hours after Kai, found in the same street an hour after him.
    tyler = child_create(
        actor=social_worker,
        first_name="Tyler",
        last_name="Grant",
        date_of_birth=kai.date_of_birth + timedelta(days=200),
        home_la=kai.home_la,
        sex="M",
        home_postcode=kai.home_postcode,
        care_status="cin",
    )
    seen = kai_episode.last_seen_at + timedelta(hours=2)
    episode = episode_report(
        actor=social_worker,
        child=tyler,
        setting="home",
        whereabouts="unknown",
        last_seen_at=seen,
        reported_at=seen + timedelta(hours=1),
        reporter_kind="parent_carer",
        reporter_name="Mother",
        last_seen_place="Home address",
        reported_to_police=True,
        police_force=kai_episode.police_force,
        circumstances="Left home after school with older boys and did not come back.",
    )
    episode = episode_record_return(
        actor=social_worker,
        episode=episode,
        version=episode.version,
        returned_at=kai_episode.returned_at + timedelta(hours=1),
        return_how="police",
        found_place="Southend-on-Sea town centre",
        found_postcode=kai_episode.found_postcode,
        found_with="With Kai Mensah and an older male",
    )
    interview_record(
        actor=charity,
        child=tyler,
        episodes=[episode],
        status="completed",
        offered_at=episode.returned_at + timedelta(hours=3),
        offered_by_name="Grace Achebe",
        offered_by_organisation=charity.memberships.first().organisation,
        conducted_by_organisation=charity.memberships.first().organisation,
        conducted_by_name="Grace Achebe",
        completed_at=episode.returned_at + timedelta(hours=40),
        where_child_was="A flat in Southend-on-Sea with Kai",
        with_whom=f"Kai and an older man called D, who rang them on {DEAL_LINE} to say where to go",
        how_travelled="By train; the tickets were bought for them",
        push_factors=["family_conflict"],
        pull_factors=["money", "status"],
    )
    phone = Phone.objects.get(
        normalised=DEAL_LINE.replace(" ", ""), access_level=AccessLevel.PARTNERS
    )
    today = timezone.localdate()
    services.link_create(
        actor=social_worker,
        kind="child_phone",
        ends={"child": kai, "phone": phone},
        relation="contacted_by",
        observed_on=today - timedelta(days=7),
        evidence=f"Kai's carer saw {DEAL_LINE} calling Kai's phone repeatedly the night before he went missing.",
        grading=services.Grading(source="Foster carer", source_evaluation="2", assessment="B"),
    )
    flat = services.place_create(
        actor=social_worker,
        label="Flat above the chicken shop",
        place_type="cuckooed",
        address="Flat 2, above the chicken shop",
        postcode=kai_episode.found_postcode,
        risk_status="suspected",
        grading=services.Grading(source="Return interviews", source_evaluation="2", assessment="C"),
    )
    station = services.place_create(
        actor=social_worker,
        label="Southend Central station",
        place_type="transport",
        postcode="SS1 1AB",
        risk_status="suspected",
    )
    for child, where in ((kai, flat), (tyler, flat), (kai, station)):
        services.link_create(
            actor=social_worker,
            kind="child_place",
            ends={"child": child, "place": where},
            relation="visits",
            observed_on=today - timedelta(days=8),
            evidence=f"Named in return interviews as where {child.first_name} stayed or arrived.",
        )
    police_only = services.Grading(
        source="Police intelligence report",
        source_evaluation="1",
        assessment="B",
        handling_code="C",
        access_level=AccessLevel.POLICE_ONLY,
    )
    dee = services.person_create(
        actor=police,
        first_name="Marcus",
        last_name="Hart",
        known_as="D",
        kind="adult",
        description="Believed to run the line into Southend-on-Sea.",
        aliases=["Dee"],
        grading=police_only,
    )
    police_phone = services.phone_create(
        actor=police, value=DEAL_LINE, deal_line=True, grading=police_only
    )
    vehicle = services.vehicle_create(
        actor=police,
        vrm="LD19 XKR",
        make="Ford",
        model="Focus",
        colour="Silver",
        grading=police_only,
    )
    for kind, ends, relation, evidence in (
        (
            "person_phone",
            {"person": dee, "phone": police_phone},
            "uses",
            "Subscriber checks link the deal line to Hart.",
        ),
        (
            "person_place",
            {"person": dee, "place": flat},
            "visits",
            "Seen entering the flat on three occasions.",
        ),
        (
            "person_vehicle",
            {"person": dee, "vehicle": vehicle},
            "drives",
            "ANPR: the car travels London to Southend weekly.",
        ),
        (
            "child_person",
            {"child": kai, "person": dee},
            "seen_with",
            "Kai seen in the car with Hart in Southend.",
        ),
        (
            "child_person",
            {"child": tyler, "person": dee},
            "seen_with",
            "Tyler seen in the car with Hart in Southend.",
        ),
    ):
        services.link_create(
            actor=police,
            kind=kind,
            ends=ends,
            relation=relation,
            observed_on=today - timedelta(days=6),
            evidence=evidence,
            grading=police_only,
        )
    notified = services.notifications_for_episode(episode=kai_episode, actor=social_worker)
    return {"seeded": True, "peer": tyler.pk, "notifications": len(notified), **derived}
