"""Sign-in and sessions: Argon2id (AU8), throttling with a cool-off (AU4), sign-out ends the
server session (SE2), deactivation ends access at once (SE3), idle and absolute timeouts (SE4),
no caching of signed-in pages (DP6)."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from lantern.accounts.middleware import SESSION_STARTED_KEY
from lantern.audit.models import Action, AuditEvent
from lantern.common.middleware import client_ip

HOME = "/"
HERE, THERE = "203.0.113.10", "198.51.100.20"


def _sign_in(client: Client, username: str, password: str, ip: str = HERE, **extra):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        **extra,
    )


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _fail(client: Client, username: str, times: int, ip: str = HERE, **extra) -> None:
    for _ in range(times):
        response = _sign_in(client, username, "wrong password", ip, **extra)
        assert response.status_code in (200, 429)


# --- AU8: Argon2id ----------------------------------------------------------------------------


def test_argon2id_hashes_passwords_outside_the_test_settings():
    """Tests swap in a fast hasher; the real settings must not. Import them fresh, without
    LANTERN_TESTING, in a separate interpreter."""
    env = {k: v for k, v in os.environ.items() if k != "LANTERN_TESTING"}
    env["DJANGO_SETTINGS_MODULE"] = "lantern.settings"
    code = (
        "import django; django.setup();"
        "from django.conf import settings;"
        "from django.contrib.auth.hashers import make_password;"
        "print(settings.PASSWORD_HASHERS[0]);"
        "print(make_password('a long enough password 1').split('$')[1])"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    hasher, variant = result.stdout.split()
    assert hasher == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert variant == "argon2id"


def test_signing_in_works_and_is_audited(world):
    client = Client()
    response = _sign_in(client, "sam", PASSWORD)
    assert response.status_code == 302
    assert _signed_in(client)
    assert AuditEvent.objects.filter(action=Action.SIGN_IN, user_id=world.sam.pk).count() == 1


def test_signing_in_changes_the_session_key(world):
    """No session fixation: a key planted before sign-in is not the one used after."""
    client = Client()
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    _sign_in(client, "sam", PASSWORD)
    assert client.session.session_key != before


def test_sign_in_does_not_redirect_off_site(world):
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": "sam", "password": PASSWORD, "next": "https://attacker.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


# --- AU4: throttling ----------------------------------------------------------------------------


def test_five_wrong_passwords_pause_signing_in_for_that_username_from_that_address(world):
    client = Client()
    _fail(client, "sam", settings.AXES_FAILURE_LIMIT)
    response = _sign_in(client, "sam", PASSWORD)
    assert response.status_code == 429
    assert "Signing in is paused" in response.content.decode()
    assert not _signed_in(client)


def test_four_wrong_passwords_do_not(world):
    client = Client()
    _fail(client, "sam", settings.AXES_FAILURE_LIMIT - 1)
    assert _sign_in(client, "sam", PASSWORD).status_code == 302


def test_an_attacker_elsewhere_cannot_lock_the_real_user_out(world):
    _fail(Client(), "sam", settings.AXES_FAILURE_LIMIT + 2, ip=THERE)
    client = Client()
    assert _sign_in(client, "sam", PASSWORD, ip=HERE).status_code == 302
    assert _signed_in(client)


def test_other_users_at_the_same_address_are_not_locked_out(world):
    _fail(Client(), "sam", settings.AXES_FAILURE_LIMIT)
    client = Client()
    assert _sign_in(client, "maria", PASSWORD).status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_pause(world):
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "sam", "wrong password", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = _sign_in(client, "sam", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429


def test_the_pause_lifts_after_the_cool_off(world):
    client = Client()
    _fail(client, "sam", settings.AXES_FAILURE_LIMIT)
    assert _sign_in(client, "sam", PASSWORD).status_code == 429
    # Move the failures back past the cool-off rather than waiting for it.
    past = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    assert AccessAttempt.objects.filter(username="sam").update(attempt_time=past) == 1
    response = _sign_in(client, "sam", PASSWORD)
    assert response.status_code == 302
    assert _signed_in(client)


def test_a_successful_sign_in_resets_the_count(world):
    _fail(Client(), "sam", settings.AXES_FAILURE_LIMIT - 1)
    assert _sign_in(Client(), "sam", PASSWORD).status_code == 302
    _fail(Client(), "sam", settings.AXES_FAILURE_LIMIT - 1)
    assert _sign_in(Client(), "sam", PASSWORD).status_code == 302


# --- SE2, SE3: sign-out and deactivation -------------------------------------------------------


def test_signing_out_ends_the_server_session(world):
    client = Client()
    _sign_in(client, "sam", PASSWORD)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert AuditEvent.objects.filter(action=Action.SIGN_OUT, user_id=world.sam.pk).exists()
    # The old cookie opens nothing.
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = key
    assert stale.get(HOME).status_code == 302


def test_signing_out_by_get_is_refused(world):
    """A link or an image elsewhere must not sign people out (logout needs a POST and CSRF)."""
    client = Client()
    client.force_login(world.sam)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert _signed_in(client)


def test_deactivating_a_user_ends_their_access_at_once(world):
    client = Client()
    client.force_login(world.sam)
    assert client.get(HOME).status_code == 200
    world.sam.is_active = False
    world.sam.save(update_fields=["is_active"])
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_deactivated_user_cannot_sign_in(world):
    world.sam.is_active = False
    world.sam.save(update_fields=["is_active"])
    client = Client()
    _sign_in(client, "sam", PASSWORD)
    assert not _signed_in(client)


# --- SE4: idle and absolute timeouts --------------------------------------------------------


def test_sessions_expire_after_thirty_idle_minutes_and_each_request_renews_them():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_each_request_pushes_the_idle_deadline_back(world):
    client = Client()
    client.force_login(world.sam)
    key = client.session.session_key
    soon = timezone.now() + timedelta(minutes=1)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    assert client.get(HOME).status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed > timezone.now() + timedelta(minutes=29)


def test_an_idle_session_is_signed_out(world):
    client = Client()
    client.force_login(world.sam)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now())
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_session_ends_after_one_shift_however_active(world):
    client = Client()
    client.force_login(world.sam)
    assert client.get(HOME).status_code == 200
    key = client.session.session_key
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 5
    session.save()
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(HOME).status_code == 302


def test_activity_does_not_extend_the_absolute_lifetime(world):
    client = Client()
    client.force_login(world.sam)
    client.get(HOME)
    started = client.session[SESSION_STARTED_KEY]
    client.get(HOME)
    assert client.session[SESSION_STARTED_KEY] == started


def test_one_shift_is_twelve_hours_unless_configured():
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 3600


# --- DP6 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [HOME, "/children/search/", "/no-such-page/"])
def test_signed_in_pages_are_not_cached(world, path):
    client = Client()
    client.force_login(world.sam)
    response = client.get(path)
    assert "no-store" in response["Cache-Control"]


@override_settings(LANTERN_TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_address_the_proxy_saw_is_throttled(world):
    """Everyone arrives from the proxy: throttling must still be per real client, and the part
    of X-Forwarded-For the client wrote must not let an attacker pick a fresh address."""
    proxy = "10.0.0.1"
    attacker = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(
            attacker, "sam", "wrong password", proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {THERE}"
        )
    forged = _sign_in(attacker, "sam", PASSWORD, proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.99, {THERE}")
    assert forged.status_code == 429
    user = Client()
    response = _sign_in(user, "sam", PASSWORD, proxy, HTTP_X_FORWARDED_FOR=HERE)
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "10.0.0.1"),  # no proxy trusted: the header is the client's, ignored
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "192.0.2.66, 192.0.2.1", "192.0.2.1"),  # the left part was forged by the client
        (2, "192.0.2.66, 192.0.2.1, 10.0.0.7", "192.0.2.1"),
        (2, "192.0.2.1", "10.0.0.1"),  # fewer hops than proxies: not through them, use the socket
    ],
)
def test_client_ip_trusts_only_what_the_proxies_wrote(rf, proxies, forwarded, expected):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(LANTERN_TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request) == expected
