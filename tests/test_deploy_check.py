"""CF1, CF5, CF6, SE9: production settings pass Django's deployment checks, set secure cookies
and headers, and take secrets only from the environment.

Each check runs in a fresh interpreter, because settings are read once at import.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "lantern.example.org"

# Ask for the page over plain HTTP and over HTTPS, and report what came back.
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client, override_settings
from django.test.utils import setup_test_environment
setup_test_environment()
# The manifest storage needs collectstatic; headers and cookies do not depend on it.
plain_storage = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_storage}).enable()
client = Client(HTTP_HOST=__HOST__)
plain = client.get("/account/sign-in/")
secure = client.get("/account/sign-in/", secure=True)
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "status": secure.status_code,
    "headers": dict(secure.headers),
    "cookies": {
        name: {flag: morsel[flag] for flag in ("secure", "httponly", "samesite")}
        for name, morsel in secure.cookies.items()
    },
}))
""".replace("__HOST__", repr(HOST))

SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in [
    "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_NAME", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_NAME", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT", "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "ALLOWED_HOSTS",
    "SESSION_COOKIE_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE",
]}))
"""


def _production_env(tmp_path, **overrides) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests in this worker; a production
        # process never has it (check --deploy warns about it).
        if not k.startswith("LANTERN_")
        and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="lantern.settings",
        LANTERN_PRODUCTION="1",
        LANTERN_SECRET_KEY=secrets.token_urlsafe(50),
        LANTERN_ALLOWED_HOSTS=HOST,
        # Never the developer's database: these checks need none, and must not touch one.
        LANTERN_SQLITE_PATH=str(tmp_path / "unused.sqlite3"),
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _json(code: str, env: dict[str, str]) -> dict:
    result = _run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_with_production_environment(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_complains_without_production_settings(tmp_path):
    """The check is not vacuous: development settings fail it."""
    env = _production_env(tmp_path, LANTERN_PRODUCTION=None)
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "security.W" in result.stdout + result.stderr


def test_production_settings_make_cookies_secure_httponly_and_samesite(tmp_path):
    got = _json(SETTINGS, _production_env(tmp_path))
    assert got["DEBUG"] is False
    assert got["SESSION_COOKIE_SECURE"] is True and got["CSRF_COOKIE_SECURE"] is True
    assert got["SESSION_COOKIE_HTTPONLY"] is True and got["CSRF_COOKIE_HTTPONLY"] is True
    assert got["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert got["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")
    # __Host- cookies are only accepted over HTTPS, for this host, with no Domain attribute.
    assert got["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert got["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert got["SECURE_HSTS_SECONDS"] >= 31536000 and got["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert got["SECURE_SSL_REDIRECT"] is True
    assert got["ALLOWED_HOSTS"] == [HOST]
    assert got["SESSION_COOKIE_AGE"] == 30 * 60


def test_production_ignores_a_request_for_debug(tmp_path):
    got = _json(SETTINGS, _production_env(tmp_path, LANTERN_DEBUG="1"))
    assert got["DEBUG"] is False


def test_production_responses_carry_security_headers_and_secure_cookies(tmp_path):
    got = _json(PROBE, _production_env(tmp_path))
    assert got["plain"] == [301, f"https://{HOST}/account/sign-in/"]
    assert got["status"] == 200
    headers = got["headers"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    csrf = got["cookies"]["__Host-csrftoken"]
    assert csrf == {"secure": True, "httponly": True, "samesite": "Lax"}


def test_production_refuses_to_start_without_a_secret_key_from_the_environment(tmp_path):
    result = _run(["-c", SETTINGS], _production_env(tmp_path, LANTERN_SECRET_KEY=None))
    assert result.returncode != 0
    assert "LANTERN_SECRET_KEY" in result.stderr
