"""The linkage_run and linkage_demo management commands."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.utils import timezone

from lantern.linkage.management.commands.linkage_demo import DEMO_POLICE_ID, spelling_variant
from lantern.linkage.models import CandidatePair, ExternalRecord, PairStatus
from lantern.people.models import Child
from lantern.people.tests.helpers import make_child, make_episode

pytestmark = pytest.mark.django_db

SCHOOL_CSV = (
    "upn,first_name,middle_names,last_name,preferred_name,dob,sex,postcode,"
    "previous_postcodes\n"
    "Z309000000123,Kayden,,Smyth,Kay,{dob},M,N17 6AA,\n"
)


def _run(*args: str) -> str:
    out = StringIO()
    call_command("linkage_run", *args, stdout=out)
    return out.getvalue()


def test_linkage_run_imports_a_school_roll_and_proposes_the_match(world, child, tmp_path):
    roll = tmp_path / "roll.csv"
    roll.write_text(SCHOOL_CSV.format(dob=child.date_of_birth.strftime("%d/%m/%Y")))
    out = _run(
        "--source", str(roll), "--format", "school", "--organisation", world.school.name,
        "--imported-by", world.haringey.ons_code,
    )  # fmt: skip
    assert "Imported 1 school records" in out
    record = ExternalRecord.objects.get()
    assert record.imported_by_organisation == world.haringey
    assert CandidatePair.objects.filter(
        Q(left_child=child, right_external=record) | Q(right_child=child, left_external=record)
    ).exists()


def test_linkage_run_needs_a_format_and_organisation_for_each_file(tmp_path):
    with pytest.raises(CommandError, match="--format and an --organisation"):
        _run("--source", str(tmp_path / "x.csv"), "--format", "police")


def test_linkage_run_reports_a_file_without_the_required_columns(world, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,dob\nKayden,01/01/2012\n")
    with pytest.raises(CommandError, match="missing these columns"):
        _run("--source", str(bad), "--format", "police", "--organisation", world.met.ons_code)
    assert not ExternalRecord.objects.exists()


def test_spelling_variant_keeps_the_sound():
    assert spelling_variant("Kayden") == "Kaiden"
    assert spelling_variant("Smith") == "Smyth"


def test_linkage_demo_does_nothing_without_haringey_children(world):
    out = StringIO()
    call_command("linkage_demo", stdout=out)
    assert "No Haringey children" in out.getvalue()
    assert not Child.objects.exists()


def test_linkage_demo_creates_the_police_duplicate_and_the_pair_once(world):
    dob = timezone.localdate().replace(year=timezone.localdate().year - 13, month=5, day=9)
    original = make_child(
        world.sam,
        first_name="Kayden",
        last_name="Smith",
        date_of_birth=dob,
        home_la=world.haringey,
        sex="M",
        home_postcode="N17 6AA",
    )
    make_episode(
        world.sam,
        original,
        last_seen_at=timezone.now() - timedelta(days=30),
        returned_at=timezone.now() - timedelta(days=29),
    )
    call_command("linkage_demo", stdout=StringIO())
    duplicate = Child.objects.get(identifiers__value=DEMO_POLICE_ID)
    assert (duplicate.first_name, duplicate.last_name) == ("Kaiden", "Smyth")
    assert duplicate.date_of_birth == dob.replace(day=5, month=9)
    assert duplicate.episodes.get().police_force == world.met
    pair = CandidatePair.objects.get(left_child=original, right_child=duplicate)
    assert pair.status == PairStatus.PROPOSED
    call_command("linkage_demo", stdout=StringIO())
    assert Child.objects.count() == 2
    assert CandidatePair.objects.count() == 1
