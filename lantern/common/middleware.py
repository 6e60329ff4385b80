"""Cross-cutting request handling: request ids for the audit log, no caching of case data."""

import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from lantern.common.context import request_id_var


class RequestIdMiddleware:
    """Give every request an id, echoed in a header and written on every audit event."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-Id"] = rid
        return response


class NoStoreMiddleware:
    """Signed-in pages hold children's data: browsers and proxies must not keep them (DP6)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


def client_ip(request: HttpRequest) -> str | None:
    """The address a request came from, for sign-in throttling (AU4).

    Without trusted proxies this is the connection's address: X-Forwarded-For is the client's to
    write, so it is ignored. Behind N trusted proxies, each appends the address it saw, so the
    Nth entry from the right was written by the outermost trusted proxy.
    """
    proxies = getattr(settings, "LANTERN_TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in header.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")
