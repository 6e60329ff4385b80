"""Keyset pagination over (updated_at, id), for systems that keep a copy in step.

Lists are ordered by when a row last changed, then by id, and the ``next`` link carries the last
(updated_at, id) seen. Unlike page numbers, nothing is skipped or repeated when rows change while
a client pages; unlike DRF's cursor pagination, an import that gives 100,000 rows the same
timestamp pages as well as anything else (the id breaks the tie inside the index).
"""

import base64
import binascii
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
CURSOR_INVALID = "This cursor is not valid. Start again from the first page."
PAGE_SIZE_INVALID = f"Page size must be a whole number from 1 to {MAX_PAGE_SIZE}"


def encode_cursor(updated_at: datetime, pk: int) -> str:
    raw = f"{updated_at.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[datetime, int]:
    try:
        padded = text + "=" * (-len(text) % 4)
        stamp, pk = base64.urlsafe_b64decode(padded.encode("ascii")).decode().split("|")
        when = datetime.fromisoformat(stamp)
        if when.tzinfo is None:
            raise ValueError(stamp)
        return when, int(pk)
    except (ValueError, UnicodeError, binascii.Error, TypeError):
        raise ValidationError({"cursor": [CURSOR_INVALID]}) from None


class PageSizeField(serializers.IntegerField):
    def __init__(self) -> None:
        super().__init__(
            min_value=1,
            max_value=MAX_PAGE_SIZE,
            required=False,
            error_messages={
                "invalid": PAGE_SIZE_INVALID,
                "min_value": PAGE_SIZE_INVALID,
                "max_value": PAGE_SIZE_INVALID,
                "max_string_length": PAGE_SIZE_INVALID,
            },
        )


class SyncPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset: QuerySet, request: Any, view: Any = None) -> list[Any]:
        size_text = request.query_params.get(self.page_size_query_param)
        size = DEFAULT_PAGE_SIZE
        if size_text is not None:
            field = PageSizeField()
            try:
                size = field.run_validation(size_text)
            except ValidationError as error:
                raise ValidationError({self.page_size_query_param: error.detail}) from None
        cursor = request.query_params.get(self.cursor_query_param)
        queryset = queryset.order_by("updated_at", "id")
        if cursor:
            when, pk = decode_cursor(cursor)
            queryset = queryset.filter(Q(updated_at__gt=when) | Q(updated_at=when, id__gt=pk))
        rows = list(queryset[: size + 1])
        self.has_next = len(rows) > size
        self.page = rows[:size]
        self.request = request
        return self.page

    def get_next_link(self) -> str | None:
        if not self.has_next or not self.page:
            return None
        last = self.page[-1]
        url = self.request.build_absolute_uri()
        return replace_query_param(
            url, self.cursor_query_param, encode_cursor(last.updated_at, last.pk)
        )

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the next page starts: copy it from the `next` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (default {DEFAULT_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]
