"""OpenAPI details drf-spectacular cannot see: the error answers every operation can give."""

from typing import Any

ERROR_SCHEMAS = {
    "Error": {
        "type": "object",
        "description": "A refusal: not signed in, not allowed, not found, or a stale version.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationErrors": {
        "type": "object",
        "description": "What was wrong, by field name (the services' own messages). "
        "Errors not about one field are under `non_field_errors`.",
        "additionalProperties": {
            "oneOf": [
                {"type": "array", "items": {}},
                {"type": "object"},
                {"type": "string"},
            ]
        },
    },
}


def _ref(name: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
    }


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Document 400/401/403/404 on every operation and 409 where a version is sent."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses.setdefault(
                "400", _ref("ValidationErrors", "The request was not valid; see the fields.")
            )
            responses.setdefault(
                "401", _ref("Error", "No credentials, or a token Lantern does not know.")
            )
            responses.setdefault("403", _ref("Error", "The caller's role may not do this."))
            responses.setdefault(
                "404", _ref("Error", "No such record, or not one the caller may see.")
            )
            if method == "patch" or path.endswith(("/return/", "/end/")):
                responses.setdefault(
                    "409", _ref("Error", "Someone else changed the record since it was read.")
                )
    return result
