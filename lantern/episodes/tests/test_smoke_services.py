from datetime import timedelta

from lantern.audit.models import AuditEvent
from lantern.episodes import services


def test_report_and_return_episode(world, child, now):
    episode = services.episode_report(
        actor=world.sam,
        child=child,
        setting="care",
        whereabouts="unknown",
        last_seen_at=now - timedelta(hours=30),
        reported_at=now - timedelta(hours=29),
        reporter_kind="foster_carer",
        police_force=world.met,
    )
    assert episode.category == "missing_care"
    assert episode.recording_organisation == world.haringey
    episode = services.episode_record_return(
        actor=world.pete,
        episode=episode,
        version=episode.version,
        returned_at=now - timedelta(hours=2),
        return_how="police",
        found_postcode="BN1 1AA",
    )
    assert episode.found_la == world.brighton
    assert episode.found_force == world.sussex
    events = AuditEvent.objects.filter(child_id=child.pk, object_type="episodes.missingepisode")
    assert list(events.order_by("id").values_list("action", flat=True)) == ["create", "update"]
