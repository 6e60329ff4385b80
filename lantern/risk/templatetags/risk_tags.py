"""Template helpers: language guidance for any free text, and level tags.

Usage in any app's template::

    {% load risk_tags %}
    {% language_warnings form.notes.value as warnings %}
    {% include "risk/_language_warnings.html" %}
"""

from typing import Any

from django import template

from lantern.risk import queries

register = template.Library()


@register.simple_tag(takes_context=True)
def language_warnings(context: template.Context, text: Any) -> list[Any]:
    """Victim-blaming phrases in ``text`` with suggestions (the phrase list is read once per page)."""
    request = context.get("request")
    rules = getattr(request, "_risk_language_rules", None) if request is not None else None
    if rules is None:
        rules = queries.language_rules()
        if request is not None:
            request._risk_language_rules = rules
    return queries.language_warnings(str(text or ""), rules)


@register.filter
def level_tag(level: str) -> str:
    return queries.level_tag(level)


@register.filter
def level_label(level: str) -> str:
    return queries.level_label(level)
