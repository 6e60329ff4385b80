"""How the API answers when something is wrong: the services' own words, as JSON.

Services raise Django ``ValidationError`` with a dict of field -> message (GOV.UK voice); the API
returns those as a 400 with the same field names, so a system and a person see the same rule.
A stale ``version`` is a 409 carrying ``ConcurrentEditError.MESSAGE``.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from lantern.common.errors import ConcurrentEditError

T = TypeVar("T")

NON_FIELD = "non_field_errors"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = ConcurrentEditError.MESSAGE
    default_code = "concurrent_edit"


def service_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as {field: [messages]}; unnamed errors go under non_field_errors."""
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in error.message_dict.items()
        }
    return {NON_FIELD: [str(m) for m in error.messages]}


def call_service(function: Callable[..., T], /, **kwargs: Any) -> T:
    """Run a service; its ValidationError becomes a 400 with field names, a stale version a 409.

    Raising DRF exceptions (rather than returning responses) lets DRF mark the request's
    transaction for rollback, so nothing the service did before failing is kept.
    """
    try:
        return function(**kwargs)
    except ConcurrentEditError:
        raise Conflict() from None
    except DjangoValidationError as error:
        raise exceptions.ValidationError(service_errors(error)) from None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with any Django ValidationError that escaped a view answered as a 400."""
    if isinstance(exc, ConcurrentEditError):
        exc = Conflict()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(service_errors(exc))
    return drf_exception_handler(exc, context)
