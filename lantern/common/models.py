"""Base model pieces shared by the domain apps. No business rules here."""

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """A row edited by several people: every update must name the version it read.

    Services update with ``filter(pk=..., version=read_version).update(..., version=F+1)``; zero rows
    updated means someone else saved first, and the editor is told instead of overwriting them
    (security goal RE4; ``select_for_update`` does nothing on SQLite).
    """

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True
