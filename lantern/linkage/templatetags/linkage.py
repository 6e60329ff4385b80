"""Template tags for other apps' pages, so they need not import linkage code.

On the child's page:  {% load linkage %}{% linkage_notice child %}
"""

from typing import Any

from django import template

from lantern.linkage import queries
from lantern.people.models import Child

register = template.Library()


@register.inclusion_tag("linkage/_child_notice.html", takes_context=True)
def linkage_notice(context: dict[str, Any], child: Child) -> dict[str, Any]:
    """Merged-from and possible-duplicate notices for ``child``, for the signed-in user.

    The page must already have checked (through the access policy) that the user may see the
    child; the notice only shows other records the user may also see."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or child is None:
        return {"notice": None}
    return {"notice": queries.child_notice(user, child)}
