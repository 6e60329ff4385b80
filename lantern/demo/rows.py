"""Generated children as plain database rows: pure Python, no Django, so it can run in a worker.

``RowBuilder.add`` turns one ``GenChild`` into rows for every table, assigning primary keys
from counters it is given; ``produce`` runs generation and row building in a separate process
and hands batches of rows to the loader through a queue (see ``lantern.demo.loader``).
"""

import resource
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lantern.demo.generator import generate
from lantern.demo.records import Config, GenChild
from lantern.demo.rules import midnight
from lantern.people import names


def _cols(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Each table's columns, in the order the row tuples give them.
COLUMNS: dict[str, tuple[str, ...]] = {
    "child": _cols(
        "id created_at updated_at first_name middle_names last_name preferred_name "
        "date_of_birth sex gender ethnicity home_la_id home_postcode care_status "
        "legal_status learning_disability"
    ),
    "alias": _cols("id created_at updated_at child_id kind first_name last_name"),
    "identifier": _cols("id created_at updated_at child_id kind value issuing_organisation_id"),
    "namekey": _cols("id child_id token phonetic"),
    "lead": _cols(
        "id created_at updated_at child_id name user_id organisation_id job_title "
        "started_on ended_on reason_for_change"
    ),
    "placement": _cols(
        "id created_at updated_at child_id placing_la_id place provider postcode "
        "started_on ended_on host_la_id host_area_code location distance_miles"
    ),
    "episode": _cols(
        "id created_at updated_at child_id setting whereabouts looked_after last_seen_at "
        "last_seen_place last_seen_postcode missing_from_la_id reported_at reporter_kind "
        "reporter_name reporting_organisation_id reported_to_police police_force_id "
        "police_reference circumstances returned_at found_place found_postcode found_la_id "
        "found_force_id found_with return_how recording_organisation_id"
    ),
    "grading": _cols(
        "id created_at updated_at episode_id grade scheme graded_at graded_by_name "
        "organisation_id rationale"
    ),
    "interview": _cols(
        "id created_at updated_at child_id status offered_at offered_by_name "
        "offered_by_organisation_id conducted_by_organisation_id conducted_by_name "
        "conducted_by_role independent completed_at not_completed_reason "
        "not_completed_detail where_child_was with_whom how_travelled harm agreed_actions"
    ),
    "interview_episode": _cols("id returninterview_id missingepisode_id"),
    "factor": _cols("id interview_id direction factor"),
    "disclosure": _cols(
        "id created_at updated_at interview_id text exploitation_type is_exploitation_indicator"
    ),
}


def _identity(value: Any) -> Any:
    return value


def _sqlite_datetime(value: datetime | None) -> str | None:
    # Django keeps SQLite datetimes as naive UTC text. The generator works in UTC only, so
    # dropping the "+00:00" of the ISO form is the same as converting (and much cheaper).
    return None if value is None else value.isoformat(" ")[:-6]


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _sqlite_decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass
class Context:
    """What the rows need from the database, read once by the loader."""

    orgs: dict[str, int]  # ONS code or demo key -> organisation id
    users: dict[str, int]  # username -> user id
    next_ids: dict[str, int]  # table key -> the first free primary key
    sqlite: bool
    # table key -> values for the model's other columns (their defaults), added to every row
    suffixes: dict[str, tuple[Any, ...]] = field(default_factory=dict)


class _Rows:
    __slots__ = ("next_id", "rows")

    def __init__(self, next_id: int) -> None:
        self.next_id = next_id
        self.rows: list[tuple[Any, ...]] = []

    def take_id(self) -> int:
        value = self.next_id
        self.next_id += 1
        return value


class RowBuilder:
    """Turns generated children into row tuples in ``COLUMNS`` order, with primary keys."""

    def __init__(self, context: Context) -> None:
        self.tables = {key: _Rows(context.next_ids[key]) for key in COLUMNS}
        t = self.tables
        self.child, self.alias, self.identifier, self.namekey = (
            t["child"],
            t["alias"],
            t["identifier"],
            t["namekey"],
        )
        self.lead, self.placement, self.episode, self.grading = (
            t["lead"],
            t["placement"],
            t["episode"],
            t["grading"],
        )
        self.interview, self.interview_episode, self.factor, self.disclosure = (
            t["interview"],
            t["interview_episode"],
            t["factor"],
            t["disclosure"],
        )
        self.dt: Callable[[datetime | None], Any] = (
            _sqlite_datetime if context.sqlite else _identity
        )
        self.d: Callable[[date | None], Any] = _sqlite_date if context.sqlite else _identity
        self.dec: Callable[[Decimal | None], Any] = _sqlite_decimal if context.sqlite else _identity
        # "" (no organisation) maps to NULL, so a plain lookup serves every column.
        self.orgs: dict[str, int | None] = {**context.orgs, "": None}
        self.users = context.users
        self.suffixes = context.suffixes
        self.name_keys: dict[str, tuple[tuple[str, str], ...]] = {}
        self.children = 0
        self.episodes = 0

    def org(self, key: str) -> int | None:
        return self.orgs[key]

    def keys_for(self, name: str) -> tuple[tuple[str, str], ...]:
        keys = self.name_keys.get(name)
        if keys is None:
            keys = self.name_keys[name] = tuple(sorted(names.keys_for([name])))
        return keys

    def take(self) -> dict[str, list[tuple[Any, ...]]]:
        """The rows built since the last call, by table key, complete with default columns."""
        taken = {}
        for key, rows in self.tables.items():
            suffix = self.suffixes.get(key)
            taken[key] = [row + suffix for row in rows.rows] if suffix else rows.rows
            rows.rows = []
        return taken

    def add(self, child: GenChild) -> int:
        self.children += 1
        self.episodes += len(child.episodes)
        dt, d, org = self.dt, self.d, self.orgs.__getitem__
        child_id = self.child.take_id()
        created = dt(child.created_at)
        self.child.rows.append(
            (
                child_id,
                created,
                created,
                child.first_name,
                child.middle_names,
                child.last_name,
                child.preferred_name,
                d(child.date_of_birth),
                child.sex,
                child.gender,
                child.ethnicity,
                org(child.home_la),
                child.home_postcode,
                child.care_status,
                child.legal_status,
                child.learning_disability,
            )
        )
        all_names = [child.first_name, child.middle_names, child.last_name, child.preferred_name]
        for alias in child.aliases:
            self.alias.rows.append(
                (
                    self.alias.take_id(),
                    created,
                    created,
                    child_id,
                    alias.kind,
                    alias.first_name,
                    alias.last_name,
                )
            )
            all_names += [alias.first_name, alias.last_name]
        keys = sorted({key for name in all_names if name for key in self.keys_for(name)})
        for token, phonetic in keys:
            self.namekey.rows.append((self.namekey.take_id(), child_id, token, phonetic))
        for ident in child.identifiers:
            self.identifier.rows.append(
                (
                    self.identifier.take_id(),
                    created,
                    created,
                    child_id,
                    ident.kind,
                    ident.value,
                    org(ident.issuer),
                )
            )
        for lead in child.leads:
            started = dt(midnight(lead.started_on))
            self.lead.rows.append(
                (
                    self.lead.take_id(),
                    started,
                    started,
                    child_id,
                    lead.name,
                    self.users.get(lead.user_key) if lead.user_key else None,
                    org(lead.organisation),
                    lead.job_title,
                    d(lead.started_on),
                    d(lead.ended_on),
                    lead.reason_for_change,
                )
            )
        for p in child.placements:
            started = dt(midnight(p.started_on))
            updated = dt(midnight(p.ended_on)) if p.ended_on else started
            self.placement.rows.append(
                (
                    self.placement.take_id(),
                    started,
                    updated,
                    child_id,
                    org(p.placing_la),
                    p.place,
                    p.provider,
                    p.postcode,
                    d(p.started_on),
                    d(p.ended_on),
                    org(p.host_la),
                    p.host_area_code,
                    p.location,
                    self.dec(p.distance_miles),
                )
            )
        episode_ids = []
        for e in child.episodes:
            episode_id = self.episode.take_id()
            episode_ids.append(episode_id)
            reported = dt(e.reported_at)
            self.episode.rows.append(
                (
                    episode_id,
                    reported,
                    dt(e.returned_at) if e.returned_at else reported,
                    child_id,
                    e.setting,
                    e.whereabouts,
                    e.looked_after,
                    dt(e.last_seen_at),
                    e.last_seen_place,
                    e.last_seen_postcode,
                    org(e.missing_from_la),
                    reported,
                    e.reporter_kind,
                    e.reporter_name,
                    org(e.reporting_organisation),
                    e.reported_to_police,
                    org(e.police_force),
                    e.police_reference,
                    e.circumstances,
                    dt(e.returned_at),
                    e.found_place,
                    e.found_postcode,
                    org(e.found_la),
                    org(e.found_force),
                    e.found_with,
                    e.return_how,
                    org(e.recording_organisation),
                )
            )
            for g in e.gradings:
                graded = dt(g.graded_at)
                self.grading.rows.append(
                    (
                        self.grading.take_id(),
                        graded,
                        graded,
                        episode_id,
                        g.grade,
                        g.scheme,
                        graded,
                        g.graded_by_name,
                        org(g.organisation),
                        g.rationale,
                    )
                )
        for i in child.interviews:
            interview_id = self.interview.take_id()
            offered = dt(i.offered_at)
            done = dt(i.completed_at)
            self.interview.rows.append(
                (
                    interview_id,
                    offered,
                    done or offered,
                    child_id,
                    i.status,
                    offered,
                    i.offered_by_name,
                    org(i.offered_by_organisation),
                    org(i.conducted_by_organisation),
                    i.conducted_by_name,
                    i.conducted_by_role,
                    i.independent,
                    done,
                    i.not_completed_reason,
                    i.not_completed_detail,
                    i.where_child_was,
                    i.with_whom,
                    i.how_travelled,
                    i.harm,
                    i.agreed_actions,
                )
            )
            for position in i.episodes:
                self.interview_episode.rows.append(
                    (self.interview_episode.take_id(), interview_id, episode_ids[position])
                )
            for direction, factors in (("push", i.push), ("pull", i.pull)):
                for factor in factors:
                    self.factor.rows.append(
                        (self.factor.take_id(), interview_id, direction, factor)
                    )
            for disclosure in i.disclosures:
                self.disclosure.rows.append(
                    (
                        self.disclosure.take_id(),
                        done or offered,
                        done or offered,
                        interview_id,
                        disclosure.text,
                        disclosure.exploitation_type,
                        disclosure.is_exploitation_indicator,
                    )
                )
        return child_id


@dataclass
class Batch:
    rows: dict[str, list[tuple[Any, ...]]]
    children: int
    episodes: int
    error: str = ""
    done: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def peak_rss_mb() -> float:
    """This process's own peak resident memory. ``ru_maxrss`` of a spawned process also counts
    its parent's memory from before the exec, so read the kernel's high-water mark instead."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def produce(cfg: Config, context: Context, queue: Any, batch: int) -> None:
    """Worker process: generate ``cfg`` and put ``Batch``es of rows on ``queue``; then a last
    ``Batch`` with ``done`` set (or ``error`` if anything went wrong)."""
    try:
        builder = RowBuilder(context)
        pending = episodes = 0
        for child in generate(cfg):
            builder.add(child)
            pending += 1
            episodes += len(child.episodes)
            if pending >= batch:
                queue.put(Batch(builder.take(), pending, episodes))
                pending = episodes = 0
        queue.put(Batch(builder.take(), pending, episodes))
        queue.put(Batch({}, 0, 0, done=True, extra={"peak_rss_mb": peak_rss_mb()}))
    except BaseException:
        queue.put(Batch({}, 0, 0, error=traceback.format_exc(), done=True))
