"""Storing proposals, review decisions, merges and unmerges."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from lantern.accounts import policy
from lantern.audit.models import AuditEvent
from lantern.episodes.models import MissingEpisode
from lantern.linkage import queries, services
from lantern.linkage.models import (
    CandidatePair,
    ExternalRecord,
    MergeRecord,
    PairStatus,
    SourceSystem,
)
from lantern.people.models import Child, ChildNameKey
from lantern.people.tests.helpers import make_episode

pytestmark = pytest.mark.django_db


def test_a_run_proposes_the_duplicate_with_reasons(proposed):
    assert proposed.status == PairStatus.PROPOSED
    assert proposed.match_probability >= 0.9
    reasons = {r.field: r for r in queries.reasons(proposed)}
    assert reasons["Date of birth"].level == "day and month swapped"
    assert reasons["Date of birth"].weight > 0
    assert reasons["First name"].left == "Kayden"
    assert reasons["First name"].right == "Kaiden"
    assert reasons["Date of birth"].text.startswith("Date of birth: day and month swapped (+")


def test_a_second_run_does_not_propose_the_same_pair_again(proposed):
    run = services.linkage_run()
    assert run.pairs_proposed == 0
    assert CandidatePair.objects.count() == 1


def test_a_run_is_audited(duplicates):
    run = services.linkage_run()
    event = AuditEvent.objects.get(object_type="linkage.linkagerun", object_id=str(run.pk))
    assert event.detail["records"] == 2


def test_reject_records_who_and_never_merges(world, proposed):
    services.pair_reject(actor=world.maria, pair=proposed, note="Different mothers")
    proposed.refresh_from_db()
    assert proposed.status == PairStatus.REJECTED
    assert proposed.reviewed_by == world.maria
    assert not Child.objects.filter(merged_into__isnull=False).exists()
    assert (
        AuditEvent.objects.filter(
            object_type="linkage.candidatepair", summary__startswith="Rejected"
        ).count()
        == 2
    )  # one per child


def test_a_pair_cannot_be_decided_twice(world, proposed):
    services.pair_reject(actor=world.maria, pair=proposed)
    with pytest.raises(ValidationError) as error:
        services.pair_confirm(actor=world.chris, pair=proposed)
    assert services.ALREADY_REVIEWED in error.value.messages


def test_confirm_merges_the_newer_record_into_the_older(world, duplicates, proposed):
    outcome = services.pair_confirm(actor=world.maria, pair=proposed)
    duplicate = Child.objects.get(pk=duplicates.duplicate.pk)
    assert duplicate.merged_into_id == duplicates.original.pk
    assert outcome.merge.survivor == duplicates.original
    assert MissingEpisode.objects.filter(child=duplicates.original).count() == 2
    assert not MissingEpisode.objects.filter(child=duplicate).exists()


def test_merge_keeps_where_each_row_came_from(world, duplicates, proposed):
    services.pair_confirm(actor=world.maria, pair=proposed)
    police_episode = MissingEpisode.objects.get(reporting_organisation=world.met)
    provenance = queries.provenance_for(duplicates.original)
    assert provenance[("episodes.missingepisode", police_episode.pk)] == (
        duplicates.duplicate.reference
    )


def test_merge_adds_the_other_name_as_an_alias_so_search_still_finds_it(
    world, duplicates, proposed
):
    services.pair_confirm(actor=world.maria, pair=proposed)
    original = duplicates.original
    assert original.aliases.filter(first_name="Kaiden", last_name="Smith").exists()
    assert ChildNameKey.objects.filter(child=original, token="kaiden").exists()


def test_merge_ends_the_second_current_lead_professional(world, duplicates, proposed):
    services.pair_confirm(actor=world.maria, pair=proposed)
    current = duplicates.original.lead_professionals.filter(ended_on__isnull=True)
    assert [lead.name for lead in current] == ["Sam Social Worker"]


def _rows(children: list[Child]) -> dict[str, list[dict]]:
    """Every row of every table that points at a child, plus the children and their name keys."""
    ids = [c.pk for c in children]
    rows: dict[str, list[dict]] = {
        "people.child": [dict(r) for r in Child.objects.filter(pk__in=ids).values()]
    }
    for model_class, fk in services._child_links():
        label = model_class._meta.label_lower
        found = list(model_class._default_manager.filter(**{f"{fk.attname}__in": ids}).values())
        rows.setdefault(label, []).extend(found)
    rows["people.childnamekey"] = [
        dict(r) for r in ChildNameKey.objects.filter(child_id__in=ids).values()
    ]
    return {k: sorted(v, key=lambda r: r["id"]) for k, v in rows.items()}


def test_unmerge_restores_every_row_exactly(world, duplicates, proposed):
    children = [duplicates.original, duplicates.duplicate]
    before = _rows(children)
    outcome = services.pair_confirm(actor=world.maria, pair=proposed)
    assert _rows(children) != before
    services.merge_undo(actor=world.maria, merge=outcome.merge, reason="Twins, not one child")
    assert _rows(children) == before


def test_unmerge_rejects_the_pair_and_is_audited(world, duplicates, proposed):
    outcome = services.pair_confirm(actor=world.maria, pair=proposed)
    services.merge_undo(actor=world.chris, merge=outcome.merge, reason="Wrong child")
    proposed.refresh_from_db()
    assert proposed.status == PairStatus.REJECTED
    assert proposed.reviewed_by == world.chris
    merge = MergeRecord.objects.get()
    assert merge.unmerged_by == world.chris
    events = AuditEvent.objects.filter(summary__startswith="Undid the merge")
    assert sorted(events.values_list("child_id", flat=True)) == sorted(
        [duplicates.original.pk, duplicates.duplicate.pk]
    )


def test_unmerge_leaves_rows_added_after_the_merge_on_the_continuing_record(
    world, duplicates, proposed
):
    outcome = services.pair_confirm(actor=world.maria, pair=proposed)
    later = make_episode(
        world.sam, duplicates.original, last_seen_at=timezone.now() - timedelta(hours=3)
    )
    services.merge_undo(actor=world.maria, merge=outcome.merge, reason="Wrong child")
    later.refresh_from_db()
    assert later.child_id == duplicates.original.pk


def test_a_merge_cannot_be_undone_twice(world, proposed):
    outcome = services.pair_confirm(actor=world.maria, pair=proposed)
    services.merge_undo(actor=world.maria, merge=outcome.merge, reason="Wrong")
    with pytest.raises(ValidationError) as error:
        services.merge_undo(actor=world.maria, merge=outcome.merge, reason="Again")
    assert services.MERGE_NOT_ACTIVE in error.value.messages


def test_overlapping_episodes_stop_a_merge_and_leave_everything_as_it_was(
    world, duplicates, proposed
):
    MissingEpisode.objects.filter(child=duplicates.duplicate).update(
        last_seen_at=timezone.now() - timedelta(days=40, hours=-2),
        reported_at=timezone.now() - timedelta(days=39),
        returned_at=timezone.now() - timedelta(days=38),
    )
    with pytest.raises(ValidationError) as error:
        services.pair_confirm(actor=world.maria, pair=proposed)
    assert "at the same time" in error.value.messages[0]
    proposed.refresh_from_db()
    assert proposed.status == PairStatus.PROPOSED
    assert not MergeRecord.objects.exists()


def test_every_table_pointing_at_a_child_is_merged():
    labels = {m._meta.label_lower for m, _ in services._child_links()}
    assert {
        "episodes.missingepisode",
        "interviews.returninterview",
        "people.placement",
        "people.childalias",
        "people.childidentifier",
        "people.leadprofessional",
        "accounts.share",
        "linkage.externalrecord",
    } <= labels
    assert "people.childnamekey" not in labels
    assert apps.get_model("linkage.candidatepair")._meta.label_lower not in labels


POLICE_CSV = (
    "police_reference,person_id,first_name,middle_names,last_name,aliases,dob,sex,"
    "home_postcode,previous_postcodes,phone,last_seen_at,last_seen_place,last_seen_postcode,"
    "reported_at,returned_at,return_how,found_place,found_postcode,circumstances\n"
    "MPS-1,P0001,Kaiden,,Smith,,{dob},M,N17 6AA,,07700 900123,{seen},Bus station,N17 6AA,"
    "{reported},{returned},police,Shop,N15 4RX,Did not return from school\n"
)


def _police_file(world, dob, seen):
    fmt = "%d/%m/%Y %H:%M"
    text = POLICE_CSV.format(
        dob=dob.strftime("%d/%m/%Y"),
        seen=seen.strftime(fmt),
        reported=(seen + timedelta(hours=1)).strftime(fmt),
        returned=(seen + timedelta(hours=20)).strftime(fmt),
    )
    return services.file_import(
        actor=None,
        text=text,
        fmt="police",
        filename="met.csv",
        organisation=world.met,
        imported_by_organisation=world.haringey,
    )


def test_confirming_a_police_record_attaches_it_and_can_import_its_episode(world, duplicates):
    original = duplicates.original
    seen = timezone.localtime() - timedelta(days=20)
    _police_file(world, original.date_of_birth, seen)
    services.linkage_run()
    record = ExternalRecord.objects.get()
    pair = CandidatePair.objects.get(
        Q(left_child=original, right_external=record)
        | Q(right_child=original, left_external=record)
    )
    outcome = services.pair_confirm(actor=world.maria, pair=pair, import_episode=True)
    record.refresh_from_db()
    assert record.attached_to == original
    assert outcome.episode.child == original
    assert outcome.episode.police_reference == "MPS-1"
    assert outcome.episode.returned_at is not None
    assert record.imported_episode == outcome.episode


def test_an_imported_record_keeps_the_raw_row(world):
    batch = _police_file(world, timezone.localdate() - timedelta(days=5000), timezone.now())
    record = batch.records.get()
    assert record.source == SourceSystem.POLICE
    assert record.raw["police_reference"] == "MPS-1"
    assert record.phone == "07700900123"
    assert AuditEvent.objects.filter(object_type="linkage.linkageimport").exists()


def test_an_imported_record_is_visible_to_its_holder_and_importer_only(world):
    batch = _police_file(world, timezone.localdate() - timedelta(days=5000), timezone.now())
    record = batch.records.get()
    # Held by the Met, imported by Haringey: both see it; Sussex, the charity and the roles
    # that never open individual records do not.
    for name in ("pete", "sam", "maria"):
        assert list(policy.external_records_visible_to(getattr(world, name))) == [record]
    for name in ("priya", "rita", "bella", "andy", "olive"):
        assert not policy.external_records_visible_to(getattr(world, name)).exists()
