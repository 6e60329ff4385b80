"""Writes for linkage: importing files, storing a run's proposals, review decisions, merges.

Each service is keyword-only and runs in one transaction with its audit event(s). The Splink run
itself (``linkage_run``) happens outside any transaction, since it only reads; its results are
stored in one transaction at the end.

Merging two Lantern records (``children_merge``): the continuing record keeps its id; every row
that points at the other record (episodes, interviews, placements, aliases, identifiers, lead
professionals, shares, risk screenings and flags, imported records, and anything added later
that points at a child) is re-pointed, and a MergeMove row remembers exactly which row moved
(table, primary key, column, old value), so ``merge_undo`` puts every row back as it was.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from lantern.accounts.models import Organisation, OrgType
from lantern.audit.models import Action
from lantern.audit.services import audit_record
from lantern.episodes import services as episode_services
from lantern.episodes.models import MissingEpisode, ReporterKind, ReturnHow, Setting, Whereabouts
from lantern.linkage import engine, model, sources
from lantern.linkage.cleaning import SourceRecord, linkage_row
from lantern.linkage.models import (
    CandidatePair,
    CandidatePairEvidence,
    ExternalRecord,
    LinkageImport,
    LinkageRun,
    MergeMove,
    MergeRecord,
    MoveKind,
    PairStatus,
    SourceSystem,
)
from lantern.people import names
from lantern.people.codes import AliasKind
from lantern.people.models import Child, ChildAlias, ChildNameKey, LeadProfessional

ALREADY_REVIEWED = "Someone has already reviewed this possible match"
MERGE_SAME_RECORD = "A record cannot be merged with itself"
MERGE_ALREADY_MERGED = "One of these records has already been merged into another record"
MERGE_EPISODES_OVERLAP = (
    "Both records have a missing episode at the same time ({episodes}). "
    "The same episode may have been recorded twice: check with the teams involved, correct "
    "or remove the duplicate episode, then confirm the match again"
)
MERGE_NOT_ACTIVE = "This merge has already been undone"
MERGE_FAILED = "These records could not be merged: {problem}"
SURVIVOR_NOT_IN_PAIR = "Choose one of the two records to continue"
NOTE_TOO_LONG = "Note must be 2,000 characters or fewer"
EPISODE_NEEDS_POLICE_RECORD = "Only a police missing-person report has an episode to add"
EPISODE_NOT_IN_RECORD = "This police report does not say when the child was last seen"


# --- Importing files ---------------------------------------------------------------------------


@transaction.atomic
def file_import(
    *,
    actor: Any,
    text: str,
    fmt: str,
    filename: str,
    organisation: Organisation,
    imported_by_organisation: Organisation,
) -> LinkageImport:
    """Store every row of a source file as an ExternalRecord (cleaned fields and the raw row)."""
    rows = sources.read_file(text, fmt)
    source = {"police": SourceSystem.POLICE, "ssda903": SourceSystem.SSDA903}.get(
        fmt, SourceSystem.SCHOOL
    )
    batch = LinkageImport.objects.create(
        source=source,
        filename=filename[:255],
        organisation=organisation,
        imported_by_organisation=imported_by_organisation,
        imported_by=actor if getattr(actor, "pk", None) else None,
        rows=len(rows),
    )
    ExternalRecord.objects.bulk_create(
        ExternalRecord(
            batch=batch,
            source=source,
            organisation=organisation,
            imported_by_organisation=imported_by_organisation,
            source_reference=row.source_reference,
            row_number=row.row_number,
            raw=row.raw,
            **row.fields,
        )
        for row in rows
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=batch,
        summary=f"Imported {len(rows)} records from {filename} for linkage",
        detail={"format": fmt, "rows": len(rows), "organisation": organisation.pk},
    )
    return batch


# --- Running the model -------------------------------------------------------------------------


@dataclass(frozen=True)
class RunOptions:
    backend: str = "duckdb"
    threshold: float = engine.DEFAULT_THRESHOLD
    train: bool = False


def _display(record: SourceRecord) -> dict[str, str]:
    dob = record.date_of_birth
    return {
        "first_name": record.first_name,
        "family": " ".join(p for p in (record.last_name, (record.postcodes or [""])[0]) if p),
        "dob": dob.strftime("%d/%m/%Y") if isinstance(dob, date) else "",
        "sex": record.sex,
        "phone": ", ".join(record.phones),
        "national_id": " / ".join(p for p in (record.nhs_number, record.upn) if p),
        "local_id": " / ".join(p for p in (record.police_id, record.la_child_id) if p),
    }


def _candidates() -> tuple[list[SourceRecord], dict[int, dict[str, str]]]:
    # Every current Lantern record, and every imported record not yet attached to a child.
    children = Child.objects.filter(merged_into__isnull=True)
    externals = ExternalRecord.objects.filter(attached_to__isnull=True)
    records = [*sources.children_records(children), *sources.external_records(externals)]
    return records, {r.unique_id: _display(r) for r in records}


def _weights(row: dict[str, Any], field: model.Field) -> tuple[int, float]:
    gamma = int(row[f"gamma_{field.name}"])
    weight = float(row[f"mw_{field.name}"] or 0.0)
    if field.tf_column:
        weight += float(row.get(f"mw_tf_adj_{field.name}") or 0.0)
    return model.gamma_to_level(field)[gamma], weight


def _pair_key(left: int, right: int) -> tuple[int, int, str]:
    a, b = sorted((int(left), int(right)))
    return a, b, f"{sources.uid_label(a)}:{sources.uid_label(b)}"


def linkage_run(
    *, actor: Any = None, options: RunOptions = RunOptions(), spark: Any = None
) -> LinkageRun:
    """Score every current Lantern record and unattached imported record, and propose the pairs
    at or above the threshold for review (pairs already proposed or decided are left alone)."""
    records, display = _candidates()
    api = engine.spark_api(spark) if options.backend == "spark" else engine.duckdb_api()
    linked = engine.link(
        engine.rows_to_arrow(linkage_row(r) for r in records),
        db_api=api,
        parameters=model.load_parameters(),
        threshold=options.threshold,
        train_model=options.train,
    )
    parameters, pairs, clusters = linked.parameters, linked.pairs, linked.clusters
    return _store_run(actor, options, parameters or {}, records, display, pairs, clusters)


@transaction.atomic
def _store_run(
    actor: Any,
    options: RunOptions,
    parameters: dict[str, Any],
    records: list[SourceRecord],
    display: dict[int, dict[str, str]],
    pairs: list[dict[str, Any]],
    clusters: dict[int, str],
) -> LinkageRun:
    run = LinkageRun.objects.create(
        started_by=actor if getattr(actor, "pk", None) else None,
        backend=options.backend,
        threshold=options.threshold,
        records=len(records),
        parameters=parameters,
        clusters=len(set(clusters.values())),
    )
    field_list = model.fields()
    existing = set(
        CandidatePair.objects.filter(
            pair_key__in=[_pair_key(p["unique_id_l"], p["unique_id_r"])[2] for p in pairs]
        ).values_list("pair_key", flat=True)
    )
    proposed = 0
    for row in pairs:
        left, right, key = _pair_key(row["unique_id_l"], row["unique_id_r"])
        if key in existing:
            continue
        sides = {}
        for prefix, uid in (("left", left), ("right", right)):
            kind, pk = sources.parse_uid(uid)
            sides[f"{prefix}_{kind}_id"] = pk
        pair = CandidatePair.objects.create(
            run=run,
            pair_key=key,
            match_probability=float(row["match_probability"]),
            match_weight=float(row["match_weight"]),
            cluster_key=clusters.get(left, ""),
            **sides,
        )
        evidence = []
        for position, field in enumerate(field_list):
            level, weight = _weights(row, field)
            evidence.append(
                CandidatePairEvidence(
                    pair=pair,
                    position=position,
                    field=field.title,
                    level=field.levels[level].label,
                    weight=0.0 if math.isnan(weight) else round(weight, 3),
                    left_value=display[left].get(field.name, "")[:200],
                    right_value=display[right].get(field.name, "")[:200],
                )
            )
        CandidatePairEvidence.objects.bulk_create(evidence)
        proposed += 1
    run.pairs_proposed = proposed
    run.finished_at = timezone.now()
    run.save(update_fields=["pairs_proposed", "finished_at"])
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=run,
        summary=f"Record linkage proposed {proposed} possible matches",
        detail={
            "records": len(records),
            "threshold": options.threshold,
            "backend": options.backend,
        },
    )
    return run


# --- Review ------------------------------------------------------------------------------------


def _check_note(note: str) -> None:
    if len(note) > 2000:
        raise ValidationError({"note": NOTE_TOO_LONG})


def _lock_proposed(pair: CandidatePair) -> None:
    # Two managers deciding at once: the second finds the pair already decided.
    updated = CandidatePair.objects.filter(pk=pair.pk, status=PairStatus.PROPOSED).update(
        status=PairStatus.PROPOSED
    )
    if not updated:
        raise ValidationError(ALREADY_REVIEWED)


def _decide(pair: CandidatePair, actor: Any, status: str, note: str) -> None:
    pair.status = status
    pair.reviewed_by = actor
    pair.reviewed_at = timezone.now()
    pair.review_note = note
    pair.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])


def audit_children(pair: CandidatePair) -> list[int | None]:
    """The children a decision is about, for their audit trail; [None] for two imported
    records (the event is still written, just not on a child's trail)."""
    return [pk for pk in (pair.left_child_id, pair.right_child_id) if pk] or [None]


@transaction.atomic
def pair_reject(*, actor: Any, pair: CandidatePair, note: str = "") -> CandidatePair:
    """Record that the two records are different children; the pair is never proposed again."""
    _check_note(note)
    _lock_proposed(pair)
    _decide(pair, actor, PairStatus.REJECTED, note)
    for child_id in audit_children(pair):
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=pair,
            child_id=child_id,
            summary="Rejected a possible match: different children",
            detail={"pair": pair.pk, "probability": pair.match_probability, "note": bool(note)},
        )
    return pair


@dataclass(frozen=True)
class Confirmation:
    pair: CandidatePair
    merge: MergeRecord | None = None
    child: Child | None = None
    episode: MissingEpisode | None = None


@transaction.atomic
def pair_confirm(
    *,
    actor: Any,
    pair: CandidatePair,
    survivor: Child | None = None,
    import_episode: bool = False,
    note: str = "",
) -> Confirmation:
    """Record that the two records are the same child and act on it: two Lantern records are
    merged (``survivor`` continues; the older record by default); an imported record is attached
    to the Lantern record, with its missing episode added when asked (police reports only)."""
    _check_note(note)
    _lock_proposed(pair)
    _decide(pair, actor, PairStatus.CONFIRMED, note)
    for child_id in audit_children(pair):
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=pair,
            child_id=child_id,
            summary="Confirmed a possible match: the same child",
            detail={"pair": pair.pk, "probability": pair.match_probability, "note": bool(note)},
        )
    if pair.left_child and pair.right_child:
        survivor = survivor or min(pair.left_child, pair.right_child, key=lambda c: c.pk)
        if survivor.pk not in (pair.left_child_id, pair.right_child_id):
            raise ValidationError({"survivor": SURVIVOR_NOT_IN_PAIR})
        merged = pair.right_child if survivor.pk == pair.left_child_id else pair.left_child
        merge = children_merge(actor=actor, survivor=survivor, merged=merged, pair=pair)
        return Confirmation(pair, merge=merge, child=survivor)
    child = pair.left_child or pair.right_child
    external = pair.left_external if pair.left_external_id else pair.right_external
    if child is not None and external is not None:
        episode = external_attach(
            actor=actor, record=external, child=child, import_episode=import_episode
        )
        return Confirmation(pair, child=child, episode=episode)
    return Confirmation(pair)


# --- Attaching imported records ------------------------------------------------------------------


def _police_datetime(value: str) -> datetime | None:
    if not value:
        return None
    for fmt in ("%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y"):
        try:
            return timezone.make_aware(datetime.strptime(value.strip(), fmt))
        except ValueError:
            continue
    return None


@transaction.atomic
def external_attach(
    *, actor: Any, record: ExternalRecord, child: Child, import_episode: bool = False
) -> MissingEpisode | None:
    """Attach an imported record to the child it describes; for a police missing-person report,
    optionally add its episode to the child's record through the episodes service (which checks
    dates and overlaps, and audits)."""
    record.attached_to = child
    record.attached_at = timezone.now()
    record.attached_by = actor
    record.save(update_fields=["attached_to", "attached_at", "attached_by", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=record,
        child_id=child.pk,
        summary=f"Attached a {record.get_source_display().lower()} to the child's record",
        detail={"external_record": record.pk, "source": record.source},
    )
    if not import_episode:
        return None
    if record.source != SourceSystem.POLICE:
        raise ValidationError({"import_episode": EPISODE_NEEDS_POLICE_RECORD})
    raw = record.raw
    last_seen = _police_datetime(raw.get("last_seen_at", ""))
    if last_seen is None:
        raise ValidationError({"import_episode": EPISODE_NOT_IN_RECORD})
    reported = _police_datetime(raw.get("reported_at", "")) or last_seen
    force = record.organisation if record.organisation.type == OrgType.POLICE else None
    known = raw.get("whereabouts_known", "").strip().upper() == "Y"
    reporter = raw.get("reporter_kind", "").strip() or ReporterKind.POLICE
    episode = episode_services.episode_report(
        actor=actor,
        child=child,
        setting=Setting.CARE_PLACEMENT if child.is_looked_after else Setting.HOME,
        whereabouts=Whereabouts.KNOWN if known else Whereabouts.UNKNOWN,
        last_seen_at=last_seen,
        reported_at=reported,
        reporter_kind=reporter,
        reporting_organisation=record.organisation,
        last_seen_place=raw.get("last_seen_place", "")[:200],
        last_seen_postcode=raw.get("last_seen_postcode", ""),
        reported_to_police=force is not None,
        police_force=force,
        police_reference=raw.get("police_reference", "")[:40],
        circumstances=raw.get("circumstances", ""),
    )
    returned = _police_datetime(raw.get("returned_at", ""))
    if returned is not None:
        episode = episode_services.episode_record_return(
            actor=actor,
            episode=episode,
            version=episode.version,
            returned_at=returned,
            return_how=raw.get("return_how", "").strip() or ReturnHow.UNKNOWN,
            found_place=raw.get("found_place", "")[:200],
            found_postcode=raw.get("found_postcode", ""),
            found_with=raw.get("found_with", "")[:300],
        )
    record.imported_episode = episode
    record.save(update_fields=["imported_episode", "updated_at"])
    return episode


# --- Merging and unmerging -----------------------------------------------------------------------


def _child_links() -> list[tuple[type[models.Model], models.ForeignKey]]:
    """Every foreign key to Child outside linkage's own bookkeeping, found from the models so a
    table added later is merged too. Name keys are rebuilt instead (see ``_add_names``)."""
    skip = {CandidatePair, MergeRecord, MergeMove, ChildNameKey}
    links = []
    for model_class in apps.get_models():
        if model_class in skip:
            continue
        for f in model_class._meta.get_fields():
            if (
                isinstance(f, models.ForeignKey)
                and f.related_model is Child
                and not (model_class is Child and f.name == "merged_into")
            ):
                links.append((model_class, f))
    return links


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


class _Moves:
    def __init__(self, merge: MergeRecord, origin: Child) -> None:
        self.merge, self.origin = merge, origin
        self.rows: list[MergeMove] = []

    def add(self, kind: str, obj_or_label: Any, pk: int, column: str, old: Any, new: Any) -> None:
        label = obj_or_label if isinstance(obj_or_label, str) else obj_or_label._meta.label_lower
        self.rows.append(
            MergeMove(
                merge=self.merge,
                position=len(self.rows),
                kind=kind,
                table=label,
                row_pk=pk,
                column=column,
                old_value=_text(old),
                new_value=_text(new),
                origin_child=self.origin,
            )
        )


def _check_episodes(survivor: Child, merged: Child) -> None:
    clashes = []
    theirs = list(MissingEpisode.objects.filter(child=merged))
    for episode in MissingEpisode.objects.filter(child=survivor):
        for other in theirs:
            start_a, end_a = episode.last_seen_at, episode.returned_at
            start_b, end_b = other.last_seen_at, other.returned_at
            if (end_b is None or start_a < end_b) and (end_a is None or start_b < end_a):
                clashes.append(f"{episode.reference} and {other.reference}")
    if clashes:
        raise ValidationError(MERGE_EPISODES_OVERLAP.format(episodes="; ".join(clashes)))


def _end_second_lead(moves: _Moves, survivor: Child, merged: Child) -> None:
    # One current lead professional per child (a database constraint): the continuing record's
    # lead stays; the other record's current period ends today, and an unmerge reopens it.
    if not LeadProfessional.objects.filter(child=survivor, ended_on__isnull=True).exists():
        return
    for lead in LeadProfessional.objects.filter(child=merged, ended_on__isnull=True):
        ended = max(timezone.localdate(), lead.started_on)
        moves.add(MoveKind.CHANGED, lead, lead.pk, "ended_on", None, ended)
        LeadProfessional.objects.filter(pk=lead.pk).update(ended_on=ended)


def _add_names(moves: _Moves, survivor: Child, merged: Child) -> None:
    # The other record's name becomes an alias of the continuing one, so a search by the
    # spelling the police used still finds the child; both are removed again on unmerge.
    alias_names = {
        (a.first_name.lower(), a.last_name.lower())
        for a in ChildAlias.objects.filter(child=survivor)
    }
    own = (survivor.first_name.lower(), survivor.last_name.lower())
    wanted = (merged.first_name, merged.last_name)
    if (wanted[0].lower(), wanted[1].lower()) not in alias_names | {own}:
        alias = ChildAlias.objects.create(
            child=survivor, kind=AliasKind.ALIAS, first_name=wanted[0], last_name=wanted[1]
        )
        moves.add(MoveKind.CREATED, alias, alias.pk, "", None, None)
    have = set(ChildNameKey.objects.filter(child=survivor).values_list("token", "phonetic"))
    all_names = [merged.first_name, merged.middle_names, merged.last_name, merged.preferred_name]
    all_names += [
        n for a in ChildAlias.objects.filter(child=merged) for n in (a.first_name, a.last_name)
    ]
    for token, key in sorted(names.keys_for(all_names) - have):
        name_key = ChildNameKey.objects.create(child=survivor, token=token, phonetic=key)
        moves.add(MoveKind.CREATED, name_key, name_key.pk, "", None, None)


@transaction.atomic
def children_merge(
    *, actor: Any, survivor: Child, merged: Child, pair: CandidatePair | None = None
) -> MergeRecord:
    """Merge ``merged`` into ``survivor``; every moved row is recorded for ``merge_undo``."""
    if survivor.pk == merged.pk:
        raise ValidationError(MERGE_SAME_RECORD)
    fresh = {c.pk: c for c in Child.objects.filter(pk__in=[survivor.pk, merged.pk])}
    if any(c.merged_into_id is not None for c in fresh.values()):
        raise ValidationError(MERGE_ALREADY_MERGED)
    _check_episodes(survivor, merged)
    merge = MergeRecord.objects.create(
        survivor=survivor, merged=merged, pair=pair, merged_by=actor, merged_at=timezone.now()
    )
    moves = _Moves(merge, merged)
    _end_second_lead(moves, survivor, merged)
    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            for model_class, fk in _child_links():
                rows = list(
                    model_class._default_manager.filter(**{fk.attname: merged.pk}).values_list(
                        "pk", flat=True
                    )
                )
                for pk in rows:
                    moves.add(MoveKind.MOVED, model_class, pk, fk.attname, merged.pk, survivor.pk)
                if rows:
                    model_class._default_manager.filter(pk__in=rows).update(
                        **{fk.attname: survivor.pk}
                    )
                    counts[model_class._meta.label_lower] = len(rows)
    except IntegrityError as error:
        raise ValidationError(MERGE_FAILED.format(problem=error)) from error
    _add_names(moves, survivor, merged)
    # Not a field edit: the version stays, so an unmerge leaves the row exactly as it was.
    Child.objects.filter(pk=merged.pk).update(merged_into=survivor)
    MergeMove.objects.bulk_create(moves.rows)
    for child, summary in (
        (survivor, f"Merged record {merged.reference} into this record"),
        (merged, f"Merged this record into {survivor.reference}"),
    ):
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=merge,
            child_id=child.pk,
            summary=summary,
            detail={"survivor": survivor.pk, "merged": merged.pk, "moved": counts},
        )
    return merge


def _restore_value(model_class: type[models.Model], column: str, text: str | None) -> Any:
    if text is None:
        return None
    field = next(f for f in model_class._meta.concrete_fields if f.attname == column)
    return field.to_python(text)


@transaction.atomic
def merge_undo(*, actor: Any, merge: MergeRecord, reason: str = "") -> MergeRecord:
    """Put back every row the merge moved, changed or added, and make both records separate
    again. Rows recorded on the continuing record after the merge stay where they are. The
    confirmed pair becomes rejected: a person has now said these are different children."""
    merge = MergeRecord.objects.select_for_update().get(pk=merge.pk)
    if merge.unmerged_at is not None:
        raise ValidationError(MERGE_NOT_ACTIVE)
    _check_note(reason)
    for move in merge.moves.order_by("-position"):
        model_class = apps.get_model(move.table)
        manager = model_class._default_manager
        if move.kind == MoveKind.CREATED:
            manager.filter(pk=move.row_pk).delete()
        elif move.kind == MoveKind.MOVED:
            manager.filter(pk=move.row_pk, **{move.column: int(move.new_value or 0)}).update(
                **{move.column: int(move.old_value or 0)}
            )
        else:
            manager.filter(pk=move.row_pk).update(
                **{move.column: _restore_value(model_class, move.column, move.old_value)}
            )
    Child.objects.filter(pk=merge.merged_id).update(merged_into=None)
    merge.unmerged_at = timezone.now()
    merge.unmerged_by = actor
    merge.save(update_fields=["unmerged_at", "unmerged_by"])
    if merge.pair_id:
        CandidatePair.objects.filter(pk=merge.pair_id).update(
            status=PairStatus.REJECTED,
            reviewed_by=actor,
            reviewed_at=merge.unmerged_at,
            review_note=reason,
        )
    for child_id in (merge.survivor_id, merge.merged_id):
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=merge,
            child_id=child_id,
            summary=f"Undid the merge of {merge.merged.reference} into {merge.survivor.reference}",
            detail={"merge": merge.pk, "reason": bool(reason)},
        )
    return merge


def merged_children(child_ids: Iterable[int]) -> dict[int, int]:
    """child id -> the id it is merged into, for the ids given that are merged."""
    return dict(
        Child.objects.filter(pk__in=list(child_ids), merged_into__isnull=False).values_list(
            "pk", "merged_into_id"
        )
    )
