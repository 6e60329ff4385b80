"""Keep flags current when evidence changes, inside the transaction that changed it.

Two routes, because the services that own episodes and interviews write in two ways:

* ``post_save`` on episodes, police gradings, interviews and disclosures catches ordinary saves
  and creates (the demo generator, admin, the episode and grading services);
* every service write is audited in its own transaction, so an audit event about an episode,
  grading, interview or disclosure catches the writes that ``post_save`` cannot see: recording a
  return uses ``QuerySet.update`` (optimistic locking) and disclosures are ``bulk_create``d after
  their interview is saved.

A refresh only ever adds or raises flags, so running it twice for one write is harmless.
``refresh_suspended()`` turns both off for bulk loads, which call ``flags_refresh_all`` after.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models.signals import post_save

from lantern.audit.models import Action, AuditEvent
from lantern.episodes.models import MissingEpisode, PoliceGrading
from lantern.interviews.models import Disclosure, ReturnInterview
from lantern.people.models import Child
from lantern.risk import services
from lantern.risk.models import LanguageRule, ScreeningTool

CHANGE_ACTIONS = frozenset({Action.CREATE, Action.UPDATE, Action.DELETE})
WATCHED_AUDIT_TYPES = frozenset(
    {
        "episodes.missingepisode",
        "episodes.policegrading",
        "interviews.returninterview",
        "interviews.disclosure",
        "people.child",
        "people.placement",
    }
)

_state = threading.local()


@contextmanager
def refresh_suspended() -> Iterator[None]:
    """Skip automatic flag refreshes in this thread (bulk imports; refresh all afterwards)."""
    previous = getattr(_state, "suspended", False)
    _state.suspended = True
    try:
        yield
    finally:
        _state.suspended = previous


def _refresh(child_id: int | None) -> None:
    if child_id is None or getattr(_state, "suspended", False):
        return
    child = Child.objects.filter(pk=child_id).first()
    if child is not None:
        services.flags_refresh_for_child(child=child)


def on_episode_saved(sender: Any, instance: MissingEpisode, **kwargs: Any) -> None:
    _refresh(instance.child_id)


def on_grading_saved(sender: Any, instance: PoliceGrading, **kwargs: Any) -> None:
    _refresh(
        MissingEpisode.objects.filter(pk=instance.episode_id)
        .values_list("child_id", flat=True)
        .first()
    )


def on_interview_saved(sender: Any, instance: ReturnInterview, **kwargs: Any) -> None:
    _refresh(instance.child_id)


def on_disclosure_saved(sender: Any, instance: Disclosure, **kwargs: Any) -> None:
    _refresh(
        ReturnInterview.objects.filter(pk=instance.interview_id)
        .values_list("child_id", flat=True)
        .first()
    )


def on_audit_event(sender: Any, instance: AuditEvent, created: bool, **kwargs: Any) -> None:
    # Only changes can alter risk: reading a record (view, search, export) must not recompute it.
    if (
        created
        and instance.action in CHANGE_ACTIONS
        and instance.object_type in WATCHED_AUDIT_TYPES
    ):
        _refresh(instance.child_id)


def on_post_migrate(sender: Any, **kwargs: Any) -> None:
    """Load the shipped tool, rules and phrases after migrating (idempotent, like permissions).

    Skipped when the risk tables are not there (migrating backwards, or to a partial plan).
    """
    if sender.label != "risk" or kwargs.get("using", DEFAULT_DB_ALIAS) != DEFAULT_DB_ALIAS:
        return
    tables = set(connection.introspection.table_names())
    if {ScreeningTool._meta.db_table, LanguageRule._meta.db_table} <= tables:
        services.defaults_load(actor=None)


def connect() -> None:
    post_save.connect(on_episode_saved, sender=MissingEpisode, dispatch_uid="risk_episode")
    post_save.connect(on_grading_saved, sender=PoliceGrading, dispatch_uid="risk_grading")
    post_save.connect(on_interview_saved, sender=ReturnInterview, dispatch_uid="risk_interview")
    post_save.connect(on_disclosure_saved, sender=Disclosure, dispatch_uid="risk_disclosure")
    post_save.connect(on_audit_event, sender=AuditEvent, dispatch_uid="risk_audit")
