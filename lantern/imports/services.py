"""Imports: check everything first, then write it all in one transaction, or nothing.

The order is always the same (security goal IN4):

1. read and check every file on its own and the files against each other (no database);
2. in one transaction: lock the children the files name, check the files against what Lantern
   already holds (the same child, placement or episode twice is not a duplicate but the same
   thing again; an overlap is a problem), and stop with every problem found if there are any;
3. write the new rows in bulk (``lantern.imports.writer``), record each change to an existing
   row with its before and after, record the run and one audit event with the counts.

A killed import is a transaction that never committed: nothing of it remains. A rejected import
writes nothing but its own record (``ImportRun`` with status "rejected" and its first problems).
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from lantern.accounts.models import Organisation, OrgType
from lantern.audit.models import Action
from lantern.audit.services import audit_record, changes, snapshot
from lantern.common.bulk import collector_paused, indexes_deferred
from lantern.episodes import rules
from lantern.episodes.models import Grade, MissingEpisode, PoliceGrading, ReturnHow, Whereabouts
from lantern.geo import postcodes
from lantern.imports import police, ssda903
from lantern.imports.files import ImportRejected, Problem, Problems, TooManyProblems, checksum
from lantern.imports.models import ImportKind, ImportRun, ImportStatus
from lantern.imports.timeline import Period, place_periods
from lantern.imports.writer import Inserter, gist_order, reserve_ids, should_defer_indexes
from lantern.people import names as name_keys
from lantern.people.codes import CareStatus, IdentifierKind
from lantern.people.models import (
    Child,
    ChildIdentifier,
    ChildNameKey,
    Placement,
    PlacementLocation,
)

CHUNK = 5000
STORED_PROBLEMS = 200

NOT_A_COUNCIL = "Choose a local authority: the 903 return belongs to a council"
NOT_A_FORCE = "Choose a police force: police reports belong to a force"
DOB_DIFFERS_FROM_LANTERN = (
    "DOB differs from Lantern's record of this child. Correct the file or the child's record"
)
PLACEMENT_DIFFERS = (
    "Lantern already has this placement (same child and DECOM) with a different PLACE or DEC. "
    "Correct the file or the placement in Lantern"
)
PERIOD_DIFFERS = (
    "Lantern already has this child's missing period starting on MIS_START, ending on a "
    "different day. Correct the file or the episode in Lantern"
)
PLACEMENT_OVERLAPS_LANTERN = (
    "This placement overlaps a placement Lantern already has for the child. Check the dates"
)
EPISODE_OVERLAPS_LANTERN = (
    "This period overlaps a missing episode Lantern already has for the child. Check the dates"
)
RACED = "Another import or change wrote the same records at the same moment. Run the import again"


@dataclass
class Counts:
    rows_read: int = 0
    children_created: int = 0
    placements_created: int = 0
    episodes_created: int = 0
    gradings_created: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    detail: dict[str, int] = field(default_factory=dict)

    def fields(self) -> dict[str, int]:
        return {
            "rows_read": self.rows_read,
            "children_created": self.children_created,
            "placements_created": self.placements_created,
            "episodes_created": self.episodes_created,
            "gradings_created": self.gradings_created,
            "rows_updated": self.rows_updated,
            "rows_unchanged": self.rows_unchanged,
        }


def _chunks(values: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    batch: list[int] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _actor_id(actor: Any) -> int | None:
    return getattr(actor, "pk", None)


def _record_rejection(
    *,
    actor: Any,
    kind: str,
    organisation: Organisation,
    started: datetime,
    names: list[str],
    digest: str,
    rows_read: int,
    rejected: ImportRejected,
    via: str,
) -> ImportRun:
    with transaction.atomic():
        run = ImportRun.objects.create(
            kind=kind,
            status=ImportStatus.REJECTED,
            organisation=organisation,
            user_id=_actor_id(actor),
            via=via,
            started_at=started,
            finished_at=timezone.now(),
            file_names=", ".join(names)[:500],
            checksum=digest,
            rows_read=rows_read,
            error_count=len(rejected.problems),
            errors=[p.as_dict() for p in rejected.problems[:STORED_PROBLEMS]],
        )
        audit_record(
            actor=actor,
            action=Action.DENIED,
            obj=run,
            summary=f"Import rejected: {len(rejected.problems)}{'+' if rejected.more else ''} "
            "problems; nothing was written",
            detail={"files": names, "checksum": digest, "via": via},
        )
    return run


def _record_success(
    *,
    actor: Any,
    kind: str,
    organisation: Organisation,
    started: datetime,
    names: list[str],
    digest: str,
    counts: Counts,
    via: str,
) -> ImportRun:
    run = ImportRun.objects.create(
        kind=kind,
        status=ImportStatus.IMPORTED,
        organisation=organisation,
        user_id=_actor_id(actor),
        via=via,
        started_at=started,
        finished_at=timezone.now(),
        file_names=", ".join(names)[:500],
        checksum=digest,
        **counts.fields(),
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=run,
        summary=(
            f"Imported {ImportKind(kind).label} for {organisation.name}: "
            f"{counts.children_created} children, {counts.placements_created} placements, "
            f"{counts.episodes_created} episodes and {counts.gradings_created} gradings added; "
            f"{counts.rows_updated} changed, {counts.rows_unchanged} already there"
        ),
        detail={"files": names, "checksum": digest, "via": via, **counts.fields()},
    )
    return run


# --- SSDA903 ------------------------------------------------------------------------------------


@dataclass
class _Known:
    """What Lantern already holds about the children a 903 set names."""

    child_of: dict[str, int]  # CHILD -> child pk (after following merges)
    dob: dict[int, date]
    home_postcode: dict[int, str]
    placements: dict[int, list[tuple[int, int, date, date | None, str, int]]]
    episodes: dict[int, list[tuple[int, datetime, datetime | None, int]]]


def _known_903(la: Organisation, data: ssda903.Set903) -> _Known:
    issued = dict(
        ChildIdentifier.objects.filter(
            kind=IdentifierKind.LA_CHILD_ID, issuing_organisation=la
        ).values_list("value", "child_id")
    )
    wanted = {value: pk for value, pk in issued.items() if value in data.header}
    rows: dict[int, tuple[int | None, date, str]] = {}
    pending = set(wanted.values())
    while pending:  # follow record-linkage merges to the surviving record
        found: dict[int, tuple[int | None, date, str]] = {}
        for batch in _chunks(sorted(pending)):
            # Locked until the import commits: no one reports an episode for these children
            # between our overlap checks and our writes (SQLite holds its write lock already).
            for pk, merged_into, dob, home in (
                Child.objects.select_for_update()
                .filter(pk__in=batch)
                .values_list("pk", "merged_into_id", "date_of_birth", "home_postcode")
            ):
                found[pk] = (merged_into, dob, home)
        rows.update(found)
        pending = {m for m, _, _ in found.values() if m is not None and m not in rows}

    def survivor(pk: int) -> int:
        seen = set()
        while rows.get(pk, (None,))[0] is not None and pk not in seen:
            seen.add(pk)
            pk = rows[pk][0]  # type: ignore[assignment]
        return pk

    child_of = {value: survivor(pk) for value, pk in wanted.items()}
    ids = sorted(set(child_of.values()))
    placements: dict[int, list[tuple[int, int, date, date | None, str, int]]] = defaultdict(list)
    episodes: dict[int, list[tuple[int, datetime, datetime | None, int]]] = defaultdict(list)
    for batch in _chunks(ids):
        for pk, child_id, placing, start, end, place, version in Placement.objects.filter(
            child_id__in=batch
        ).values_list(
            "pk", "child_id", "placing_la_id", "started_on", "ended_on", "place", "version"
        ):
            placements[child_id].append((pk, placing, start, end, place, version))
        for pk, child_id, seen, back, version in MissingEpisode.objects.filter(
            child_id__in=batch
        ).values_list("pk", "child_id", "last_seen_at", "returned_at", "version"):
            episodes[child_id].append((pk, seen, back, version))
    return _Known(
        child_of=child_of,
        dob={pk: rows[pk][1] for pk in ids},
        home_postcode={pk: rows[pk][2] for pk in ids},
        placements=placements,
        episodes=episodes,
    )


@dataclass
class _Plan903:
    new_children: list[tuple[int, ssda903.HeaderRow]] = field(default_factory=list)
    new_placements: list[tuple[int, ssda903.EpisodeRow]] = field(default_factory=list)
    placement_ends: list[tuple[int, int, date]] = field(default_factory=list)  # pk, version, end
    new_episodes: list[tuple[int, ssda903.MissingRow, datetime, datetime | None]] = field(
        default_factory=list
    )
    episode_returns: list[tuple[int, int, datetime]] = field(default_factory=list)
    unchanged: int = 0


def _plan_903(
    la: Organisation, data: ssda903.Set903, known: _Known, problems: Problems
) -> tuple[_Plan903, dict[str, int]]:
    """What to write, checked against Lantern's records. Child pks for new children are
    negative placeholders until ids are reserved."""
    plan = _Plan903()
    names = data.file_names
    child_pk: dict[str, int] = {}
    placeholder = 0
    for value, head in data.header.items():
        known_pk = known.child_of.get(value)
        if known_pk is None:
            placeholder -= 1
            child_pk[value] = placeholder
            plan.new_children.append((placeholder, head))
        else:
            child_pk[value] = known_pk
            if known.dob[known_pk] != head.dob:
                problems.add(names["Header"], head.line, "DOB", DOB_DIFFERS_FROM_LANTERN)
            else:
                plan.unchanged += 1
    for value, spans_in_file in data.episodes.items():
        pk = child_pk[value]
        held = known.placements.get(pk, [])
        # Where Lantern's placements will be once this file's ends are applied.
        spans = {p[0]: (p[2], p[3]) for p in held}
        fresh: list[ssda903.EpisodeRow] = []
        for span in spans_in_file:
            match = next((p for p in held if p[1] == la.pk and p[2] == span.decom), None)
            if match is None:
                fresh.append(span)
                continue
            placement_pk, _, _, end, place, version = match
            if place != span.place or (end is not None and end != span.dec):
                problems.add(names["Episodes"], span.line, "DEC", PLACEMENT_DIFFERS)
            elif end is None and span.dec is not None:
                plan.placement_ends.append((placement_pk, version, span.dec))
                spans[placement_pk] = (span.decom, span.dec)
            else:
                plan.unchanged += 1
        for span in fresh:
            this_end = span.dec or date.max
            if any(
                span.decom < (end or date.max) and start < this_end for start, end in spans.values()
            ):
                problems.add(names["Episodes"], span.line, "DECOM", PLACEMENT_OVERLAPS_LANTERN)
            else:
                plan.new_placements.append((pk, span))
    for value, periods_in_file in data.missing.items():
        pk = child_pk[value]
        episodes_held = known.episodes.get(pk)
        if not episodes_held:
            # Nothing in Lantern for this child yet (the usual case in a big import): every
            # period is new, and only the file's own periods can be in its way.
            wanted = [Period(p.start, p.end) for p in periods_in_file]
            for period, placed in zip(periods_in_file, place_periods((), wanted), strict=True):
                if placed is None:
                    problems.add(
                        names["Missing"], period.line, "MIS_START", EPISODE_OVERLAPS_LANTERN
                    )
                else:
                    plan.new_episodes.append((pk, period, placed[0], placed[1]))
            continue
        by_day: dict[date, list[tuple[int, datetime, datetime | None, int]]] = defaultdict(list)
        for item in sorted(episodes_held, key=lambda e: e[1]):
            by_day[ssda903_day(item[1])].append(item)
        periods: list[Period] = []
        targets: list[tuple[ssda903.MissingRow, tuple[int, datetime, datetime | None, int] | None]]
        targets = []
        matched: set[int] = set()
        for period in periods_in_file:
            # Several periods may start on one day: prefer the one that also ends the same day.
            candidates = [e for e in by_day.get(period.start, ()) if e[0] not in matched]
            found = next(
                (
                    e
                    for e in candidates
                    if (ssda903_day(e[2]) if e[2] is not None else None) == period.end
                ),
                candidates[0] if candidates else None,
            )
            if found is not None:
                matched.add(found[0])
                _, seen, back, _ = found
                if back is None and period.end is not None:
                    periods.append(Period(period.start, period.end, pinned_start=seen))
                    targets.append((period, found))
                    continue
                if back is not None and period.end is not None and ssda903_day(back) != period.end:
                    problems.add(names["Missing"], period.line, "MIS_END", PERIOD_DIFFERS)
                # A file that says "still missing" about a period Lantern has seen end is older
                # news, not a difference.
                plan.unchanged += 1
                continue
            periods.append(Period(period.start, period.end))
            targets.append((period, None))
        returning = {m[0] for _, m in targets if m is not None}
        fixed = [(seen, back) for epk, seen, back, _ in episodes_held if epk not in returning]
        for (period, found), placed in zip(targets, place_periods(fixed, periods), strict=True):
            if placed is None:
                problems.add(names["Missing"], period.line, "MIS_START", EPISODE_OVERLAPS_LANTERN)
            elif found is not None:
                assert placed[1] is not None
                plan.episode_returns.append((found[0], found[3], placed[1]))
            else:
                plan.new_episodes.append((pk, period, placed[0], placed[1]))
    return plan, child_pk


def ssda903_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _write_903(
    *,
    actor: Any,
    la: Organisation,
    data: ssda903.Set903,
    known: _Known,
    plan: _Plan903,
    child_pk: dict[str, int],
) -> Counts:
    now = timezone.now()
    actor_id = _actor_id(actor)
    counts = Counts(rows_read=data.rows_read, rows_unchanged=plan.unchanged)
    # Real ids for new children, then everything that points at them. Nothing points at the
    # new identifiers, placements and episodes: the database numbers those as they arrive.
    fresh = reserve_ids(Child, len(plan.new_children))
    real = {placeholder: pk for (placeholder, _), pk in zip(plan.new_children, fresh, strict=True)}
    open_episode: dict[str, ssda903.EpisodeRow] = {}
    for rows in data.episodes.values():
        for row in rows:
            if row.dec is None:
                open_episode[row.child] = row
    home_of: dict[str, str] = {}
    for value, rows in data.episodes.items():
        given = [r.home_postcode for r in rows if r.home_postcode]
        if given:
            home_of[value] = given[-1]

    children = Inserter(
        Child,
        ["id", "date_of_birth", "sex", "ethnicity", "home_postcode", "care_status", "legal_status"],
        constants={
            "created_at": now,
            "updated_at": now,
            "first_name": "",
            "last_name": "",
            "home_la_id": la.pk,
            "created_by_id": actor_id,
        },
    )
    new_identifiers: list[tuple[int, str, str]] = []
    looked_after, not_looked_after = CareStatus.LOOKED_AFTER.value, CareStatus.NONE.value
    la_child_id, upn = IdentifierKind.LA_CHILD_ID.value, IdentifierKind.UPN.value
    for (_, head), pk in zip(plan.new_children, fresh, strict=True):
        current = open_episode.get(head.child)
        children.add(
            (
                pk,
                head.dob,
                head.sex,
                head.ethnicity,
                home_of.get(head.child, ""),
                looked_after if current is not None else not_looked_after,
                current.legal_status if current is not None else "",
            )
        )
        new_identifiers.append((pk, la_child_id, head.child))
        if head.upn and head.upn not in ssda903.UPN_REASONS:
            new_identifiers.append((pk, upn, head.upn))
    children.flush()
    counts.children_created = children.written
    identifiers = Inserter(
        ChildIdentifier,
        ["child_id", "kind", "value"],
        constants={"created_at": now, "updated_at": now, "issuing_organisation_id": la.pk},
    )
    for identifier in new_identifiers:
        identifiers.add(identifier)
    identifiers.flush()

    councils = dict(
        Organisation.objects.filter(type=OrgType.LOCAL_AUTHORITY)
        .exclude(ons_code="")
        .values_list("ons_code", "id")
    )
    homes_known = dict(known.home_postcode)
    for (_, head), pk in zip(plan.new_children, fresh, strict=True):
        homes_known[pk] = home_of.get(head.child, "")
    placements = Inserter(
        Placement,
        [
            "child_id",
            "place",
            "provider",
            "postcode",
            "urn",
            "started_on",
            "ended_on",
            "host_la_id",
            "host_area_code",
            "location",
            "distance_miles",
        ],
        constants={
            "created_at": now,
            "updated_at": now,
            "placing_la_id": la.pk,
            "created_by_id": actor_id,
        },
    )
    # A council's children live and are placed at a few hundred postcodes: look each up once
    # (those in the Episodes table were looked up while it was checked).
    homes: dict[str, postcodes.PostcodeInfo | None] = dict(data.places)
    distances: dict[tuple[str, str], Decimal] = {}
    host_on: dict[int, list[tuple[date, date | None, int | None]]] = defaultdict(list)
    for placeholder, span in plan.new_placements:
        child_id = real.get(placeholder, placeholder)
        info = span.pl_info
        home_code = span.home_postcode or homes_known.get(child_id, "")
        if home_code not in homes:
            homes[home_code] = postcodes.lookup(home_code) if home_code else None
        home = homes[home_code]
        distance: Decimal | None = None
        if home is not None:
            pair = (home.postcode, info.postcode)
            if pair not in distances:
                distances[pair] = postcodes.distance_miles(home, info)
            distance = distances[pair]
        host = councils.get(info.area_code)
        location = (
            PlacementLocation.IN.value
            if info.area_code == la.ons_code
            else PlacementLocation.OUT.value
        )
        placements.add(
            (
                child_id,
                span.place,
                span.provider,
                span.postcode,
                span.urn,
                span.decom,
                span.dec,
                host,
                info.area_code,
                location,
                distance,
            )
        )
        host_on[child_id].append((span.decom, span.dec, host))
    placements.flush()
    counts.placements_created = placements.written

    episodes = Inserter(
        MissingEpisode,
        [
            "child_id",
            "whereabouts",
            "last_seen_at",
            "missing_from_la_id",
            "reported_at",
            "returned_at",
            "return_how",
        ],
        constants={
            "created_at": now,
            "updated_at": now,
            "setting": "care",
            "looked_after": True,
            "reporter_kind": "other",
            "recorded_by_id": actor_id,
            "recording_organisation_id": la.pk,
        },
    )
    episodes.stream(_episode_rows(la, plan.new_episodes, real, host_on))
    counts.episodes_created = episodes.written

    for pk, version, ended_on in plan.placement_ends:
        _update_with_audit(
            actor,
            Placement,
            pk,
            version,
            {"ended_on": ended_on},
            "Ended a placement (SSDA903 import)",
        )
    for pk, version, returned_at in plan.episode_returns:
        _update_with_audit(
            actor,
            MissingEpisode,
            pk,
            version,
            {"returned_at": returned_at, "return_how": ReturnHow.UNKNOWN},
            "Recorded the return (SSDA903 import)",
        )
    counts.rows_updated = len(plan.placement_ends) + len(plan.episode_returns)
    return counts


def _episode_rows(
    la: Organisation,
    new_episodes: list[tuple[int, ssda903.MissingRow, datetime, datetime | None]],
    real: dict[int, int],
    host_on: dict[int, list[tuple[date, date | None, int | None]]],
) -> Iterator[tuple[Any, ...]]:
    """The new episodes' rows, in the order that makes the no-overlap constraint cheapest."""
    missing, away = Whereabouts.UNKNOWN.value, Whereabouts.KNOWN.value
    returned_how = ReturnHow.UNKNOWN.value
    council = la.pk
    for first, stop in gist_order(new_episodes):
        placeholder = new_episodes[first][0]
        child_id = real.get(placeholder, placeholder)
        spans = host_on.get(child_id, ())
        for _, period, start, end in new_episodes[first:stop]:
            day = period.start
            host = council  # the placement's council, else the council making the return
            for s, e, h in spans:
                if h is not None and s <= day and (e is None or day <= e):
                    host = h
                    break
            yield (
                child_id,
                missing if period.code == "M" else away,
                start,
                host,
                start,  # the 903 does not say when the child was reported: not before seen
                end,
                returned_how if end is not None else "",
            )


def _update_with_audit(
    actor: Any, model: Any, pk: int, version: int, fields: dict[str, Any], summary: str
) -> None:
    """Change one existing row, only if nobody has since (version), with its before and after."""
    obj = model.objects.get(pk=pk)
    before = snapshot(obj)
    updated = model.objects.filter(pk=pk, version=version).update(
        **fields, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise IntegrityError("changed during the import")
    obj.refresh_from_db()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=obj,
        child_id=obj.child_id,
        summary=summary,
        detail={"changes": changes(before, snapshot(obj)), "via": "import"},
    )


def ssda903_import(
    *, actor: Any, directory: Path, la: Organisation, via: str = "command line"
) -> ImportRun:
    """Import a council's SSDA903 Header, Episodes and Missing tables from one folder.

    Children are matched by the council's own id (CHILD, kept as a "local authority child ID"
    issued by ``la``), placements by child and DECOM, missing periods by child and MIS_START, so
    the same files imported twice add nothing the second time. Raises ImportRejected (after
    recording the rejection) if anything is wrong; then nothing has been written.
    """
    if la.type != OrgType.LOCAL_AUTHORITY:
        raise ValueError(NOT_A_COUNCIL)
    started = timezone.now()
    names: list[str] = []
    digest = ""
    rows_read = 0
    try:
        files = ssda903.find_files(directory)
        names = [files[t].name for t in ssda903.TABLES]
        digest = checksum(files.values())
        with collector_paused():
            data = ssda903.check_set(files, today=timezone.localdate())
            rows_read = data.rows_read
            try:
                with transaction.atomic():
                    problems = Problems()
                    try:
                        known = _known_903(la, data)
                        plan, child_pk = _plan_903(la, data, known, problems)
                    except TooManyProblems:
                        raise ImportRejected(problems.sorted(), more=True) from None
                    if problems:
                        raise ImportRejected(problems.sorted())
                    defer = should_defer_indexes(MissingEpisode, len(plan.new_episodes))
                    with indexes_deferred(
                        [Child, ChildIdentifier, Placement, MissingEpisode], defer
                    ):
                        counts = _write_903(
                            actor=actor, la=la, data=data, known=known, plan=plan, child_pk=child_pk
                        )
                    return _record_success(
                        actor=actor,
                        kind=ImportKind.SSDA903,
                        organisation=la,
                        started=started,
                        names=names,
                        digest=digest,
                        counts=counts,
                        via=via,
                    )
            except IntegrityError:
                raise ImportRejected([Problem(", ".join(names), 0, "", RACED)]) from None
    except ImportRejected as rejected:
        _record_rejection(
            actor=actor,
            kind=ImportKind.SSDA903,
            organisation=la,
            started=started,
            names=names or [directory.name],
            digest=digest,
            rows_read=rows_read,
            rejected=rejected,
            via=via,
        )
        raise


# --- Police missing-person reports --------------------------------------------------------------

REFERENCE_OTHER_CHILD = (
    "Lantern already has this police_reference for a different child. Check the person_id"
)
RETURN_DIFFERS = (
    "Lantern already has this report with a different returned_at. Correct the file or the "
    "episode in Lantern"
)


@dataclass
class _PolicePlan:
    new_children: list[tuple[int, police.Person]] = field(default_factory=list)
    new_episodes: list[tuple[int, police.Report]] = field(default_factory=list)
    returns: list[tuple[int, int, police.Report]] = field(default_factory=list)  # pk, version
    new_gradings: list[tuple[int, police.Report]] = field(default_factory=list)  # episode pk
    unchanged: int = 0


def _plan_police(
    force: Organisation, data: police.PoliceFile, problems: Problems
) -> tuple[_PolicePlan, dict[str, int]]:
    plan = _PolicePlan()
    name = data.path.name
    issued = dict(
        ChildIdentifier.objects.filter(
            kind=IdentifierKind.POLICE_ID, issuing_organisation=force
        ).values_list("value", "child_id")
    )
    wanted = {pid: issued[pid] for pid in data.people if pid in issued}
    rows: dict[int, tuple[int | None, date]] = {}
    pending = set(wanted.values())
    while pending:
        found = {}
        for batch in _chunks(sorted(pending)):
            for pk, merged_into, dob in (
                Child.objects.select_for_update()
                .filter(pk__in=batch)
                .values_list("pk", "merged_into_id", "date_of_birth")
            ):
                found[pk] = (merged_into, dob)
        rows.update(found)
        pending = {m for m, _ in found.values() if m is not None and m not in rows}

    def survivor(pk: int) -> int:
        seen = set()
        while rows.get(pk, (None,))[0] is not None and pk not in seen:
            seen.add(pk)
            pk = rows[pk][0]  # type: ignore[assignment]
        return pk

    child_pk: dict[str, int] = {}
    placeholder = 0
    for pid, (line, person) in data.people.items():
        if pid in wanted:
            pk = survivor(wanted[pid])
            child_pk[pid] = pk
            if rows[pk][1] != person.dob:
                problems.add(name, line, "dob", DOB_DIFFERS_FROM_LANTERN)
        else:
            placeholder -= 1
            child_pk[pid] = placeholder
            plan.new_children.append((placeholder, person))
    references = {r.reference for r in data.reports}
    by_reference = {
        ref: (pk, child_id, returned, version)
        for ref, pk, child_id, returned, version in MissingEpisode.objects.filter(
            police_force=force
        )
        .exclude(police_reference="")
        .values_list("police_reference", "pk", "child_id", "returned_at", "version")
        if ref in references
    }
    existing: dict[int, list[tuple[int, datetime, datetime | None]]] = defaultdict(list)
    for batch in _chunks(sorted({pk for pk in child_pk.values() if pk > 0})):
        for pk, child_id, seen, back in MissingEpisode.objects.filter(
            child_id__in=batch
        ).values_list("pk", "child_id", "last_seen_at", "returned_at"):
            existing[child_id].append((pk, seen, back))
    # A grading already in Lantern (same episode, moment and grade) is not added again.
    graded = {
        (episode_id, at, grade)
        for batch in _chunks(v[0] for v in by_reference.values())
        for episode_id, at, grade in PoliceGrading.objects.filter(episode_id__in=batch).values_list(
            "episode_id", "graded_at", "grade"
        )
    }
    for report in data.reports:
        pk = child_pk[report.person.person_id]
        match = by_reference.get(report.reference)
        if match is not None:
            episode_pk, child_id, returned, version = match
            if child_id != pk:
                problems.add(name, report.line, "police_reference", REFERENCE_OTHER_CHILD)
                continue
            if returned is None and report.returned_at is not None:
                others = [iv for iv in existing[pk] if iv[0] != episode_pk]
                seen = next(iv[1] for iv in existing[pk] if iv[0] == episode_pk)
                if any(rules.overlaps(seen, report.returned_at, s, b) for _, s, b in others):
                    problems.add(name, report.line, "returned_at", EPISODE_OVERLAPS_LANTERN)
                    continue
                plan.returns.append((episode_pk, version, report))
            elif (
                returned is not None
                and report.returned_at is not None
                and returned != report.returned_at
            ):
                problems.add(name, report.line, "returned_at", RETURN_DIFFERS)
                continue
            else:
                plan.unchanged += 1
            if report.grade and (episode_pk, report.graded_at, report.grade) not in graded:
                plan.new_gradings.append((episode_pk, report))
            continue
        if pk > 0 and any(
            rules.overlaps(report.last_seen_at, report.returned_at, s, b)
            for _, s, b in existing[pk]
        ):
            problems.add(name, report.line, "last_seen_at", EPISODE_OVERLAPS_LANTERN)
            continue
        plan.new_episodes.append((pk, report))
    return plan, child_pk


def _write_police(
    *,
    actor: Any,
    force: Organisation,
    data: police.PoliceFile,
    plan: _PolicePlan,
    child_pk: dict[str, int],
) -> Counts:
    now = timezone.now()
    actor_id = _actor_id(actor)
    counts = Counts(rows_read=data.rows_read, rows_unchanged=plan.unchanged)
    councils = {
        code: (pk, force_id)
        for code, pk, force_id in Organisation.objects.filter(type=OrgType.LOCAL_AUTHORITY)
        .exclude(ons_code="")
        .values_list("ons_code", "id", "police_force_id")
    }
    fresh = reserve_ids(Child, len(plan.new_children))
    real = {placeholder: pk for (placeholder, _), pk in zip(plan.new_children, fresh, strict=True)}
    children = Inserter(
        Child,
        [
            "id",
            "created_at",
            "updated_at",
            "first_name",
            "middle_names",
            "last_name",
            "date_of_birth",
            "sex",
            "home_la_id",
            "home_postcode",
            "care_status",
            "created_by_id",
        ],
    )
    keys: list[tuple[int, str, str]] = []
    for (_, person), pk in zip(plan.new_children, fresh, strict=True):
        children.add(
            (
                pk,
                now,
                now,
                person.first_name,
                person.middle_names,
                person.last_name,
                person.dob,
                person.sex,
                councils[person.home_area][0],
                person.home_postcode,
                CareStatus.LOOKED_AFTER.value if person.looked_after else CareStatus.NONE.value,
                actor_id,
            )
        )
        # Search keys, as people.services keeps them for children created on the pages.
        for token, phonetic in sorted(
            name_keys.keys_for([person.first_name, person.middle_names, person.last_name])
        ):
            keys.append((pk, token, phonetic))
    children.flush()
    counts.children_created = children.written
    identifiers = Inserter(
        ChildIdentifier,
        ["id", "created_at", "updated_at", "child_id", "kind", "value", "issuing_organisation_id"],
    )
    for pk, (_, person), child_id in zip(
        reserve_ids(ChildIdentifier, len(plan.new_children)), plan.new_children, fresh, strict=True
    ):
        identifiers.add(
            (pk, now, now, child_id, IdentifierKind.POLICE_ID.value, person.person_id, force.pk)
        )
    identifiers.flush()
    name_rows = Inserter(ChildNameKey, ["id", "child_id", "token", "phonetic"])
    for pk, (child_id, token, phonetic) in zip(
        reserve_ids(ChildNameKey, len(keys)), keys, strict=True
    ):
        name_rows.add((pk, child_id, token, phonetic))
    name_rows.flush()

    def child_of(report: police.Report) -> int:
        pk = child_pk[report.person.person_id]
        return real.get(pk, pk)

    home_la_of: dict[int, int] = {}
    episode_ids = reserve_ids(MissingEpisode, len(plan.new_episodes))
    episodes = Inserter(
        MissingEpisode,
        [
            "id",
            "created_at",
            "updated_at",
            "child_id",
            "setting",
            "whereabouts",
            "looked_after",
            "last_seen_at",
            "last_seen_place",
            "last_seen_postcode",
            "missing_from_la_id",
            "reported_at",
            "reporter_kind",
            "reported_to_police",
            "police_force_id",
            "police_reference",
            "circumstances",
            "returned_at",
            "found_place",
            "found_postcode",
            "found_la_id",
            "found_force_id",
            "found_with",
            "return_how",
            "recorded_by_id",
            "recording_organisation_id",
        ],
        shuffle=True,
    )
    existing_children = sorted({child_of(r) for _, r in plan.new_episodes if child_of(r) > 0})
    for batch in _chunks(existing_children):
        home_la_of.update(Child.objects.filter(pk__in=batch).values_list("pk", "home_la_id"))
    new_gradings = list(plan.new_gradings)
    for pk, (_, report) in zip(episode_ids, plan.new_episodes, strict=True):
        child_id = child_of(report)
        home_la = home_la_of.get(child_id) or councils[report.person.home_area][0]
        missing_from = councils.get(report.last_seen_area, (home_la, None))[0]
        found_la, found_force = councils.get(report.found_area, (None, None))
        episodes.add(
            (
                pk,
                now,
                now,
                child_id,
                "care" if report.person.looked_after else "home",
                Whereabouts.KNOWN.value if report.whereabouts_known else Whereabouts.UNKNOWN.value,
                report.person.looked_after,
                report.last_seen_at,
                report.last_seen_place,
                report.last_seen_postcode,
                missing_from,
                report.reported_at,
                report.reporter_kind,
                True,
                force.pk,
                report.reference,
                report.circumstances,
                report.returned_at,
                report.found_place,
                report.found_postcode,
                found_la,
                found_force,
                report.found_with,
                report.return_how,
                actor_id,
                force.pk,
            )
        )
        if report.grade:
            new_gradings.append((pk, report))
    episodes.flush()
    counts.episodes_created = episodes.written
    gradings = Inserter(
        PoliceGrading,
        [
            "id",
            "created_at",
            "updated_at",
            "episode_id",
            "grade",
            "scheme",
            "graded_at",
            "graded_by_name",
            "organisation_id",
            "rationale",
            "recorded_by_id",
        ],
    )
    for pk, (episode_id, report) in zip(
        reserve_ids(PoliceGrading, len(new_gradings)), new_gradings, strict=True
    ):
        gradings.add(
            (
                pk,
                now,
                now,
                episode_id,
                report.grade,
                police.LEGACY_SCHEMES.get(Grade(report.grade), "app_current"),
                report.graded_at,
                report.graded_by,
                force.pk,
                report.rationale,
                actor_id,
            )
        )
    gradings.flush()
    counts.gradings_created = gradings.written
    for pk, version, report in plan.returns:
        found_la, found_force = councils.get(report.found_area, (None, None))
        _update_with_audit(
            actor,
            MissingEpisode,
            pk,
            version,
            {
                "returned_at": report.returned_at,
                "return_how": report.return_how,
                "found_place": report.found_place,
                "found_postcode": report.found_postcode,
                "found_la_id": found_la,
                "found_force_id": found_force,
                "found_with": report.found_with,
            },
            "Recorded the return (police import)",
        )
    counts.rows_updated = len(plan.returns)
    return counts


def police_import(
    *, actor: Any, path: Path, force: Organisation, via: str = "command line"
) -> ImportRun:
    """Import a force's missing-person reports (format: docs/imports.md).

    Children are matched by the force's person id (a "police person ID" issued by ``force``),
    reports by the force's reference, so importing the same file twice adds nothing the second
    time; a later file can add the return and new gradings to a report already imported.
    Raises ImportRejected (after recording the rejection) if anything is wrong.
    """
    if force.type != OrgType.POLICE:
        raise ValueError(NOT_A_FORCE)
    started = timezone.now()
    digest = checksum([path])
    rows_read = 0
    try:
        codes = frozenset(
            Organisation.objects.filter(type=OrgType.LOCAL_AUTHORITY)
            .exclude(ons_code="")
            .values_list("ons_code", flat=True)
        )
        data = police.check_file(path, now=started, council_codes=codes)
        rows_read = data.rows_read
        try:
            with transaction.atomic():
                problems = Problems()
                try:
                    plan, child_pk = _plan_police(force, data, problems)
                except TooManyProblems:
                    raise ImportRejected(problems.sorted(), more=True) from None
                if problems:
                    raise ImportRejected(problems.sorted())
                defer = should_defer_indexes(MissingEpisode, len(plan.new_episodes))
                tables = [Child, ChildIdentifier, ChildNameKey, MissingEpisode, PoliceGrading]
                with indexes_deferred(tables, defer):
                    counts = _write_police(
                        actor=actor, force=force, data=data, plan=plan, child_pk=child_pk
                    )
                return _record_success(
                    actor=actor,
                    kind=ImportKind.POLICE,
                    organisation=force,
                    started=started,
                    names=[path.name],
                    digest=digest,
                    counts=counts,
                    via=via,
                )
        except IntegrityError:
            raise ImportRejected([Problem(path.name, 0, "", RACED)]) from None
    except ImportRejected as rejected:
        _record_rejection(
            actor=actor,
            kind=ImportKind.POLICE,
            organisation=force,
            started=started,
            names=[path.name],
            digest=digest,
            rows_read=rows_read,
            rejected=rejected,
            via=via,
        )
        raise
