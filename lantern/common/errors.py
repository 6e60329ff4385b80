"""Errors raised by services and shown to people in plain English."""

from django.core.exceptions import ValidationError


class ConcurrentEditError(ValidationError):
    """Someone else saved this record after you opened it."""

    MESSAGE = (
        "Someone else changed this record while you were editing it. "
        "Your changes have not been saved. Reload the page to see their changes, then try again."
    )

    def __init__(self) -> None:
        super().__init__(self.MESSAGE, code="concurrent_edit")
