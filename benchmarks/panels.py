"""Benchmark: a panel's suggestions and agenda over 5,000 children, and a 40-child panel pack PDF.

Targets (issue 4): the agenda for a panel covering 5,000 children and 50,000 episodes builds in
under 1 second on PostgreSQL; the panel pack PDF for 40 children in under 15 seconds.

    .venv/bin/python benchmarks/panels.py                  # full size: 5,000 children
    .venv/bin/python benchmarks/panels.py --children 500   # a tenth, while developing

Data: synthetic Haringey children written with bulk inserts into their own PostgreSQL database
(``lantern_bench_panels`` unless --db says otherwise; created if missing, reused when it already
holds the asked-for number of children). Each child has a missing "career": most have a few
episodes, some go missing very often, spread over four years (10 episodes a child on average,
so 50,000 in all), with police gradings, return interviews, some disclosures, placements, some
screenings, and the risk flags the risk app derives. The panel is Haringey's, with four member
organisations, the default referral criteria and a meeting three weeks ago.

Timed, best and median of --repeat runs after a warm-up, in this process through Django:

* suggestions: the referral criteria over every child the chair can see;
* agenda build: ``services.agenda_build`` (criteria, carried forward, risk levels, what changed,
  items, reasons, shares with members, audit), rolled back after each run so every run builds
  from nothing;
* agenda view: ``queries.agenda_for`` as the chair sees it;
* pack: ``queries.pack_for`` and the WeasyPrint PDF for a meeting with 40 children.
"""

import argparse
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import _pg


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--episodes-per-child", type=float, default=10.0)
    parser.add_argument("--pack-children", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON too")
    _pg.add_arguments(parser, db="lantern_bench_panels")
    return parser.parse_args()


ARGS = _parse()


_pg.setup(ARGS)

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from lantern.accounts.models import Organisation, OrgType, Share, User  # noqa: E402
from lantern.accounts.roles import Role  # noqa: E402
from lantern.accounts.services import user_create  # noqa: E402
from lantern.episodes.models import MissingEpisode, PoliceGrading  # noqa: E402
from lantern.interviews.models import Disclosure, ReturnInterview  # noqa: E402
from lantern.panels import queries, services  # noqa: E402
from lantern.panels.models import (  # noqa: E402
    AgendaItem,
    Meeting,
    MeetingStatus,
    Panel,
    ReferralRule,
    Remit,
    Sharing,
)
from lantern.panels.pdf import render_pdf  # noqa: E402
from lantern.people.models import Child, Placement  # noqa: E402
from lantern.risk.models import Assessment, ScreeningTool, ToolStatus  # noqa: E402
from lantern.risk.services import flags_refresh_all  # noqa: E402

HARINGEY, MET = "E09000014", "E23000001"
ELSEWHERE = ("E09000010", "E06000033", "E06000043", "E09000007")  # Enfield, Southend, ...
FIRST = ("Kai", "Ruby", "Leah", "Mason", "Ayo", "Nia", "Omar", "Zara", "Theo", "Maya", "Eli")
LAST = ("Mensah", "Kowalski", "Adeyemi", "Doyle", "Okafor", "Silva", "Hughes", "Khan", "Reid")
CHAIR = "bench-chair"


class Rollback(Exception):
    pass


CPU_SECONDS: dict[str, list[float]] = {}


def _backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(run: Callable[[], Any], repeat: int, label: str = "") -> tuple[float, float, Any]:
    """Best and median wall time of ``repeat`` runs after a warm-up. With ``label``, also the
    CPU seconds of each run (this process plus its PostgreSQL backend), which a busy shared
    machine inflates far less than wall time."""
    result = run()  # warm-up
    times = []
    for _ in range(repeat):
        cpu = time.process_time() + _backend_cpu()
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
        if label:
            used = time.process_time() + _backend_cpu() - cpu
            CPU_SECONDS.setdefault(label, []).append(used)
    return min(times), statistics.median(times), result


def cpu_median(label: str) -> float:
    return statistics.median(CPU_SECONDS[label])


def _career(rng: random.Random, mean: float) -> int:
    """Episodes for one child: most a few, some very many (mean about ``mean``)."""
    roll = rng.random()
    if roll < 0.6:
        return rng.randint(1, 5)
    if roll < 0.9:
        return rng.randint(6, 20)
    return rng.randint(21, max(22, int(mean * 6.5)))


def seed(now: datetime) -> float:
    """Write the synthetic children and everything about them; returns seconds taken."""
    started = time.perf_counter()
    rng = random.Random(2026)
    orgs = {
        o.ons_code: o for o in Organisation.objects.filter(ons_code__in=[HARINGEY, MET, *ELSEWHERE])
    }
    haringey, met = orgs[HARINGEY], orgs[MET]
    charity, _ = Organisation.objects.get_or_create(
        name="Safe Return Project (bench)", type=OrgType.VOLUNTARY
    )
    chair = User.objects.filter(username=CHAIR).first() or user_create(
        username=CHAIR,
        password="bench-password-not-secret",  # noqa: S106
        organisation=haringey,
        role=Role.PANEL_CHAIR,
        display_name="Bench Chair",
    )
    today = timezone.localdate(now)
    span = timedelta(days=4 * 365)
    with transaction.atomic():
        children = Child.objects.bulk_create(
            Child(
                first_name=rng.choice(FIRST),
                last_name=f"{rng.choice(LAST)} {n}",
                date_of_birth=today - timedelta(days=rng.randint(11 * 365, 18 * 365 - 10)),
                sex=rng.choice("MF"),
                home_la=haringey,
                care_status="lac" if rng.random() < 0.35 else "none",
                legal_status="",
            )
            for n in range(ARGS.children)
        )
        for child in children:
            if child.care_status == "lac":
                child.legal_status = "C2"
        Child.objects.bulk_update(children, ["legal_status"], batch_size=2000)
        placements = []
        for child in children:
            if child.care_status != "lac":
                continue
            out = rng.random() < 0.35
            placements.append(
                Placement(
                    child=child,
                    placing_la=haringey,
                    place="K2" if out else "U1",
                    provider="PR4" if out else "PR1",
                    postcode="EN1 1AA" if out else "N17 6AA",
                    started_on=today - timedelta(days=rng.randint(30, 900)),
                    host_la=orgs[ELSEWHERE[0]] if out else haringey,
                    host_area_code=ELSEWHERE[0] if out else HARINGEY,
                    location="OUT" if out else "IN",
                )
            )
        Placement.objects.bulk_create(placements, batch_size=2000)

        target = int(ARGS.children * ARGS.episodes_per_child)
        counts = [_career(rng, ARGS.episodes_per_child) for _ in children]
        scale = target / sum(counts)
        counts = [max(1, round(c * scale)) for c in counts]
        counts[-1] += target - sum(counts)
        episodes = []
        for child, count in zip(children, counts, strict=True):
            count = max(1, count)
            # A career: frequent children go missing within a shorter stretch of the four years.
            length = span if count <= 5 else timedelta(days=rng.randint(120, 540))
            begin = now - span + timedelta(seconds=rng.random() * (span - length).total_seconds())
            starts = sorted(
                begin + timedelta(seconds=rng.random() * length.total_seconds())
                for _ in range(count)
            )
            for k, seen in enumerate(starts):
                gap = (starts[k + 1] - seen) if k + 1 < count else (now - seen)
                hours = min(rng.choice((3, 8, 20, 30, 50, 80)), gap.total_seconds() / 3600 * 0.8)
                back = seen + timedelta(hours=hours)
                is_open = k + 1 == count and rng.random() < 0.01
                if back >= now:
                    is_open = True
                found_out = rng.random() < 0.08
                episodes.append(
                    MissingEpisode(
                        child=child,
                        setting="care" if child.care_status == "lac" else "home",
                        whereabouts="unknown" if rng.random() < 0.85 else "known",
                        looked_after=child.care_status == "lac",
                        last_seen_at=seen,
                        reported_at=seen + timedelta(minutes=rng.randint(20, 240)),
                        reporter_kind="foster_carer"
                        if child.care_status == "lac"
                        else "parent_carer",
                        reporting_organisation=haringey,
                        reported_to_police=True,
                        police_force=met,
                        missing_from_la=haringey,
                        returned_at=None if is_open else back,
                        return_how="" if is_open else "self",
                        found_la=None
                        if is_open
                        else (orgs[rng.choice(ELSEWHERE)] if found_out else haringey),
                        recording_organisation=haringey,
                    )
                )
        MissingEpisode.objects.bulk_create(episodes, batch_size=5000)

        gradings = []
        interviews = []
        links = []
        for e in episodes:
            if rng.random() < 0.6:
                grade = rng.choices(("low", "medium", "high"), (40, 45, 15))[0]
                gradings.append(
                    PoliceGrading(
                        episode=e,
                        grade=grade,
                        graded_at=e.last_seen_at + timedelta(hours=1),
                        graded_by_name="PS Bench",
                        organisation=met,
                        rationale="Benchmark grading",
                    )
                )
            if e.returned_at and rng.random() < 0.5:
                completed = e.returned_at + timedelta(hours=30)
                done = completed < now
                interviews.append(
                    ReturnInterview(
                        child_id=e.child_id,
                        status="completed" if done else "offered",
                        offered_at=e.returned_at + timedelta(hours=2),
                        offered_by_name="Bench worker",
                        offered_by_organisation=charity,
                        conducted_by_organisation=charity,
                        completed_at=completed if done else None,
                    )
                )
                links.append(e)
        PoliceGrading.objects.bulk_create(gradings, batch_size=5000)
        ReturnInterview.objects.bulk_create(interviews, batch_size=5000)
        through = ReturnInterview.episodes.through
        through.objects.bulk_create(
            (
                through(returninterview_id=i.pk, missingepisode_id=e.pk)
                for i, e in zip(interviews, links, strict=True)
            ),
            batch_size=5000,
        )
        disclosures = [
            Disclosure(
                interview=i,
                text="Benchmark disclosure",
                exploitation_type=rng.choice(("cse", "cce", "county_lines", "online")),
                is_exploitation_indicator=True,
            )
            for i in interviews
            if i.status == "completed" and rng.random() < 0.015
        ]
        Disclosure.objects.bulk_create(disclosures, batch_size=5000)
        # Disclosures are dated when the interview was completed (created_at is set on insert).
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE interviews_disclosure d SET created_at = i.completed_at, "
                "updated_at = i.completed_at FROM interviews_returninterview i "
                "WHERE d.interview_id = i.id"
            )
        tool = ScreeningTool.objects.filter(status=ToolStatus.PUBLISHED).first()
        if tool is not None:
            screened = rng.sample(children, k=min(len(children), ARGS.children // 20))
            Assessment.objects.bulk_create(
                Assessment(
                    child=child,
                    tool=tool,
                    assessed_at=now - timedelta(days=rng.randint(1, 300)),
                    assessor=chair,
                    organisation=haringey,
                    status="completed",
                    computed_level=level,
                    confirmed_level=level,
                    rationale="Benchmark screening",
                    completed_at=now - timedelta(days=rng.randint(1, 300)),
                )
                for child in screened
                for level in rng.choices(("low", "medium", "high"), (60, 30, 10))
            )
    flags_refresh_all(now=now)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def panel_setup(now: datetime) -> tuple[Panel, Meeting, Meeting, User]:
    chair = User.objects.get(username=CHAIR)
    haringey = Organisation.objects.get(ons_code=HARINGEY)
    met = Organisation.objects.get(ons_code=MET)
    charity = Organisation.objects.get(name="Safe Return Project (bench)")
    health, _ = Organisation.objects.get_or_create(
        name="Community Health (bench)", type=OrgType.HEALTH
    )
    school, _ = Organisation.objects.get_or_create(name="Academy (bench)", type=OrgType.EDUCATION)
    members = [
        (met, Sharing.FULL),
        (health, Sharing.FULL),
        (charity, Sharing.RESTRICTED_EXCLUDED),
        (school, Sharing.RESTRICTED_EXCLUDED),
    ]
    today = timezone.localdate(now)
    with transaction.atomic():
        panel = Panel.objects.filter(name="Haringey panel (bench)").first()
        if panel is None:
            panel = services.panel_create(
                actor=chair,
                name="Haringey panel (bench)",
                lead_la=haringey,
                members=members,
                remits=Remit.values,
            )
        Meeting.objects.get_or_create(
            panel=panel,
            date=today - timedelta(days=21),
            defaults={"status": MeetingStatus.CLOSED, "closed_at": now - timedelta(days=21)},
        )
        meeting, _ = Meeting.objects.get_or_create(panel=panel, date=today)
        # A second panel, criteria switched off, with exactly the pack's children referred by hand.
        pack_panel = Panel.objects.filter(name="Pack panel (bench)").first()
        if pack_panel is None:
            pack_panel = services.panel_create(
                actor=chair,
                name="Pack panel (bench)",
                lead_la=haringey,
                members=members,
                remits=Remit.values,
            )
            ReferralRule.objects.filter(panel=pack_panel).update(active=False)
        pack_meeting, made = Meeting.objects.get_or_create(panel=pack_panel, date=today)
        if made:
            busiest = (
                MissingEpisode.objects.filter(last_seen_at__gt=now - timedelta(days=365))
                .order_by("child_id")
                .values_list("child_id", flat=True)
                .distinct()[: ARGS.pack_children]
            )
            for child in Child.objects.filter(pk__in=list(busiest)):
                services.referral_make(
                    actor=chair, panel=pack_panel, child=child, reason="Referred for the benchmark"
                )
            services.agenda_build(actor=chair, meeting=pack_meeting, now=now)
    return panel, meeting, pack_meeting, chair


def main() -> None:
    now = timezone.now()
    call_command("migrate", verbosity=0)
    seed_seconds = 0.0
    have = Child.objects.count()
    if have == 0:
        print(f"Seeding {ARGS.children:,} children into {ARGS.db} ...", flush=True)
        seed_seconds = seed(now)
    elif have != ARGS.children:
        raise SystemExit(f"{ARGS.db} holds {have:,} children; use --fresh to reseed")
    else:
        print(f"Reusing {have:,} children in {ARGS.db}")
    panel, meeting, pack_meeting, chair = panel_setup(now)
    chair = User.objects.get(pk=chair.pk)  # a fresh acting membership each time
    children = Child.objects.count()
    episodes = MissingEpisode.objects.count()
    load_start = os.getloadavg()

    suggest_best, suggest_median, found = timed(
        lambda: queries.suggestions_for(chair, panel, now=timezone.now(), meeting=meeting),
        ARGS.repeat,
        "suggestions",
    )

    def build() -> Any:
        try:
            with transaction.atomic():
                built = services.agenda_build(actor=chair, meeting=meeting)
                raise Rollback(built)
        except Rollback as done:
            return done.args[0]

    # Start from no agenda and no panel shares, so every timed build is a first build.
    with transaction.atomic():
        AgendaItem.objects.filter(meeting=meeting).delete()
        Share.objects.filter(purpose=services.PANEL_PURPOSE, reason__contains=panel.name).delete()
    build_best, build_median, built = timed(build, ARGS.repeat, "build")
    # Keep one built agenda for the rebuild and view timings.
    with transaction.atomic():
        services.agenda_build(actor=chair, meeting=meeting)
    rebuild_best, rebuild_median, _ = timed(build, ARGS.repeat, "rebuild")
    view_best, view_median, _ = timed(
        lambda: queries.agenda_for(chair, meeting), ARGS.repeat, "view"
    )

    def pack() -> tuple[int, int]:
        at = timezone.now()
        agenda, summaries = queries.pack_for(chair, pack_meeting, restricted_version=False, now=at)
        pdf = render_pdf(
            "panels/pack.html",
            {
                "meeting": pack_meeting,
                "panel": pack_meeting.panel,
                "agenda": agenda,
                "summaries": summaries,
                "version": "full",
                "printed_at": at,
                "printed_by": chair,
                "organisation": None,
            },
        )
        return len(summaries), len(pdf)

    pack_best, pack_median, (pack_children, pack_bytes) = timed(
        pack, max(1, ARGS.repeat // 2), "pack"
    )
    load_end = os.getloadavg()

    figures = {
        "date": date.today().isoformat(),
        "database": connection.vendor,
        "children": children,
        "episodes": episodes,
        "covered_by_panel": found.covered,
        "suggested": len(found.rows),
        "agenda_children": built.children,
        "shares_per_build": built.shares,
        "suggestions_best_s": round(suggest_best, 3),
        "suggestions_median_s": round(suggest_median, 3),
        "agenda_build_best_s": round(build_best, 3),
        "agenda_build_median_s": round(build_median, 3),
        "agenda_rebuild_best_s": round(rebuild_best, 3),
        "agenda_rebuild_median_s": round(rebuild_median, 3),
        "agenda_view_best_s": round(view_best, 3),
        "agenda_view_median_s": round(view_median, 3),
        "pack_children": pack_children,
        "pack_bytes": pack_bytes,
        "pack_best_s": round(pack_best, 2),
        "pack_median_s": round(pack_median, 2),
        "cpu_median_s": {k: round(cpu_median(k), 3) for k in CPU_SECONDS},
        "seed_s": round(seed_seconds, 1),
        "cores": os.cpu_count(),
        "load_average_start": round(load_start[0], 1),
        "load_average_end": round(load_end[0], 1),
    }
    print(
        f"{children:,} children, {episodes:,} episodes; the panel covers {found.covered:,}, "
        f"{len(found.rows):,} suggested, {built.children:,} on the agenda "
        f"({built.shares:,} shares per build)"
    )
    print("Wall time (best, median) and CPU time (median; this process and its database backend)")
    rows = (
        ("Suggestions", suggest_best, suggest_median, "suggestions", ""),
        ("Agenda build", build_best, build_median, "build", " (target < 1 s)"),
        ("Rebuild", rebuild_best, rebuild_median, "rebuild", ""),
        ("Agenda view", view_best, view_median, "view", ""),
        (
            f"Pack PDF, {pack_children} children",
            pack_best,
            pack_median,
            "pack",
            " (target < 15 s)",
        ),
    )
    for name, best, median, label, target in rows:
        print(
            f"  {name:26s} {best:6.3f} s, {median:6.3f} s; CPU {cpu_median(label):6.3f} s{target}"
        )
    print(f"  Pack size {pack_bytes / 1024:.0f} KB")
    print(
        f"Load average (1 min) at start {load_start[0]:.1f}, at end {load_end[0]:.1f}; "
        f"{os.cpu_count()} cores"
    )
    if ARGS.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
