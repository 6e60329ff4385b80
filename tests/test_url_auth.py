"""AC4: every URL needs sign-in, except an explicit allowlist.

The test walks the whole URLconf (including URLs added after it was written), requests each URL
signed out with GET and POST, and expects a redirect to the sign-in page, or a refusal.
"""

from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import reverse

from tests.urlwalk import Route, routes

# The only pages anyone may open without signing in.
ALLOWLIST = {
    "accounts:login",  # the sign-in page itself
    "home:about",  # About: what Lantern is, data attribution; no case data
    "admin:login",  # Django admin's own sign-in form (throttled by axes like ours)
}
# Answers that mean "not for you" without serving anything.
REFUSED = {401, 403, 404, 405}
# Enough that a walk that silently found nothing (or only the admin) fails.
MIN_LANTERN_ROUTES = 15


def _is_sign_in_redirect(response, sign_in_pages=("accounts:login", "admin:login")) -> bool:
    """A redirect to a sign-in page (the Django admin sends people to its own)."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    return urlparse(response["Location"]).path in {reverse(name) for name in sign_in_pages}


def _lantern_routes() -> list[Route]:
    return [r for r in routes() if not r.name.startswith("admin:") and r.namespace != "admin"]


def test_the_walk_finds_the_project_urls():
    names = {r.name for r in routes()}
    assert {"accounts:login", "accounts:logout", "home:worklist", "people:search"} <= names
    assert len(_lantern_routes()) >= MIN_LANTERN_ROUTES


def test_every_allowlisted_url_exists():
    names = {r.name for r in routes()}
    assert names >= ALLOWLIST


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_no_url_is_reachable_signed_out_outside_the_allowlist(method, world, child):
    client = Client()
    reachable = []
    checked = 0
    for route in routes():
        if route.name in ALLOWLIST:
            continue
        path = route.path()
        response = getattr(client, method)(path)
        checked += 1
        if not (_is_sign_in_redirect(response) or response.status_code in REFUSED):
            reachable.append((route.description, path, response.status_code))
    assert checked >= MIN_LANTERN_ROUTES
    assert reachable == []


@pytest.mark.django_db
def test_pages_redirect_signed_out_users_to_sign_in_with_next():
    response = Client().get(reverse("home:worklist"))
    assert _is_sign_in_redirect(response, sign_in_pages=("accounts:login",))
    assert "next=/" in response["Location"]


def test_views_outside_the_allowlist_are_not_marked_login_not_required():
    """A second, static check: no view opts out of LoginRequiredMiddleware unnoticed."""
    opted_out = {
        r.description
        for r in routes()
        if getattr(r.callback, "login_required", True) is False and r.name not in ALLOWLIST
    }
    # DRF's API views authenticate per request (token or session) and answer 401/403 instead.
    opted_out = {name for name in opted_out if not name.startswith("api:")}
    assert opted_out == set()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ALLOWLIST))
def test_allowlisted_pages_open_signed_out(name):
    assert Client().get(reverse(name)).status_code == 200


@pytest.mark.django_db
def test_static_files_are_served_signed_out():
    response = Client().get("/static/css/lantern.css")
    assert response.status_code == 200
