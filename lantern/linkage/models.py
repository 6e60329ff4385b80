"""Record linkage: imported records from other systems, proposed links, reviews and merges."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from lantern.accounts.models import Organisation
from lantern.common.models import TimeStampedModel
from lantern.people.models import Child


class SourceSystem(models.TextChoices):
    LANTERN = "lantern", "Lantern"
    POLICE = "police", "Police missing-person report"
    SSDA903 = "ssda903", "SSDA903 Header"
    SCHOOL = "school", "School roll"


class LinkageImport(models.Model):
    """One file of records from another system, as imported."""

    source = models.CharField(max_length=10, choices=SourceSystem.choices)
    filename = models.CharField(max_length=255)
    # The organisation whose records these are (the force for a police file, the school...).
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # The organisation that brought the file into Lantern (usually the local authority).
    imported_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.filename}"


class ExternalRecord(TimeStampedModel):
    """A child as another system records them: the cleaned fields linkage compares, and the row
    exactly as it was read. Visible to the owning organisation's members and to the organisation
    that imported it (lantern.accounts.policy.external_records_visible_to)."""

    batch = models.ForeignKey(LinkageImport, on_delete=models.CASCADE, related_name="records")
    source = models.CharField(max_length=10, choices=SourceSystem.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    imported_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    source_reference = models.CharField(max_length=60, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    middle_names = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    previous_postcodes = models.CharField(
        max_length=200, blank=True, help_text="Earlier postcodes, newest first, comma separated"
    )
    phone = models.CharField(max_length=20, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    police_id = models.CharField(max_length=40, blank=True)
    la_child_id = models.CharField(max_length=40, blank=True)
    raw = models.JSONField(default=dict, help_text="The row as read from the file")
    row_number = models.PositiveIntegerField(default=0)
    attached_to = models.ForeignKey(
        Child,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="external_records",
    )
    attached_at = models.DateTimeField(null=True, blank=True)
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_episode = models.ForeignKey(
        "episodes.MissingEpisode",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["organisation"]),
            models.Index(fields=["imported_by_organisation"]),
            models.Index(fields=["attached_to"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} record {self.reference}"

    @property
    def reference(self) -> str:
        return f"EX{self.pk:07d}" if self.pk else "EX (new)"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_names, self.last_name) if p)

    @property
    def postcodes(self) -> list[str]:
        earlier = [p.strip() for p in self.previous_postcodes.split(",") if p.strip()]
        return [p for p in [self.postcode, *earlier] if p]


class LinkageRun(models.Model):
    """One run of the model over Lantern's children and the imported records."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    backend = models.CharField(max_length=10, default="duckdb")
    threshold = models.FloatField()
    records = models.PositiveIntegerField(default=0)
    pairs_proposed = models.PositiveIntegerField(default=0)
    clusters = models.PositiveIntegerField(default=0)
    # The model's trained parameters as used (Splink m and u per level): a reviewer of a
    # decision can see exactly which model proposed it.
    parameters = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Linkage run {self.pk} ({self.started_at:%Y-%m-%d %H:%M})"


class PairStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for review"
    CONFIRMED = "confirmed", "Confirmed: the same child"
    REJECTED = "rejected", "Rejected: different children"


def _one_side(prefix: str) -> Q:
    child = Q(**{f"{prefix}_child__isnull": False})
    external = Q(**{f"{prefix}_external__isnull": False})
    return (child & ~external) | (~child & external)


class CandidatePair(models.Model):
    """Two records the model thinks may be the same child, and what a person decided.

    Each side is either a Lantern child or an imported record, never both.
    """

    run = models.ForeignKey(LinkageRun, on_delete=models.PROTECT, related_name="pairs")
    left_child = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    left_external = models.ForeignKey(
        ExternalRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    right_child = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    right_external = models.ForeignKey(
        ExternalRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # "c12:x40": the two sides, ordered, so a run never proposes the same pair twice.
    pair_key = models.CharField(max_length=60)
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    cluster_key = models.CharField(max_length=60, blank=True)
    status = models.CharField(
        max_length=10, choices=PairStatus.choices, default=PairStatus.PROPOSED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-match_probability", "id"]
        indexes = [
            models.Index(fields=["status", "match_probability"]),
            models.Index(fields=["left_child", "status"]),
            models.Index(fields=["right_child", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["pair_key"], name="pair_once"),
            models.CheckConstraint(condition=_one_side("left"), name="pair_left_one_side"),
            models.CheckConstraint(condition=_one_side("right"), name="pair_right_one_side"),
            models.CheckConstraint(
                condition=Q(status="proposed")
                | (Q(reviewed_by__isnull=False) & Q(reviewed_at__isnull=False)),
                name="pair_reviewed_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"Possible match {self.pk} ({self.match_probability:.0%})"

    @property
    def left(self) -> Child | ExternalRecord:
        return self.left_child or self.left_external  # type: ignore[return-value]

    @property
    def right(self) -> Child | ExternalRecord:
        return self.right_child or self.right_external  # type: ignore[return-value]


class CandidatePairEvidence(models.Model):
    """One field's part in a pair's score: the comparison level and the weight it added."""

    pair = models.ForeignKey(CandidatePair, on_delete=models.CASCADE, related_name="evidence")
    position = models.PositiveSmallIntegerField()
    field = models.CharField(max_length=40)  # "Date of birth"
    level = models.CharField(max_length=120)  # "day and month swapped"
    weight = models.FloatField()  # bits (log2 Bayes factor), + for, - against
    left_value = models.CharField(max_length=200, blank=True)
    right_value = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["pair", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pair", "position"], name="evidence_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.level} ({self.weight:+.1f})"


class MergeRecord(models.Model):
    """Two Lantern records merged into one, with every row that moved, so it can be undone."""

    survivor = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merges_in")
    merged = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merges_out")
    pair = models.ForeignKey(
        CandidatePair, null=True, blank=True, on_delete=models.PROTECT, related_name="merges"
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField()
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unmerged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merged"], condition=Q(unmerged_at__isnull=True), name="merged_once"
            ),
            models.CheckConstraint(
                condition=~Q(survivor=models.F("merged")), name="merge_two_records"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merged} merged into {self.survivor}"

    @property
    def is_active(self) -> bool:
        return self.unmerged_at is None


class MoveKind(models.TextChoices):
    MOVED = "moved", "Moved to the continuing record"
    CHANGED = "changed", "Changed so the records fit together"
    CREATED = "created", "Added by the merge"


class MergeMove(models.Model):
    """One row a merge touched: which table and row, which column, and its value before.

    ``origin_child`` is the record the row came from (provenance on the child's page).
    """

    merge = models.ForeignKey(MergeRecord, on_delete=models.CASCADE, related_name="moves")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=MoveKind.choices)
    table = models.CharField(max_length=100)  # model label: "episodes.missingepisode"
    row_pk = models.BigIntegerField()
    column = models.CharField(max_length=60, blank=True)
    # NULL and "" differ here: a lead professional's end date was NULL before a merge set it.
    old_value = models.TextField(blank=True, null=True)  # noqa: DJ001
    new_value = models.TextField(blank=True, null=True)  # noqa: DJ001
    origin_child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["merge", "position"]
        indexes = [models.Index(fields=["table", "row_pk"])]
        constraints = [
            models.UniqueConstraint(fields=["merge", "position"], name="move_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.table} {self.row_pk}"
