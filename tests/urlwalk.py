"""Walk the whole URLconf, so tests cover every page, including pages added later.

Each ``Route`` is one URL pattern with its full name (``people:detail``), its keyword arguments
with their converters, and a way to build a concrete path from chosen argument values.
"""

import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import get_converters
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.regex_helper import normalize

# Values tried, in order, for an argument whose converter or regex is not an int.
CANDIDATES = ["1", "x", str(uuid.UUID(int=1)), "x/y"]
_ROUTE_ARG = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*)\)")


@dataclass
class Route:
    name: str  # "namespace:name", or "" when the pattern has no name
    namespace: str
    callback: Callable[..., Any]
    # Each piece is a RoutePattern or RegexPattern, outermost first.
    pieces: list[Any] = field(default_factory=list)

    @property
    def description(self) -> str:
        return self.name or "".join(str(p) for p in self.pieces)

    def kwargs(self) -> dict[str, str]:
        """Argument name -> regex a value must match."""
        found: dict[str, str] = {}
        converters = get_converters()
        for piece in self.pieces:
            if isinstance(piece, RoutePattern):
                for m in _ROUTE_ARG.finditer(piece._route):
                    converter = converters[m.group("converter") or "str"]
                    found[m.group("name")] = converter.regex
            else:
                for m in _REGEX_GROUP.finditer(piece._regex):
                    found[m.group("name")] = m.group("body")
                # Named groups whose body has nested groups: accept anything non-empty.
                for name in re.findall(r"\(\?P<(\w+)>", piece._regex):
                    found.setdefault(name, ".+")
        return found

    def has_object_argument(self) -> bool:
        return any(self._is_int(regex) for regex in self.kwargs().values())

    @staticmethod
    def _is_int(regex: str) -> bool:
        return regex in ("[0-9]+", r"\d+")

    def path(self, values: Mapping[str, object] | None = None) -> str:
        """A concrete path; arguments not in ``values`` get a dummy that fits their pattern."""
        values = dict(values or {})
        for name, regex in self.kwargs().items():
            if name not in values:
                values[name] = self.dummy(regex)
        out = "/"
        for piece in self.pieces:
            if isinstance(piece, RoutePattern):
                out += _ROUTE_ARG.sub(lambda m: str(values[m.group("name")]), piece._route)
            else:
                formats = normalize(piece._regex)
                text, _params = formats[0]
                out += text % {k: str(v) for k, v in values.items()}
        return out

    @staticmethod
    def dummy(regex: str) -> str:
        for candidate in CANDIDATES:
            if re.fullmatch(regex, candidate):
                return candidate
        # An alternation such as (?P<app_label>auth|accounts): take the first branch.
        first = regex.split("|")[0]
        if re.fullmatch(regex, first):
            return first
        raise ValueError(f"No dummy value fits {regex!r}")


def routes() -> list[Route]:
    """Every URL pattern in the project's URLconf, recursing into includes."""
    return list(_walk(get_resolver().url_patterns, [], ""))


def _walk(patterns: list[Any], prefix: list[Any], namespace: str) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(entry.url_patterns, [*prefix, entry.pattern], full_ns)
        elif isinstance(entry, URLPattern):
            name = entry.name or ""
            full = f"{namespace}:{name}" if namespace and name else name
            if not isinstance(entry.pattern, RoutePattern | RegexPattern):
                continue
            yield Route(
                name=full,
                namespace=namespace,
                callback=entry.callback,
                pieces=[*prefix, entry.pattern],
            )
