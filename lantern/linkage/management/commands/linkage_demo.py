"""For the demo: the Met's duplicate record of a Haringey child, and a linkage run that finds it.

Creates, once, a second Lantern record for one Haringey child as the Metropolitan Police would
have started it: a different spelling of the names, the day and month of birth swapped, a police
person id and a missing episode reported by the Met. Then runs linkage so the pair waits in the
review queue for a Haringey manager. Does nothing when there are no Haringey children (the demo
dataset is not loaded). Run again, it only runs linkage again.
"""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from lantern.accounts.models import Organisation, User
from lantern.episodes.models import MissingEpisode
from lantern.linkage import services
from lantern.linkage.models import CandidatePair
from lantern.people import services as people_services
from lantern.people.codes import IdentifierKind
from lantern.people.models import Child, ChildIdentifier

HARINGEY = "E09000014"
MET = "E23000001"
DEMO_POLICE_ID = "MPS-DEMO-LINK-1"
MET_USER = "met-coordinator"


def spelling_variant(name: str) -> str:
    """A spelling a police officer might write from hearing the name: Kayden -> Kaiden,
    Smith -> Smyth, Sophie -> Sofie. It keeps the sound, so linkage should still find it."""
    swaps = (("ph", "f"), ("y", "i"), ("i", "y"), ("ee", "ea"), ("c", "k"), ("ll", "l"))
    lower = name.lower()
    for old, new in swaps:
        at = lower.find(old, 1)
        if at > 0:
            changed = name[:at] + new + name[at + len(old) :]
            return changed[:1].upper() + changed[1:]
    return name + "e" if not name.endswith("e") else name[:-1]


def _original(haringey: Organisation) -> Child | None:
    candidates = (
        Child.objects.filter(home_la=haringey, merged_into__isnull=True)
        .annotate(n=Count("episodes"))
        .filter(n__gte=1)
        .order_by("-n", "pk")
    )
    for child in candidates[:500]:
        dob = child.date_of_birth
        if dob.day <= 12 and dob.day != dob.month:
            return child
    return None


def _free_time(child: Child) -> tuple[Any, Any]:
    """A day-long episode in the last weeks that overlaps none of the child's episodes."""
    end = timezone.now() - timedelta(days=2)
    for _ in range(60):
        start = end - timedelta(hours=26)
        clash = MissingEpisode.objects.filter(child=child, last_seen_at__lt=end).exclude(
            returned_at__lte=start
        )
        if not clash.exists():
            return start, end
        end -= timedelta(days=3)
    return end - timedelta(hours=26), end


class Command(BaseCommand):
    help = "Create the Met's duplicate of a Haringey child and run linkage (demo only)."

    def handle(self, *args: Any, **options: Any) -> None:
        haringey = Organisation.objects.filter(ons_code=HARINGEY).first()
        met = Organisation.objects.filter(ons_code=MET).first()
        if haringey is None or met is None or not Child.objects.filter(home_la=haringey).exists():
            self.stdout.write("No Haringey children: the demo duplicate was not created.")
            return
        existing = ChildIdentifier.objects.filter(
            kind=IdentifierKind.POLICE_ID, value=DEMO_POLICE_ID, issuing_organisation=met
        ).first()
        if existing is None:
            original = _original(haringey)
            if original is None:
                self.stdout.write("No suitable Haringey child for the demo duplicate.")
                return
            duplicate = self._create(original, haringey, met)
            self.stdout.write(
                f"Created {duplicate.reference}, the Met's record of {original.reference}"
            )
        else:
            duplicate = existing.child
        run = services.linkage_run()
        pair = (
            CandidatePair.objects.filter(left_child=duplicate).first()
            or CandidatePair.objects.filter(right_child=duplicate).first()
        )
        self.stdout.write(
            f"Linkage proposed {run.pairs_proposed} new possible duplicate record(s) for review"
            + (f"; the demo pair is {pair.pk} ({pair.get_status_display()})" if pair else "")
        )

    @transaction.atomic
    def _create(self, original: Child, haringey: Organisation, met: Organisation) -> Child:
        actor = User.objects.filter(username=MET_USER).first()
        dob = original.date_of_birth
        duplicate = people_services.child_create(
            actor=actor,
            first_name=spelling_variant(original.first_name),
            last_name=spelling_variant(original.last_name),
            date_of_birth=dob.replace(day=dob.month, month=dob.day),
            home_la=haringey,
            sex=original.sex,
            home_postcode=original.home_postcode,
            identifiers=[
                people_services.IdentifierInput(
                    kind=IdentifierKind.POLICE_ID, value=DEMO_POLICE_ID, issuing_organisation=met
                )
            ],
        )
        start, end = _free_time(original)
        episode = services.episode_services.episode_report(
            actor=actor,
            child=duplicate,
            setting="home",
            whereabouts="unknown",
            last_seen_at=start,
            reported_at=start + timedelta(hours=2),
            reporter_kind="police",
            reporting_organisation=met,
            reported_to_police=True,
            police_force=met,
            police_reference="CAD-4471-DEMO",
            last_seen_place="Wood Green bus station",
            circumstances="Found by officers after a call from a member of the public; gave a "
            "different spelling of his name and a date of birth with day and month swapped.",
        )
        services.episode_services.episode_record_return(
            actor=actor,
            episode=episode,
            version=episode.version,
            returned_at=end,
            return_how="police",
            found_place="Tottenham Hale retail park",
        )
        return duplicate
