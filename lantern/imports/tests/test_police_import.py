"""Importing a police force's missing-person reports (format in docs/imports.md)."""

from datetime import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from lantern.accounts import policy
from lantern.episodes import services as episode_services
from lantern.episodes.models import MissingEpisode, PoliceGrading
from lantern.imports import police, services
from lantern.imports.files import ImportRejected
from lantern.imports.models import ImportRun, ImportStatus
from lantern.imports.tests.builders import REPORTS, report, with_cell, write_police
from lantern.imports.writer import Inserter
from lantern.people import queries as people_queries
from lantern.people.models import Child, ChildIdentifier, ChildNameKey

pytestmark = pytest.mark.django_db


def local(text: str) -> datetime:
    return timezone.make_aware(datetime.strptime(text, "%d/%m/%Y %H:%M"))


def counts() -> tuple[int, int, int, int]:
    return (
        Child.objects.count(),
        ChildIdentifier.objects.count(),
        MissingEpisode.objects.count(),
        PoliceGrading.objects.count(),
    )


def test_a_valid_file_imports_children_episodes_and_gradings(world, tmp_path):
    run = services.police_import(actor=None, path=write_police(tmp_path / "r.csv"), force=world.met)
    assert (run.children_created, run.episodes_created, run.gradings_created) == (2, 3, 2)
    tayo = ChildIdentifier.objects.get(
        kind="police_id", value="P100", issuing_organisation=world.met
    ).child
    assert (tayo.first_name, tayo.last_name, tayo.home_la) == ("Tayo", "Reed", world.haringey)
    first = MissingEpisode.objects.get(police_reference="MPS-25-0001")
    assert first.child == tayo
    assert first.last_seen_at == local("02/05/2025 18:30")
    assert first.returned_at == local("04/05/2025 09:15")
    assert (first.category, first.police_force, first.reported_to_police) == (
        "missing_home",
        world.met,
        True,
    )
    assert (first.found_la, first.found_force) == (world.brighton, world.sussex)
    assert first.missing_from_la == world.haringey
    grading = first.gradings.get()
    assert (grading.grade, grading.graded_by_name, grading.organisation) == (
        "high",
        "PS Khan",
        world.met,
    )
    amira = MissingEpisode.objects.get(police_reference="MPS-25-0003")
    assert amira.category == "missing_care"
    assert amira.child.care_status == "lac"


def test_imported_children_can_be_found_by_name(world, tmp_path):
    services.police_import(actor=None, path=write_police(tmp_path / "r.csv"), force=world.met)
    assert ChildNameKey.objects.filter(token="tayo").exists()
    result = people_queries.child_search(user=world.pete, query="Tayo Reed")
    assert len(result.shown_ids) == 1


def test_the_force_and_the_home_council_can_see_what_was_imported(world, tmp_path):
    services.police_import(actor=None, path=write_police(tmp_path / "r.csv"), force=world.met)
    tayo = ChildIdentifier.objects.get(value="P100").child
    assert policy.child_get_for(world.pete, tayo.pk) == tayo
    assert policy.child_get_for(world.sam, tayo.pk) == tayo
    assert not policy.children_visible_to(world.bella).filter(pk=tayo.pk).exists()


def test_importing_the_same_file_twice_creates_no_duplicates(world, tmp_path):
    path = write_police(tmp_path / "r.csv")
    services.police_import(actor=None, path=path, force=world.met)
    before = counts()
    again = services.police_import(actor=None, path=path, force=world.met)
    assert counts() == before
    assert again.rows_unchanged == len(REPORTS)


def test_a_later_file_adds_the_return_and_a_new_grading(world, tmp_path):
    services.police_import(actor=None, path=write_police(tmp_path / "a.csv"), force=world.met)
    later = with_cell(
        REPORTS,
        1,
        returned_at="22/06/2025 10:00",
        return_how="self",
        risk_grade="low",
        graded_at="21/06/2025 09:00",
    )
    run = services.police_import(
        actor=world.pete, path=write_police(tmp_path / "b.csv", later), force=world.met
    )
    assert (run.rows_updated, run.gradings_created, run.episodes_created) == (1, 1, 0)
    episode = MissingEpisode.objects.get(police_reference="MPS-25-0002")
    assert episode.returned_at == local("22/06/2025 10:00")
    assert list(episode.gradings.values_list("grade", flat=True)) == ["low", "medium"]


def problems_for(world, tmp_path, rows) -> list[tuple[str, int, str, str]]:
    with pytest.raises(ImportRejected) as caught:
        services.police_import(
            actor=None, path=write_police(tmp_path / "r.csv", rows), force=world.met
        )
    return [(p.file, p.line, p.column, p.message) for p in caught.value.problems]


def test_service_rules_apply_with_their_messages(world, tmp_path):
    rows = with_cell(REPORTS, 0, reported_at="01/05/2025 10:00")  # before last seen
    rows = with_cell(rows, 2, returned_at="09/03/2025 08:00")  # before last seen
    found = problems_for(world, tmp_path, rows)
    assert ("r.csv", 2, "reported_at", episode_services.REPORTED_BEFORE_LAST_SEEN) in found
    assert ("r.csv", 4, "returned_at", episode_services.RETURNED_BEFORE_LAST_SEEN) in found
    assert counts() == (0, 0, 0, 0)
    assert ImportRun.objects.get().status == ImportStatus.REJECTED


def test_overlapping_reports_for_one_child_are_refused(world, tmp_path):
    rows = [*REPORTS, report("MPS-25-0009", last_seen_at="03/05/2025 12:00",
                             reported_at="03/05/2025 13:00", graded_at="03/05/2025 13:30")]  # fmt: skip
    found = problems_for(world, tmp_path, rows)
    assert ("r.csv", 5, "last_seen_at", episode_services.EPISODE_OVERLAP) in found


def test_a_report_that_overlaps_an_episode_already_in_lantern_is_refused(world, tmp_path):
    services.police_import(actor=None, path=write_police(tmp_path / "a.csv"), force=world.met)
    rows = [report("MPS-25-0010", last_seen_at="03/05/2025 12:00", reported_at="03/05/2025 13:00",
                   graded_at="03/05/2025 13:30")]  # fmt: skip
    found = problems_for(world, tmp_path, rows)
    assert ("r.csv", 2, "last_seen_at", services.EPISODE_OVERLAPS_LANTERN) in found


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("dob", "2011-07-04", police.DOB_INVALID),
        ("last_seen_at", "02/05/2025", police.DATETIME_INVALID.format(column="last_seen_at")),
        ("reporter_kind", "neighbour", police.REPORTER_INVALID),
        ("risk_grade", "extreme", episode_services.GRADE_INVALID),
        ("home_la", "E99999999", police.HOME_LA_UNKNOWN),
        ("found_postcode", "not a postcode", episode_services.POSTCODE_INVALID),
    ],
)
def test_bad_cells_are_named_by_line_and_column(world, tmp_path, column, value, message):
    found = problems_for(world, tmp_path, with_cell(REPORTS, 0, **{column: value}))
    assert ("r.csv", 2, column, message) in found


def test_one_person_id_cannot_have_two_sets_of_details(world, tmp_path):
    found = problems_for(world, tmp_path, with_cell(REPORTS, 1, first_name="Tom"))
    assert ("r.csv", 3, "person_id", police.PERSON_DIFFERS) in found


def test_a_writer_that_fails_halfway_leaves_nothing(world, tmp_path, monkeypatch):
    flush = Inserter.flush
    calls = {"n": 0}

    def failing(self):
        calls["n"] += 1
        if calls["n"] == 4:  # children, identifiers and name keys written; episodes fail
            raise RuntimeError("connection lost")
        return flush(self)

    monkeypatch.setattr(Inserter, "flush", failing)
    with pytest.raises(RuntimeError):
        services.police_import(actor=None, path=write_police(tmp_path / "r.csv"), force=world.met)
    assert counts() == (0, 0, 0, 0)
    assert not ChildNameKey.objects.exists()
    assert not ImportRun.objects.exists()


def test_only_a_force_may_import_police_reports(world, tmp_path):
    with pytest.raises(ValueError, match="police force"):
        services.police_import(
            actor=None, path=write_police(tmp_path / "r.csv"), force=world.haringey
        )


def test_the_example_in_the_documentation_imports(world, tmp_path):
    text = (settings.BASE_DIR / "docs" / "imports.md").read_text()
    example = text.split("Example (`reports.csv`")[1].split("```\n")[1]
    path = tmp_path / "reports.csv"
    path.write_text(example)
    run = services.police_import(actor=None, path=path, force=world.met)
    assert (run.children_created, run.episodes_created, run.gradings_created) == (2, 3, 2)


def test_a_file_with_only_the_required_columns_imports(world, tmp_path):
    from lantern.imports.tests.builders import write_csv

    columns = [*police.REQUIRED, "home_la", "returned_at"]
    rows = [{c: r.get(c, "") for c in columns} | {"home_la": "E09000014"} for r in REPORTS]
    path = write_csv(tmp_path / "r.csv", columns, rows)
    run = services.police_import(actor=None, path=path, force=world.met)
    assert (run.episodes_created, run.gradings_created) == (3, 0)
    episode = MissingEpisode.objects.get(police_reference="MPS-25-0002")
    assert (episode.returned_at, episode.reporter_kind, episode.category) == (
        None,
        "police",
        "missing_home",
    )


def test_linkage_columns_may_share_the_file_and_middle_names_are_kept(world, tmp_path):
    from lantern.imports.tests.builders import write_csv

    rows = [dict(r, middle_names="Ade", aliases="T", phone="07700 900123") for r in REPORTS]
    path = write_csv(tmp_path / "r.csv", [*police.COLUMNS, "aliases", "phone"], rows)
    services.police_import(actor=None, path=path, force=world.met)
    assert ChildIdentifier.objects.get(value="P100").child.middle_names == "Ade"


def test_an_unknown_column_is_named(world, tmp_path):
    from lantern.imports.tests.builders import write_csv

    rows = [dict(r, colour="red") for r in REPORTS]
    path = write_csv(tmp_path / "r.csv", [*police.COLUMNS, "colour"], rows)
    with pytest.raises(ImportRejected) as caught:
        services.police_import(actor=None, path=path, force=world.met)
    assert [(p.line, p.column) for p in caught.value.problems] == [(1, "colour")]
