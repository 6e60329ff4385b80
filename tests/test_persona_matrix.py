"""AC1, AC2, AC10: the persona matrix.

A Haringey child has a placement, two missing episodes (one returned, one open), a police grading
and a return interview, all made through the services. Every URL that takes an object id is
tried with those ids (GET and POST, the POST carrying a filled-in form) as each persona whose
organisation has no link to the child, or whose role may not open records: the answer must be
404 (403/405 where the page refuses every such user) and the database must not change. Pages
without an object id (worklist, search, reports, API lists) must never show the child to them.
Personas with a link open the child's page. New URLs are picked up by the walk as they appear.
"""

import itertools
from datetime import date

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import resolve, reverse

from lantern.audit.models import Action, AuditEvent
from tests.formfill import fill, fill_all
from tests.urlwalk import Route, routes

# No link to the child: another council, another force; or a role that never opens records
# (analyst: aggregates only, AC10; organisation admin: manages people, not cases).
UNLINKED = ["bella", "priya", "andy", "olive"]
# Linked: Haringey (home, placing and host LA), the Met (police force and found force), the
# charity (conducted the interview).
LINKED = ["sam", "maria", "chris", "pete", "rita"]
REFUSED = {403, 404, 405}
# Namespace of an app -> the kind of object its "pk" argument names.
PK_KIND_BY_NAMESPACE = {"people": "child", "episodes": "episode", "interviews": "interview"}
# API route names start with the object's basename: "child-detail", "episode-record-return".
API_KINDS = ("child", "episode", "interview", "placement", "grading")
MIN_OBJECT_ROUTES = 8
# Files of child-level rows an analyst may download for their own council (docs/adr/0004).
STATUTORY_RETURN_DOWNLOADS = {
    "reporting:ssda903_csv",
    "reporting:checks_csv",
    "reporting:annex_a_csv",
    "reporting:ssd_csv",
}
# Forms on object pages that the filler completes well enough to write (placement end, lead
# professional, police grading, return... when this was written).
MIN_WRITING_FORMS = 4


def _is_object_argument(name: str, regex: str) -> bool:
    return name in ("pk", "id") or name.endswith(("_pk", "_id")) or regex in ("[0-9]+", r"\d+")


def object_routes() -> list[Route]:
    return [
        r
        for r in routes()
        if r.namespace != "admin"
        and any(_is_object_argument(n, rx) for n, rx in r.kwargs().items())
    ]


def other_routes() -> list[Route]:
    objects = {r.description for r in object_routes()}
    return [
        r
        for r in routes()
        if r.namespace != "admin" and r.description not in objects and r.name != "accounts:logout"
    ]


def _kind(route: Route, argument: str) -> str | None:
    """Which of the case's objects an argument names, when the URL says so."""
    if argument.endswith("_pk"):
        return argument.removesuffix("_pk")
    if argument not in ("pk", "id"):
        return None
    if route.namespace in PK_KIND_BY_NAMESPACE:
        return PK_KIND_BY_NAMESPACE[route.namespace]
    short = route.name.split(":")[-1]
    for kind in API_KINDS:
        if short == kind or short.startswith((f"{kind}-", f"{kind}_")):
            return kind
    return None


def argument_sets(route: Route, ids: dict[str, list[int]], every_id: list[int]) -> list[dict]:
    """All combinations of the case's ids for the route's object arguments.

    An argument whose object kind the URL does not reveal (a risk flag, a screening) is tried
    with every id the case's rows have, so it still meets the child's own objects.
    """
    names = [n for n, rx in route.kwargs().items() if _is_object_argument(n, rx)]
    choices = [ids.get(_kind(route, n) or "", every_id) for n in names]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*choices)]


def _domain_models():
    """Every concrete model of Lantern's own apps, except the audit log (refusals may be logged)."""
    tables = set(connection.introspection.table_names())
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith("lantern.")
        and m._meta.app_label != "audit"
        and m._meta.managed
        and not m._meta.proxy
        and m._meta.db_table in tables  # an app still being built may not have migrated yet
    ]


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every domain table: counts alone would miss an update."""
    return {m._meta.label: list(m.objects.order_by("pk").values_list()) for m in _domain_models()}


def _markers(case) -> list[str]:
    """Text that would show the child on a page: names, reference, date of birth."""
    child = case.child
    dob: date = child.date_of_birth
    # The first name alone is not a marker: the search hint's example is "Kayden Smith".
    return [
        child.full_name,
        child.last_name,
        child.reference,
        dob.isoformat(),
        dob.strftime("%d/%m/%Y"),
        f"{dob.day} {dob:%B %Y}",
    ]


def _every_id(case) -> list[int]:
    """Ids of every row that hangs off the case's child, episodes or interview (screenings,
    flags, notes...), for URL arguments whose kind the URL does not reveal."""
    owners = {
        "people.child": [case.child.pk],
        "episodes.missingepisode": case.ids()["episode"],
        "interviews.returninterview": case.ids()["interview"],
    }
    found: set[int] = set()
    for m in _domain_models():
        for f in m._meta.concrete_fields:
            target = f.related_model._meta.label_lower if f.is_relation and f.related_model else ""
            if target in owners and m._meta.label_lower != "people.childnamekey":
                found.update(
                    m.objects.filter(**{f"{f.attname}__in": owners[target]}).values_list(
                        "pk", flat=True
                    )
                )
    return sorted(pk for pk in found if isinstance(pk, int))


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def forms(world, case) -> dict[str, list[dict]]:
    """path -> POST data for each form on the page, read as a manager who may use it."""
    client = _client(world.maria)
    found: dict[str, list[dict]] = {}
    every_id = _every_id(case)
    for route in object_routes():
        for args in argument_sets(route, case.ids(), every_id):
            path = route.path(args)
            response = client.get(path)
            found[path] = []
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                found[path] = fill(response.content.decode(), path)
    return found


def test_the_walk_finds_object_urls():
    names = {r.name for r in object_routes()}
    assert "people:detail" in names
    assert len(names) >= MIN_OBJECT_ROUTES


@pytest.mark.parametrize("persona", UNLINKED)
def test_unlinked_personas_get_404_for_every_object_url(world, case, persona):
    client = _client(getattr(world, persona))
    every_id = _every_id(case)
    answered = []
    for route in object_routes():
        for args in argument_sets(route, case.ids(), every_id):
            response = client.get(route.path(args))
            if response.status_code not in REFUSED:
                answered.append((route.description, args, response.status_code))
    assert answered == []


def test_unlinked_personas_change_nothing_by_posting_to_object_urls(world, case, forms):
    """Every persona in one test, so the forms are read once."""
    every_id = _every_id(case)
    answered, changed = [], []
    for persona in UNLINKED:
        client = _client(getattr(world, persona))
        for route in object_routes():
            before = snapshot()
            for args in argument_sets(route, case.ids(), every_id):
                path = route.path(args)
                for data in [*forms.get(path, []), {}]:
                    response = client.post(path, data)
                    if response.status_code not in REFUSED:
                        answered.append((persona, route.description, args, response.status_code))
            if snapshot() != before:
                changed.append((persona, route.description))
    assert answered == []
    assert changed == []


def test_filled_forms_really_write_when_a_linked_user_posts_them(world, case, forms):
    """Guards the POST matrix: its forms must be good enough to change data if a view let them."""
    client = _client(world.maria)
    writing = []
    for path, filled in forms.items():
        for data in filled:
            before = snapshot()
            client.post(path, data)
            if snapshot() != before:
                writing.append(path)
    assert len(set(writing)) >= MIN_WRITING_FORMS, writing


@pytest.mark.parametrize("persona", UNLINKED)
def test_pages_without_an_object_never_show_the_child_to_unlinked_personas(world, case, persona):
    """AC2: lists, search, reports, exports and API lists return only visible children."""
    client = _client(getattr(world, persona))
    markers = _markers(case)
    shown = []
    for route in other_routes():
        path = route.path()
        page = client.get(path)
        attempts = [(page, path, "")]
        # Downloads and reports are asked for by POST: send every form the page offers.
        if page.status_code == 200 and "html" in page.get("Content-Type", ""):
            for action, data in fill_all(page.content.decode(), path):
                if action not in (reverse("accounts:logout"), reverse("accounts:roles")):
                    attempts.append((client.post(action, data), action, ""))
        if route.name.endswith("search"):
            child = case.child
            for query in (child.last_name, child.full_name, child.reference):
                data = {"q": query, "query": query, "name": query, "term": query}
                attempts.append((client.post(path, data), path, query))
        for response, asked, query in attempts:
            if response.status_code >= 500:
                shown.append((route.description, asked, response.status_code))
                continue
            body = _body(response)
            # A search page keeps what was typed, so the query itself is not a leak.
            leaked = [
                m for m in markers if m in body and not (query and (m in query or query in m))
            ]
            if leaked and not _statutory_return_for_analyst(persona, asked, response):
                shown.append((route.description, asked, query, leaked))
    assert shown == [], shown


def _statutory_return_for_analyst(persona: str, asked: str, response) -> bool:
    """ADR 0004: a council's analyst may download its statutory returns (files of rows, by
    design), each download audited as an export. Nothing else with rows is open to an analyst."""
    if persona != "andy":
        return False
    name = resolve(asked).view_name
    if name not in STATUTORY_RETURN_DOWNLOADS or "attachment" not in response.get(
        "Content-Disposition", ""
    ):
        return False
    return AuditEvent.objects.filter(
        request_id=response["X-Request-Id"], action=Action.EXPORT
    ).exists()


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("persona", LINKED)
def test_linked_personas_open_the_child_page(world, case, persona):
    response = _client(getattr(world, persona)).get(
        reverse("people:detail", kwargs={"pk": case.child.pk})
    )
    assert response.status_code == 200
    assert case.child.reference in response.content.decode()


@pytest.mark.parametrize("persona", LINKED)
def test_linked_personas_open_the_episode_and_interview_pages(world, case, persona):
    """The other side of AC1: the same URLs do open for every persona with a link."""
    client = _client(getattr(world, persona))
    names = {r.name for r in routes()}
    pages = [("episodes:detail", pk) for pk in case.ids()["episode"]]
    pages += [("interviews:detail", case.interview.pk)]
    for name, pk in pages:
        if name in names:
            assert client.get(reverse(name, kwargs={"pk": pk})).status_code == 200, name


@pytest.mark.parametrize("persona", UNLINKED + LINKED)
def test_the_django_admin_is_closed_to_case_workers(world, persona):
    response = _client(getattr(world, persona)).get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
