"""The upload page: managers import their own council's 903 set or their force's reports."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lantern.imports.forms import FILES_REQUIRED_903
from lantern.imports.models import ImportRun, ImportStatus
from lantern.imports.tests.builders import HEADER, with_cell, write_903, write_police
from lantern.people.models import Child

pytestmark = [pytest.mark.django_db, pytest.mark.urls("lantern.imports.tests.urls")]


def uploads(directory):
    return [
        SimpleUploadedFile(name, (directory / name).read_bytes(), content_type="text/csv")
        for name in ("header.csv", "episodes.csv", "missing.csv")
    ]


def test_a_council_manager_imports_a_903_set(client, world, tmp_path):
    client.force_login(world.maria)
    answer = client.post(reverse("imports:upload"), {"upload": uploads(write_903(tmp_path))})
    assert answer.status_code == 200
    assert "2 children, 3 placements, 5 episodes" in answer.content.decode()
    run = ImportRun.objects.get()
    assert (run.status, run.user, run.via) == (ImportStatus.IMPORTED, world.maria, "web")


def test_problems_are_listed_by_file_line_and_column_and_nothing_is_written(
    client, world, tmp_path
):
    client.force_login(world.maria)
    directory = write_903(tmp_path, header=with_cell(HEADER, 0, SEX="9"))
    page = client.post(reverse("imports:upload"), {"upload": uploads(directory)}).content.decode()
    assert "Nothing was imported" in page
    assert "<td>header.csv</td><td>2</td><td>SEX</td>" in page
    assert not Child.objects.exists()
    assert ImportRun.objects.get().status == ImportStatus.REJECTED


def test_three_files_are_needed(client, world, tmp_path):
    client.force_login(world.maria)
    answer = client.post(reverse("imports:upload"), {"upload": uploads(write_903(tmp_path))[:2]})
    assert FILES_REQUIRED_903 in answer.content.decode()
    assert not ImportRun.objects.exists()


def test_a_force_manager_imports_police_reports(client, world, tmp_path):
    from lantern.accounts.roles import Role
    from lantern.accounts.services import user_create

    inspector = user_create(
        username="ingrid", password="x" * 20, organisation=world.met, role=Role.MANAGER
    )
    client.force_login(inspector)
    path = write_police(tmp_path / "reports.csv")
    file = SimpleUploadedFile("reports.csv", path.read_bytes(), content_type="text/csv")
    answer = client.post(reverse("imports:upload"), {"upload": file})
    assert "3 episodes and 2 gradings added" in answer.content.decode()


@pytest.mark.parametrize("name", ["sam", "chris", "pete", "andy", "olive", "rita"])
def test_only_managers_of_a_council_or_force_may_import(client, world, name):
    client.force_login(getattr(world, name))
    assert client.get(reverse("imports:upload")).status_code == 404


def test_the_page_needs_sign_in(client, world):
    answer = client.get(reverse("imports:upload"))
    assert answer.status_code == 302
    assert "/account/" in answer["Location"]
