"""Forms for reviewing possible matches and undoing merges. Rules live in linkage.services."""

from typing import Any

from django import forms

from lantern.linkage.models import CandidatePair, SourceSystem

DECISION_REQUIRED = "Select whether these records are the same child"
SURVIVOR_REQUIRED = "Select which record should continue"
REASON_REQUIRED = "Enter why the merge is being undone"
TOO_LONG = "Note must be 2,000 characters or fewer"

SAME = "same"
DIFFERENT = "different"


class PairDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Are these records about the same child?",
        choices=[
            (SAME, "Yes, they are the same child"),
            (DIFFERENT, "No, they are different children"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": DECISION_REQUIRED},
    )
    note = forms.CharField(
        label="Note",
        help_text="Why you decided this, for example who you checked with. Do not repeat "
        "sensitive details that are already in the records.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": TOO_LONG},
    )

    def __init__(self, *args: Any, pair: CandidatePair, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pair = pair
        if pair.left_child is not None and pair.right_child is not None:
            older, newer = sorted((pair.left_child, pair.right_child), key=lambda c: c.pk)
            self.fields["survivor"] = forms.ChoiceField(
                label="If they are the same child, which record should continue?",
                help_text="The other record's episodes, interviews, placements and other "
                "details move to it. You can undo this later.",
                choices=[
                    (str(c.pk), f"{c.reference}, created {c.created_at:%-d %B %Y}")
                    for c in (older, newer)
                ],
                initial=str(older.pk),
                widget=forms.RadioSelect,
                required=False,
            )
        external = pair.left_external or pair.right_external
        if (
            external is not None
            and external.source == SourceSystem.POLICE
            and (pair.left_child_id or pair.right_child_id)
        ):
            self.fields["import_episode"] = forms.BooleanField(
                label="Also add the missing episode from this police report to the child's record",
                required=False,
            )

        self.order_fields(["decision", "survivor", "import_episode", "note"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == SAME and "survivor" in self.fields and not data.get("survivor"):
            self.add_error("survivor", SURVIVOR_REQUIRED)
        return data


class UnmergeForm(forms.Form):
    reason = forms.CharField(
        label="Why are you undoing this merge?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": REASON_REQUIRED, "max_length": TOO_LONG},
    )
