"""Fill in a page's forms with plausible values, so a forbidden POST would really write something.

Posting empty forms to a forbidden URL proves little: a view that forgot its access check would
still write nothing, because validation fails. So the persona matrix reads each form as a user
who may use it, fills every field with a value of the right shape, and posts that as the
personas who may not.
"""

from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin

from django.utils import timezone


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {
                    "method": a.get("method", "get").lower(),
                    "action": a.get("action", ""),
                    "fields": [],
                }
            )
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        if tag == "input" and a.get("name"):
            fields.append(("input", a.get("type", "text").lower(), a["name"], a))
        elif tag == "select" and a.get("name"):
            self._select, self._select_first, self._select_chosen = a["name"], None, None
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if value and self._select_first is None:
                self._select_first = value
            if "selected" in a and value:
                self._select_chosen = value
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None and self.forms:
            value = self._select_chosen or self._select_first or ""
            self.forms[-1]["fields"].append(("select", "", self._select, {"value": value}))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self.forms:
            self.forms[-1]["fields"].append(("textarea", "", self._textarea, {"value": self._text}))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data


def _text_value(name: str) -> str:
    lowered = name.lower()
    when = timezone.localtime() - timedelta(hours=1)
    if "postcode" in lowered:
        return "N17 6AA"
    if "email" in lowered:
        return "someone@example.org"
    if lowered.endswith(("day", "_0")):
        return str(when.day)
    if lowered.endswith(("month", "_1")):
        return str(when.month)
    if lowered.endswith(("year", "_2")):
        return str(when.year)
    if lowered.endswith(("hour",)):
        return str(when.hour)
    if lowered.endswith(("minute",)):
        return str(when.minute)
    if lowered.endswith(("time", "_3")):
        return when.strftime("%H:%M")
    if "date" in lowered or lowered.endswith(("_at", "_on")):
        return when.strftime("%d/%m/%Y")
    return "Test entry"


def fill(html: str, path: str) -> list[dict[str, str | list[str]]]:
    """POST data for each form on the page that posts back to ``path`` (not, say, sign-out)."""
    return [data for action, data in fill_all(html, path) if action == path]


def fill_all(html: str, path: str) -> list[tuple[str, dict[str, str | list[str]]]]:
    """(action, POST data) for every POST form on the page; an empty action means ``path``."""
    parser = _Forms()
    parser.feed(html)
    when = timezone.localtime() - timedelta(hours=1)
    filled = []
    for form in parser.forms:
        if form["method"] != "post":
            continue
        data: dict[str, str | list[str]] = {}
        for kind, input_type, name, attrs in form["fields"]:
            if name == "csrfmiddlewaretoken":
                continue
            if kind in ("select", "textarea"):
                value = attrs["value"].strip()
                data[name] = value or ("Test entry" if kind == "textarea" else "")
            elif input_type in ("hidden", "submit"):
                data.setdefault(name, attrs.get("value", ""))
            elif input_type == "checkbox":
                existing = data.get(name)
                value = attrs.get("value") or "on"
                data[name] = [*existing, value] if isinstance(existing, list) else [value]
            elif input_type == "radio":
                data.setdefault(name, attrs.get("value", ""))
            elif input_type == "date":
                data[name] = when.date().isoformat()
            elif input_type == "datetime-local":
                data[name] = when.strftime("%Y-%m-%dT%H:%M")
            elif input_type == "time":
                data[name] = when.strftime("%H:%M")
            elif input_type == "number":
                data[name] = attrs.get("value") or "1"
            else:
                data[name] = attrs.get("value") or _text_value(name)
        filled.append((urljoin(path, form["action"]) if form["action"] else path, data))
    return filled
