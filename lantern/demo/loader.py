"""Write generated children to the database fast, in one transaction with one audit event.

At national scale (200,000 children, about 8 million rows) saving model instances one by one
would take hours, so the loader assigns primary keys itself and writes plain rows: SQLite
``executemany`` and PostgreSQL ``COPY`` through Django's own connection, so the transaction,
the constraints and the triggers are the ordinary ones. Column lists are checked against the
models, so a field added later with a default is filled in, and one without is reported.

Search keys (``ChildNameKey``) are written with the children, as ``people.services`` would.
"""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from tqdm import tqdm

from lantern.accounts.models import Organisation, User
from lantern.audit.models import Action
from lantern.audit.services import audit_record
from lantern.demo.records import GenChild
from lantern.demo.rules import midnight
from lantern.demo.users import demo_organisations
from lantern.episodes.models import MissingEpisode, PoliceGrading
from lantern.interviews.models import Disclosure, InterviewFactor, ReturnInterview
from lantern.people import names
from lantern.people.models import (
    Child,
    ChildAlias,
    ChildIdentifier,
    ChildNameKey,
    LeadProfessional,
    Placement,
)

INTERVIEW_EPISODES = ReturnInterview.episodes.through


def _cols(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# (model, the columns the loader fills, in the order the row tuples give them)
TABLES: list[tuple[type[models.Model], tuple[str, ...]]] = [
    (
        Child,
        _cols(
            "id created_at updated_at first_name middle_names last_name preferred_name "
            "date_of_birth sex gender ethnicity home_la_id home_postcode care_status "
            "legal_status learning_disability"
        ),
    ),
    (ChildAlias, _cols("id created_at updated_at child_id kind first_name last_name")),
    (
        ChildIdentifier,
        _cols("id created_at updated_at child_id kind value issuing_organisation_id"),
    ),
    (ChildNameKey, _cols("id child_id token phonetic")),
    (
        LeadProfessional,
        _cols(
            "id created_at updated_at child_id name user_id organisation_id job_title "
            "started_on ended_on reason_for_change"
        ),
    ),
    (
        Placement,
        _cols(
            "id created_at updated_at child_id placing_la_id place provider postcode "
            "started_on ended_on host_la_id host_area_code location distance_miles"
        ),
    ),
    (
        MissingEpisode,
        _cols(
            "id created_at updated_at child_id setting whereabouts looked_after last_seen_at "
            "last_seen_place last_seen_postcode missing_from_la_id reported_at reporter_kind "
            "reporter_name reporting_organisation_id reported_to_police police_force_id "
            "police_reference circumstances returned_at found_place found_postcode found_la_id "
            "found_force_id found_with return_how recording_organisation_id"
        ),
    ),
    (
        PoliceGrading,
        _cols(
            "id created_at updated_at episode_id grade scheme graded_at graded_by_name "
            "organisation_id rationale"
        ),
    ),
    (
        ReturnInterview,
        _cols(
            "id created_at updated_at child_id status offered_at offered_by_name "
            "offered_by_organisation_id conducted_by_organisation_id conducted_by_name "
            "conducted_by_role independent completed_at not_completed_reason "
            "not_completed_detail where_child_was with_whom how_travelled harm agreed_actions"
        ),
    ),
    (INTERVIEW_EPISODES, _cols("id returninterview_id missingepisode_id")),
    (InterviewFactor, _cols("id interview_id direction factor")),
    (
        Disclosure,
        _cols(
            "id created_at updated_at interview_id text exploitation_type is_exploitation_indicator"
        ),
    ),
]


class LoaderSchemaError(RuntimeError):
    pass


class _Table:
    """Rows for one table, with the model's other columns filled from their defaults."""

    def __init__(self, model: type[models.Model], columns: tuple[str, ...]) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.generated}
        unknown = [name for name in columns if name not in fields]
        if unknown:
            raise LoaderSchemaError(f"{model.__name__} has no column {unknown}")
        extra_names, extra_values = [], []
        for name, f in fields.items():
            if name in columns:
                continue
            fills_itself = f.empty_strings_allowed and not f.is_relation
            if not (f.has_default() or f.null or fills_itself):
                raise LoaderSchemaError(
                    f"{model.__name__}.{name} has no default: teach lantern.demo.loader about it"
                )
            extra_names.append(f.column)
            extra_values.append(f.get_db_prep_save(f.get_default(), connection))
        self.model = model
        self.table = model._meta.db_table
        self.columns = [fields[name].column for name in columns] + extra_names
        self.suffix = tuple(extra_values)
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        self.next_id = (model._default_manager.aggregate(top=Max("id"))["top"] or 0) + 1

    def take_id(self) -> int:
        value = self.next_id
        self.next_id += 1
        return value

    def flush(self, cursor: Any) -> None:
        if not self.rows:
            return
        suffix = self.suffix
        rows = [row + suffix for row in self.rows] if suffix else self.rows
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        table = connection.ops.quote_name(self.table)
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(self.columns))
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)  # noqa: S608
        self.written += len(rows)
        self.rows = []


def _identity(value: Any) -> Any:
    return value


def _sqlite_datetime(value: datetime | None) -> str | None:
    # Django keeps SQLite datetimes as naive UTC text; the generator works in UTC.
    return None if value is None else value.replace(tzinfo=None).isoformat(" ")


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _sqlite_decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass
class LoadResult:
    children: int = 0
    episodes: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    first_child_id: int = 0
    last_child_id: int = 0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class _Writer:
    def __init__(self) -> None:
        self.tables = [_Table(model, columns) for model, columns in TABLES]
        (
            self.child,
            self.alias,
            self.identifier,
            self.namekey,
            self.lead,
            self.placement,
            self.episode,
            self.grading,
            self.interview,
            self.interview_episode,
            self.factor,
            self.disclosure,
        ) = self.tables
        postgres = connection.vendor == "postgresql"
        self.dt: Callable[[datetime | None], Any] = _identity if postgres else _sqlite_datetime
        self.d: Callable[[date | None], Any] = _identity if postgres else _sqlite_date
        self.dec: Callable[[Decimal | None], Any] = _identity if postgres else _sqlite_decimal
        self.orgs = {
            code: pk
            for code, pk in Organisation.objects.exclude(ons_code="").values_list("ons_code", "id")
        }
        self.orgs.update({key: org.pk for key, org in demo_organisations().items()})
        self.users = dict(User.objects.values_list("username", "id"))
        self.name_keys: dict[str, tuple[tuple[str, str], ...]] = {}

    def org(self, key: str) -> int | None:
        if not key:
            return None
        try:
            return self.orgs[key]
        except KeyError:
            raise LoaderSchemaError(f"No organisation {key}: run migrate first") from None

    def keys_for(self, name: str) -> tuple[tuple[str, str], ...]:
        keys = self.name_keys.get(name)
        if keys is None:
            keys = self.name_keys[name] = tuple(sorted(names.keys_for([name])))
        return keys

    def add(self, child: GenChild) -> int:
        dt, d, org = self.dt, self.d, self.org
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

    def flush(self, cursor: Any) -> None:
        for table in self.tables:
            table.flush(cursor)


def _lock_tables(cursor: Any) -> None:
    """Primary keys are assigned here, so no one else may insert while the load runs.

    SQLite's IMMEDIATE transactions already hold the write lock; PostgreSQL needs telling.
    """
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m, _ in TABLES)
        cursor.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")


def _reset_sequences(cursor: Any) -> None:
    models_ = [model for model, _ in TABLES]
    for sql in connection.ops.sequence_reset_sql(no_style(), models_):
        cursor.execute(sql)


def load(
    children: Iterable[GenChild],
    *,
    total: int | None = None,
    progress: bool = False,
    batch: int = 2000,
    summary: dict[str, Any] | None = None,
) -> LoadResult:
    """Write the children and everything about them; one transaction, one audit event.

    ``summary`` goes into the audit event's detail (scale, seed and so on).
    """
    started = time.monotonic()
    result = LoadResult()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size = -131072")  # 128 MB: index pages stay in memory
        _lock_tables(cursor)
        writer = _Writer()
        result.first_child_id = writer.child.next_id
        bar = tqdm(total=total, unit=" children", disable=not progress, smoothing=0.1)
        pending = 0
        for child in children:
            writer.add(child)
            result.episodes += len(child.episodes)
            pending += 1
            if pending >= batch:
                writer.flush(cursor)
                bar.update(pending)
                pending = 0
        writer.flush(cursor)
        bar.update(pending)
        bar.close()
        if connection.vendor == "postgresql":
            _reset_sequences(cursor)
        result.rows = {t.model._meta.label_lower: t.written for t in writer.tables}
        result.children = writer.child.written
        result.last_child_id = writer.child.next_id - 1
        result.seconds = time.monotonic() - started
        audit_record(
            actor=None,
            action=Action.CREATE,
            object_type="demo.load",
            summary=(
                f"Loaded synthetic demo data: {result.children} children, "
                f"{result.episodes} episodes"
            ),
            detail={
                **(summary or {}),
                "rows": result.rows,
                "first_child_id": result.first_child_id,
                "last_child_id": result.last_child_id,
                "loaded_at": datetime.now(UTC).isoformat(),
            },
        )
    return result
