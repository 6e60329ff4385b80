"""Per-request context (request id) available to the audit log without passing requests around."""

from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("lantern_request_id", default="")


def current_request_id() -> str:
    return request_id_var.get()
