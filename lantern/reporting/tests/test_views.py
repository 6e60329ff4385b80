"""Report pages and downloads: who may see what (AC1, AC10), audit of exports (AD2), CSV safety."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from lantern.audit.models import Action, AuditEvent
from lantern.reporting import services
from lantern.reporting.tests.factories import at, la, make_child, make_episode, make_placement


@pytest.fixture
def looked_after(world):
    """A Haringey child in care, with a council id that looks like a spreadsheet formula."""
    child = make_child(
        world.haringey,
        dob=date(2011, 2, 3),
        looked_after=True,
        la_id='=HYPERLINK("http://evil.example")',
    )
    make_placement(child, world.haringey, start=date(2024, 6, 1))
    make_episode(child, at(2025, 10, 2, 10), at(2025, 10, 3, 9), looked_after=True)
    make_episode(child, at(2025, 11, 5, 10), None, looked_after=True, known=True)
    return child


def rows(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def exports():
    return AuditEvent.objects.filter(action=Action.EXPORT)


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["andy", "sam", "maria", "chris"])
def test_council_staff_and_analysts_see_their_council_figures(client, world, looked_after, name):
    client.force_login(getattr(world, name))
    response = client.get(reverse("reporting:monthly"), {"month": "2025-10", "months": "1"})
    assert response.status_code == 200
    assert b"Missing from care" in response.content
    assert b"data:image/svg+xml;base64," in response.content


@pytest.mark.parametrize("name", ["pete", "priya", "rita", "olive"])
def test_police_partners_and_admins_get_no_council_reports(client, world, name):
    client.force_login(getattr(world, name))
    for url in ("reporting:index", "reporting:monthly", "reporting:returns", "reporting:regional"):
        assert client.get(reverse(url)).status_code == 404


def test_another_councils_figures_are_404(client, world, looked_after):
    client.force_login(world.bella)
    response = client.get(reverse("reporting:monthly"), {"la": "E09000014", "month": "2025-10"})
    assert response.status_code == 404
    client.force_login(world.andy)
    response = client.get(reverse("reporting:monthly"), {"la": "E06000043", "month": "2025-10"})
    assert response.status_code == 404


def test_analyst_gets_counts_but_row_level_pages_are_404(client, world, looked_after):
    client.force_login(world.andy)
    returns = client.get(reverse("reporting:returns"), {"year": "2026"})
    assert returns.status_code == 200
    assert b"HYPERLINK" not in returns.content  # no child ids on screen
    assert b"See each row" not in returns.content
    assert client.get(reverse("reporting:checks"), {"year": "2026"}).status_code == 404


def test_manager_sees_the_rows_that_need_attention_and_it_is_audited(client, world, looked_after):
    # Make a row fail: a looked-after episode with no placement that day is left out.
    left_out = make_episode(looked_after, at(2024, 5, 1), at(2024, 5, 2), looked_after=True)
    client.force_login(world.maria)
    response = client.get(reverse("reporting:checks"), {"year": "2025"})
    assert response.status_code == 200
    assert b"HYPERLINK" in response.content
    assert reverse("episodes:detail", kwargs={"pk": left_out.pk}).encode() in response.content
    event = AuditEvent.objects.get(action=Action.VIEW, object_type="reporting.ssda903_validation")
    assert event.detail["rows"] == 1


def test_practitioner_cannot_produce_statutory_returns(client, world):
    client.force_login(world.sam)
    assert client.get(reverse("reporting:returns")).status_code == 404
    response = client.post(reverse("reporting:ssda903_csv"), {"year": "2026"})
    assert response.status_code == 404
    assert not exports().exists()


# --- Downloads: audited, formula-safe -------------------------------------------------------------


def test_analyst_downloads_the_903_missing_file_audited_and_neutralised(
    client, world, looked_after
):
    client.force_login(world.andy)
    response = client.post(reverse("reporting:ssda903_csv"), {"year": "2026"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    table = rows(response)
    assert table[0] == ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]
    assert table[1] == [
        '\'=HYPERLINK("http://evil.example")',
        "03/02/2011",
        "M",
        "02/10/2025",
        "03/10/2025",
    ]
    assert table[2][2:] == ["A", "05/11/2025", ""]
    event = exports().get()
    assert event.object_type == "reporting.ssda903_missing"
    assert event.detail["rows"] == 2 and event.detail["children"] == 1
    assert event.username == "andy"


def test_downloads_need_post(client, world, looked_after):
    client.force_login(world.andy)
    assert client.get(reverse("reporting:ssda903_csv"), {"year": "2026"}).status_code == 405


@pytest.mark.parametrize(
    ("url", "data", "kind"),
    [
        ("reporting:checks_csv", {"year": "2026"}, "reporting.ssda903_validation"),
        ("reporting:ssd_csv", {"year": "2026"}, "reporting.ssd_missing"),
        ("reporting:annex_a_csv", {"on": "2026-01-31"}, "reporting.annex_a_list8_missing"),
        ("reporting:monthly_csv", {"month": "2025-10", "months": "1"}, "reporting.monthly_figures"),
        (
            "reporting:regional_csv",
            {"region": "E12000007", "year": "2026", "breakdown": "category"},
            "reporting.regional_table",
        ),
    ],
)
def test_every_download_is_audited_with_row_counts(client, world, looked_after, url, data, kind):
    client.force_login(world.andy)
    response = client.post(reverse(url), data)
    assert response.status_code == 200
    event = exports().get()
    assert event.object_type == kind
    assert event.detail["rows"] == len(rows(response)) - 1


def test_ssd_missing_columns_and_values(client, world, looked_after):
    client.force_login(world.maria)
    table = rows(client.post(reverse("reporting:ssd_csv"), {"year": "2026"}))
    assert table[0] == [
        "miss_table_id",
        "miss_person_id",
        "miss_missing_episode_start",
        "miss_missing_episode_type",
        "miss_missing_episode_end",
        "miss_missing_rhi_offered",
        "miss_missing_rhi_accepted",
    ]
    assert table[1][1:] == [
        '\'=HYPERLINK("http://evil.example")',
        "2025-10-02 11:00:00",
        "M",
        "2025-10-03 10:00:00",
        "N",
        "NA",
    ]


def test_annex_a_headers_are_exact(client, world, looked_after):
    client.force_login(world.maria)
    table = rows(client.post(reverse("reporting:annex_a_csv"), {"on": "2026-01-31"}))
    assert table[0][1:] == [
        "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
        "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
        "Was the child offered a Return Interview after their last missing episode (Y/N)?",
        "Did the child accept a Return Interview after their last missing episode (Y/N)?",
    ]
    assert table[1][1:] == ["1", "1", "N", ""]


# --- Regional tables ------------------------------------------------------------------------------


def test_regional_table_hides_small_numbers(client, world):
    # Three Haringey incidents in the year: primary suppression must hide them.
    child = make_child(world.haringey)
    for day in (1, 5, 9):
        make_episode(child, at(2025, 6, day), at(2025, 6, day, 18))
    client.force_login(world.andy)
    response = client.get(
        reverse("reporting:regional"),
        {"region": "E12000007", "year": "2026", "breakdown": "category"},
    )
    assert response.status_code == 200
    table = response.context["table"]
    haringey = next(row for row in table.body if row[0] == "Haringey")
    assert haringey[1] == "c" and haringey[-1] == "c"
    for row in table.body:
        for cell in row[1:]:
            assert cell == "c" or not 1 <= int(cell) <= 5


def test_regional_table_is_open_to_any_council_member(client, world):
    client.force_login(world.bella)
    response = client.get(reverse("reporting:regional"))
    assert response.status_code == 200
    assert response.context["form"].cleaned_data["region"] == la("E06000043").region_code


def test_no_report_page_shows_an_analyst_a_child(client, world, looked_after):
    """AC10: walk every report page an analyst can open; none names a child."""
    client.force_login(world.andy)
    pages = [
        (reverse("reporting:index"), {}),
        (reverse("reporting:monthly"), {"month": "2025-10", "months": "12"}),
        (reverse("reporting:returns"), {"year": "2026"}),
        (reverse("reporting:regional"), {}),
    ]
    for url, params in pages:
        response = client.get(url, params)
        assert response.status_code == 200
        assert b"HYPERLINK" not in response.content
        assert looked_after.reference.encode() not in response.content
        assert b"Test Child" not in response.content


def test_findings_on_file_lines_name_the_lantern_episode(world):
    child = make_child(world.haringey, looked_after=True, la_id="H999")
    make_placement(child, world.haringey, start=date(2024, 6, 1), end=date(2025, 9, 1))
    make_placement(child, world.haringey, start=date(2025, 9, 1))
    episode = make_episode(child, at(2025, 9, 1, 15), None, looked_after=True)
    _, problems = services.ssda903_check(world.haringey, 2026)
    (finding,) = [p for p in problems if p.rule == "575"]
    assert (finding.line, finding.source) == (2, episode.reference)


def test_england_table_lists_every_council_with_a_rounded_national_total(client, world):
    child = make_child(world.haringey)
    for day in range(1, 8):
        make_episode(child, at(2025, 6, day), at(2025, 6, day, 18))
    client.force_login(world.andy)
    response = client.get(
        reverse("reporting:regional"),
        {"region": "E92000001", "year": "2026", "breakdown": "category"},
    )
    table = response.context["table"]
    assert len(table.body) == 153 + 1
    assert table.body[-1][0] == "England total"
    assert dict((row[0], row[-1]) for row in table.body)["Haringey"] == "7"
    assert table.body[-1][-1] == "10"  # 7 rounded to the nearest 10


def test_missing_at_18_is_reported_once_as_an_e8_reminder(world):
    child = make_child(world.haringey, dob=date(2007, 6, 10), looked_after=True, la_id="H18")
    make_placement(child, world.haringey, start=date(2024, 6, 1))
    make_episode(child, at(2025, 6, 1), None, looked_after=True)
    built, problems = services.ssda903_check(world.haringey, 2026)
    assert [r.as_csv()["MIS_END"] for r in built.rows] == ["10/06/2025"]
    assert [(p.rule, p.severity, p.table, p.child) for p in problems] == [
        ("580", "warning", "Episodes", "H18")
    ]
