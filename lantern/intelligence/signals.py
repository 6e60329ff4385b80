"""Derive intelligence from episodes and interviews inside the transaction that changed them.

Two routes, as in ``lantern.risk.signals`` and for the same reason:

* ``post_save`` on episodes and interviews catches ordinary saves (admin, fixtures, the report
  service's create);
* every service write is audited in its own transaction, so an audit event about an episode or
  interview catches the writes ``post_save`` cannot see: recording a return uses
  ``QuerySet.update`` and disclosures are ``bulk_create``d after their interview is saved.

Everything derived is keyed (links, places) or unique (notifications), so running twice for one
write is harmless. ``derivation_suspended()`` turns both routes off for bulk loads, which call
``lantern.intelligence.derive.derive_all`` afterwards.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models.signals import post_save

from lantern.accounts.models import User
from lantern.audit.models import Action, AuditEvent
from lantern.episodes.models import MissingEpisode
from lantern.intelligence import services
from lantern.interviews.models import ReturnInterview

EPISODE_TYPE = "episodes.missingepisode"
INTERVIEW_TYPE = "interviews.returninterview"

_state = threading.local()


@contextmanager
def derivation_suspended() -> Iterator[None]:
    """Skip automatic derivation in this thread (bulk loads; derive everything afterwards)."""
    previous = getattr(_state, "suspended", False)
    _state.suspended = True
    try:
        yield
    finally:
        _state.suspended = previous


def _suspended() -> bool:
    return getattr(_state, "suspended", False)


def episode_changed(episode_id: int, actor: User | None) -> None:
    episode = MissingEpisode.objects.filter(pk=episode_id).first()
    if episode is None:
        return
    services.links_from_episode(episode=episode)
    services.notifications_for_episode(episode=episode, actor=actor)


def interview_changed(interview_id: int) -> None:
    interview = (
        ReturnInterview.objects.select_related("conducted_by_organisation")
        .filter(pk=interview_id)
        .first()
    )
    if interview is not None:
        services.links_from_interview(interview=interview)


def on_episode_saved(sender: Any, instance: MissingEpisode, raw: bool = False, **kw: Any) -> None:
    if raw or _suspended():
        return
    episode_changed(instance.pk, instance.recorded_by if instance.recorded_by_id else None)


def on_interview_saved(
    sender: Any, instance: ReturnInterview, raw: bool = False, **kw: Any
) -> None:
    if raw or _suspended():
        return
    interview_changed(instance.pk)


def on_audit_event(sender: Any, instance: AuditEvent, created: bool, **kw: Any) -> None:
    if not created or _suspended() or instance.action not in (Action.CREATE, Action.UPDATE):
        return
    if instance.object_type == EPISODE_TYPE and instance.object_id.isdigit():
        actor = User.objects.filter(pk=instance.user_id).first() if instance.user_id else None
        episode_changed(int(instance.object_id), actor)
    elif instance.object_type == INTERVIEW_TYPE and instance.object_id.isdigit():
        interview_changed(int(instance.object_id))


def connect() -> None:
    post_save.connect(on_episode_saved, sender=MissingEpisode, dispatch_uid="intel_episode")
    post_save.connect(on_interview_saved, sender=ReturnInterview, dispatch_uid="intel_interview")
    post_save.connect(on_audit_event, sender=AuditEvent, dispatch_uid="intel_audit")
