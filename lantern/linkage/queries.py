"""Reads for linkage: who may see which imported records and proposed pairs, explanations in
plain English, and what the child's page should say about merges and possible duplicates.

Access is decided in lantern.accounts.policy: a Lantern child is visible through
``children_visible_to`` and an imported record through ``external_records_visible_to`` (members
of the organisation that holds it and of the organisation that imported it). A reviewer sees a pair only when both of its
records are visible to them, and only managers and panel chairs review (the roles that may see
who opened a record and share records). Nothing here writes, not even audit events.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from lantern.accounts import policy
from lantern.linkage.models import (
    CandidatePair,
    CandidatePairEvidence,
    ExternalRecord,
    MergeMove,
    MergeRecord,
    PairStatus,
)
from lantern.people.models import Child

QUEUE_LIMIT = 100


def can_review(user: Any) -> bool:
    """Managers and panel chairs confirm or reject proposed links."""
    return policy.can_see_access_log(user)


def _side_visible(prefix: str, children: QuerySet[Child], externals: QuerySet[Any]) -> Q:
    return Q(**{f"{prefix}_child__in": children.values("pk")}) | Q(
        **{f"{prefix}_external__in": externals.values("pk")}
    )


def pairs_visible_to(user: Any) -> QuerySet[CandidatePair]:
    """Pairs whose two records the user may both see; none for a user who cannot review."""
    if not can_review(user):
        return CandidatePair.objects.none()
    children = policy.children_visible_to(user)
    externals = policy.external_records_visible_to(user)
    return CandidatePair.objects.filter(
        _side_visible("left", children, externals), _side_visible("right", children, externals)
    ).select_related(
        "left_child",
        "right_child",
        "left_external__organisation",
        "right_external__organisation",
    )


def review_queue(user: Any) -> list[CandidatePair]:
    """Proposed pairs for the user to review, most likely first."""
    return list(
        pairs_visible_to(user)
        .filter(status=PairStatus.PROPOSED)
        .prefetch_related("evidence")
        .order_by("-match_probability", "id")[:QUEUE_LIMIT]
    )


def pair_get_for(user: Any, pk: int | str) -> CandidatePair:
    """One pair the user may review, or Http404 (missing and forbidden look the same)."""
    try:
        return pairs_visible_to(user).get(pk=int(pk))
    except (CandidatePair.DoesNotExist, ValueError, TypeError):
        raise Http404("No possible match found") from None


def merge_get_for(user: Any, pk: int | str) -> MergeRecord:
    """A merge the user may undo: a reviewer who can see the continuing record."""
    if not can_review(user):
        raise Http404("No merge found")
    try:
        merge = MergeRecord.objects.select_related("survivor", "merged").get(pk=int(pk))
    except (MergeRecord.DoesNotExist, ValueError, TypeError):
        raise Http404("No merge found") from None
    policy.child_get_for(user, merge.survivor_id)
    return merge


@dataclass(frozen=True)
class Reason:
    field: str
    level: str
    weight: float
    left: str
    right: str

    @property
    def signed(self) -> str:
        """The weight with its sign: "+6.2", "-2.3"."""
        return f"{self.weight:+.1f}"

    @property
    def text(self) -> str:
        """ "Date of birth: day and month swapped (+6.2)" """
        return f"{self.field}: {self.level} ({self.signed})"

    @property
    def direction(self) -> str:
        if self.weight >= 1:
            return "for"
        if self.weight <= -1:
            return "against"
        return "neutral"


def reasons(pair: CandidatePair) -> list[Reason]:
    """The fields in the model's order, each with what it added to the score."""
    return [
        Reason(e.field, e.level, e.weight, e.left_value, e.right_value)
        for e in sorted(pair.evidence.all(), key=lambda e: e.position)
    ]


def reasons_summary(pair: CandidatePair, limit: int = 3) -> list[Reason]:
    """The strongest reasons either way, for a line in the queue."""
    ranked = sorted(reasons(pair), key=lambda r: abs(r.weight), reverse=True)
    return [r for r in ranked if abs(r.weight) >= 1][:limit]


def describe(record: Child | ExternalRecord) -> dict[str, str]:
    """What a reviewer sees of one side of a pair."""
    if isinstance(record, Child):
        return {
            "kind": "Lantern record",
            "reference": record.reference,
            "name": record.full_name,
            "date_of_birth": record.date_of_birth.strftime("%-d %B %Y"),
            "held_by": str(record.home_la),
        }
    return {
        "kind": record.get_source_display(),
        "reference": record.source_reference or record.reference,
        "name": record.full_name or "No name in this record",
        "date_of_birth": record.date_of_birth.strftime("%-d %B %Y")
        if record.date_of_birth
        else "Not known",
        "held_by": str(record.organisation),
    }


@dataclass(frozen=True)
class MergedFrom:
    merge: MergeRecord
    reference: str
    moved: list[str]  # "2 missing episodes", "1 placement"


@dataclass(frozen=True)
class PossibleDuplicate:
    pair: CandidatePair
    other: Child | ExternalRecord
    reasons: list[Reason]


@dataclass(frozen=True)
class ChildNotice:
    merged_from: list[MergedFrom]
    possible_duplicates: list[PossibleDuplicate]
    can_review: bool

    @property
    def empty(self) -> bool:
        return not self.merged_from and not self.possible_duplicates


_TABLE_NAMES = {
    "episodes.missingepisode": ("missing episode", "missing episodes"),
    "interviews.returninterview": ("return interview", "return interviews"),
    "people.placement": ("placement", "placements"),
    "people.childalias": ("alias", "aliases"),
    "people.childidentifier": ("identifier", "identifiers"),
    "people.leadprofessional": ("lead professional period", "lead professional periods"),
    "accounts.share": ("sharing decision", "sharing decisions"),
    "risk.assessment": ("risk screening", "risk screenings"),
    "risk.flag": ("risk flag", "risk flags"),
    "linkage.externalrecord": ("imported record", "imported records"),
}


def count_phrase(label: str, count: int) -> str:
    """ "1 missing episode", "3 placements" for a model label and a number of rows."""
    one, many = _TABLE_NAMES.get(label, (label.split(".")[-1], label.split(".")[-1]))
    return f"{count} {one if count == 1 else many}"


def child_notice(user: Any, child: Child) -> ChildNotice:
    """For the child's page (templates/linkage/_child_notice.html): the records merged into this
    one, and proposed matches not yet reviewed, with the reasons. The caller has already checked
    that the user may see ``child``; a possible duplicate is shown only when the user may also see
    the other record."""
    merges = list(
        MergeRecord.objects.filter(survivor=child, unmerged_at__isnull=True).select_related(
            "merged"
        )
    )
    merged_from = []
    for merge in merges:
        counts: dict[str, int] = {}
        for move in merge.moves.filter(kind="moved"):
            counts[move.table] = counts.get(move.table, 0) + 1
        phrases = [count_phrase(label, n) for label, n in sorted(counts.items())]
        merged_from.append(MergedFrom(merge, merge.merged.reference, phrases))
    duplicates = []
    visible = pairs_visible_to(user) if can_review(user) else _pairs_for_reader(user)
    for pair in visible.filter(
        Q(left_child=child) | Q(right_child=child), status=PairStatus.PROPOSED
    ).prefetch_related("evidence"):
        other = pair.right if pair.left_child_id == child.pk else pair.left
        duplicates.append(PossibleDuplicate(pair, other, reasons_summary(pair, limit=4)))
    return ChildNotice(merged_from, duplicates, can_review(user))


def _pairs_for_reader(user: Any) -> QuerySet[CandidatePair]:
    # Practitioners do not review, but are told a possible duplicate exists when they can see
    # both records, so they do not record the same episode twice.
    if not policy.can_open_records(user):
        return CandidatePair.objects.none()
    children = policy.children_visible_to(user)
    externals = policy.external_records_visible_to(user)
    return CandidatePair.objects.filter(
        _side_visible("left", children, externals), _side_visible("right", children, externals)
    )


def provenance_for(child: Child) -> dict[tuple[str, int], str]:
    """(model label, row pk) -> reference of the record the row came from, for rows a merge
    moved onto this child; the page can say "from LC0000123" next to them."""
    moves = MergeMove.objects.filter(
        merge__survivor=child, merge__unmerged_at__isnull=True, kind="moved"
    ).select_related("origin_child")
    return {(m.table, m.row_pk): m.origin_child.reference for m in moves}


def evidence_rows(pair: CandidatePair) -> QuerySet[CandidatePairEvidence]:
    return pair.evidence.order_by("position")
