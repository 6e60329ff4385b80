"""Sign-ins and sign-outs go in the audit log."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.dispatch import receiver

from lantern.audit.models import Action
from lantern.audit.services import audit_record


@receiver(user_logged_in)
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        audit_record(
            actor=user, action=Action.SIGN_IN, object_type="accounts.user", object_id=user.pk
        )


@receiver(user_logged_out)
def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        with transaction.atomic():
            audit_record(
                actor=user, action=Action.SIGN_OUT, object_type="accounts.user", object_id=user.pk
            )
