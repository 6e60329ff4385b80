"""Small hand-made data for reporting tests: exact records, written straight to the database."""

from datetime import UTC, date, datetime, timedelta

from lantern.accounts.models import Organisation
from lantern.episodes.models import MissingEpisode, PoliceGrading
from lantern.interviews.models import Disclosure, ReturnInterview
from lantern.people.models import Child, ChildIdentifier, Placement


def at(y, m, d, hh=12, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def la(code: str) -> Organisation:
    return Organisation.objects.get(ons_code=code)


def make_child(home_la, *, dob=date(2010, 3, 15), sex="F", looked_after=False, la_id=""):
    child = Child.objects.create(
        first_name="Test",
        last_name=f"Child{Child.objects.count() + 1}",
        date_of_birth=dob,
        sex=sex,
        home_la=home_la,
        care_status="lac" if looked_after else "none",
    )
    if la_id:
        ChildIdentifier.objects.create(
            child=child, kind="la_child_id", value=la_id, issuing_organisation=home_la
        )
    return child


def make_placement(child, placing_la, *, start, end=None, out=False, host=None):
    return Placement.objects.create(
        child=child,
        placing_la=placing_la,
        place="K2",
        provider="PR4",
        postcode="ME1 1AA" if out else "N17 6AA",
        started_on=start,
        ended_on=end,
        host_la=host,
        location="OUT" if out else "IN",
    )


def make_episode(child, start, end=None, *, looked_after=False, known=False, found_la=None):
    # bulk_create: plain rows, without other apps' save signals (notifications and the like).
    (episode,) = MissingEpisode.objects.bulk_create(
        [
            MissingEpisode(
                child=child,
                setting="care" if looked_after else "home",
                whereabouts="known" if known else "unknown",
                looked_after=looked_after,
                last_seen_at=start,
                reported_at=start + timedelta(minutes=30),
                reporter_kind="foster_carer" if looked_after else "parent_carer",
                returned_at=end,
                found_la=found_la,
            )
        ]
    )
    return episode


def grade(episode, grade_value, when, org):
    return PoliceGrading.objects.create(
        episode=episode,
        grade=grade_value,
        graded_at=when,
        graded_by_name="PS Test",
        organisation=org,
        rationale="Test",
    )


def interview(child, episodes, *, offered_at, org, status="completed", completed_at=None):
    rhi = ReturnInterview.objects.create(
        child=child,
        status=status,
        offered_at=offered_at,
        offered_by_name="Worker",
        offered_by_organisation=org,
        conducted_by_organisation=org,
        completed_at=completed_at,
    )
    rhi.episodes.set(episodes)
    return rhi


def disclose(rhi, kind, indicator=True):
    return Disclosure.objects.create(
        interview=rhi, text="Test", exploitation_type=kind, is_exploitation_indicator=indicator
    )
