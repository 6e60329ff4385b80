"""`lantern api_token USERNAME`: issue (or with --rotate, replace) a system's API token.

The token is printed once; Lantern keeps it to check calls, and the audit log records that a
token was issued, by whom (the command line) and for whom, never the token itself.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rest_framework.authtoken.models import Token

from lantern.accounts.models import User
from lantern.accounts.policy import acting_membership
from lantern.audit.models import Action
from lantern.audit.services import audit_record


class Command(BaseCommand):
    help = "Issue an API token for a user (a person or a system account) and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--rotate", action="store_true", help="Replace an existing token with a new one"
        )
        parser.add_argument(
            "--revoke", action="store_true", help="Remove the user's token; print nothing"
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user called {options['username']}")
        if options["revoke"]:
            deleted, _ = Token.objects.filter(user=user).delete()
            self._audit(user, "Revoked the user's API token", revoked=bool(deleted))
            return
        if acting_membership(user) is None:
            raise CommandError("The user has no active membership, so the token would see nothing")
        if options["rotate"]:
            Token.objects.filter(user=user).delete()
        token, created = Token.objects.get_or_create(user=user)
        if created:
            self._audit(user, "Issued an API token")
        self.stdout.write(token.key)

    def _audit(self, user: User, summary: str, **detail: Any) -> None:
        audit_record(
            actor=None,
            action=Action.UPDATE,
            object_type="authtoken.token",
            object_id=user.pk,
            summary=f"{summary} for {user.username}",
            detail={"via": "command line", "user": user.pk, **detail},
        )
