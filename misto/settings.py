"""Misto settings, read from the environment (12-factor).

Every variable is listed in docs/configuration.md. Nothing here needs editing to deploy:
set the environment instead. Outside production a missing SECRET_KEY is generated once
into ``var/`` so that a fresh checkout runs with zero configuration.
"""

from __future__ import annotations

import base64
import os
import secrets
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from misto.core.config import env_bool, env_float, env_int, env_list, env_str
from misto.core.modules import ALWAYS_ON, installed_module_apps

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MISTO_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


PRODUCTION = env_bool("MISTO_PRODUCTION")
DEBUG = env_bool("DEBUG", default=False)


def _generated_key(env: str, file_name: str, make: Callable[[], str]) -> str:
    """A key from the environment; outside production generated once into ``var/``."""
    value = env_str(env)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{env} must be set when MISTO_PRODUCTION is on.")
    key_file = VAR_DIR / file_name
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _attempt in range(100):  # another process may be writing it right now
            if value := key_file.read_text().strip():
                return value
            time.sleep(0.02)
        raise ImproperlyConfigured(f"{key_file} is empty") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(make())
    return key_file.read_text().strip()


SECRET_KEY = _generated_key("SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(50))
# The ledger's Ed25519 signing key: base64 of the raw 32 bytes, or a path to a key file.
MISTO_LEDGER_KEY = _generated_key(
    "MISTO_LEDGER_KEY", "ledger_key", lambda: base64.b64encode(secrets.token_bytes(32)).decode()
)


# Personal fields of the residents' register: Fernet keys (first encrypts, all decrypt) and
# the HMAC key of the blind index used to look people up by RNOKPP (docs/residents.md).
MISTO_FIELD_KEYS = [key.strip() for key in _generated_key(
    "MISTO_FIELD_KEYS", "field_keys",
    lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
).split(",") if key.strip()]
MISTO_BLIND_INDEX_KEY = _generated_key(
    "MISTO_BLIND_INDEX_KEY", "blind_index_key", lambda: secrets.token_urlsafe(32))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Modules -------------------------------------------------------------------------
# The core, residents, twin and ledger are always on; MISTO_MODULES switches on the rest.
MISTO_MODULES = env_list("MISTO_MODULES", "all")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    *ALWAYS_ON,
    *installed_module_apps(MISTO_MODULES),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "misto.core.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "misto.core.metrics.RequestMetricsMiddleware",
]

ROOT_URLCONF = "misto.urls"
ASGI_APPLICATION = "misto.asgi.application"
WSGI_APPLICATION = "misto.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "misto.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------
DEFAULT_DATABASE_URL = f"spatialite:///{VAR_DIR / 'misto.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", DEFAULT_DATABASE_URL)


def _database(url: str) -> dict[str, Any]:
    if not url.startswith(("spatialite://", "postgis://")):
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with spatialite:// or postgis://, got {url!r}"
        )
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    if url.startswith("spatialite://"):
        path = Path(config["NAME"])
        if not path.is_absolute():
            path = BASE_DIR / path
        path.parent.mkdir(parents=True, exist_ok=True)
        config["NAME"] = str(path)
        config["CONN_MAX_AGE"] = 0
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
        # BEGIN so that two writers queue instead of failing with "database is locked".
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
        # Tests run in a file, not in memory, so that real worker processes share it.
        config["TEST"] = {"NAME": str(path.with_name(f"test_{path.name}"))}
    else:
        config.setdefault("TEST", {})
    return config


DATABASES = {"default": _database(DATABASE_URL)}
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgis")
SPATIALITE_LIBRARY_PATH = env_str("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Brokers and caches --------------------------------------------------------------
MQTT_URL = env_str("MQTT_URL", "")
REDIS_URL = env_str("REDIS_URL", "")
# Where domain events travel between processes: "database" (the outbox table, embedded
# default) or a NATS URL (JetStream) when a city scales out.
EVENTS_TRANSPORT = env_str("MISTO_EVENTS_TRANSPORT", "database")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# --- Auth ----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password plus TOTP for staff; residents by a code (e-mail, SMS), OpenID Connect or a passkey
# (misto.residents.auth, docs/residents.md). The backend throttles every password sign-in.
AUTHENTICATION_BACKENDS = ["misto.residents.auth.PasswordTotpBackend"]
LOGIN_URL = "residents:signin"
# Passkeys (WebAuthn): the relying party id (the site's domain) and the origins an assertion
# may come from; anything else is refused (docs/residents.md).
MISTO_WEBAUTHN_RP_ID = env_str("MISTO_WEBAUTHN_RP_ID", "localhost")
MISTO_WEBAUTHN_ORIGINS = env_list("MISTO_WEBAUTHN_ORIGINS", "http://localhost:8000")
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# --- Language ------------------------------------------------------------------------
LANGUAGE_CODE = "uk"
LANGUAGES = [("uk", _("Ukrainian")), ("en", _("English"))]
# Project-level strings (settings.py); every module keeps its own catalogue in <app>/locale.
LOCALE_PATHS = [BASE_DIR / "misto" / "locale"]
# Day-first English dates (misto/formats/en/formats.py); Ukrainian keeps Django's own.
FORMAT_MODULE_PATH = ["misto.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Kyiv")
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# --- E-mail --------------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_URL", "")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "misto@localhost")
if EMAIL_URL.startswith("smtp://"):
    from urllib.parse import urlparse

    _email = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = _email.username or ""
    EMAIL_HOST_PASSWORD = _email.password or ""
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
elif PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    # Kept for the local outbox page (/cabinet/dev-outbox/), so sign-in codes work on a
    # fresh checkout without a mail server (misto/residents/outbox.py).
    EMAIL_BACKEND = "misto.residents.outbox.LocalOutboxEmailBackend"

# --- Security (production) -----------------------------------------------------------
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Misto's own knobs (docs/configuration.md).
MISTO_CITY_NAME = env_str("MISTO_CITY_NAME", "")
# The demo OpenID provider (misto/residents/demo_idp.py), on by default outside production;
# `misto check --deploy` fails when production names one.
MISTO_DEMO_IDP_URL = env_str("MISTO_DEMO_IDP_URL",
                             "" if PRODUCTION else "http://127.0.0.1:8001")
MISTO_OUTBOX_MAX_ATTEMPTS = env_int("MISTO_OUTBOX_MAX_ATTEMPTS", 8)
MISTO_OUTBOX_POLL_SECONDS = env_float("MISTO_OUTBOX_POLL_SECONDS", 1.0)
MISTO_OUTBOX_BATCH = env_int("MISTO_OUTBOX_BATCH", 50)
MISTO_NATS_ACK_WAIT = env_float("MISTO_NATS_ACK_WAIT", 30)
MISTO_NATS_STREAM = env_str("MISTO_NATS_STREAM", "MISTO_EVENTS")
# Prometheus scrapes /metrics with "Authorization: Bearer <token>"; empty: staff only.
MISTO_METRICS_TOKEN = env_str("MISTO_METRICS_TOKEN", "")


def rate_limits(defaults: dict[str, str]) -> dict[str, str]:
    """The rate of each limited scope (misto.core.ratelimit): the defaults below, with any
    overridden by ``MISTO_RATE_LIMITS="reports.submit=30/10m,open311.key=off"``."""
    rates = dict(defaults)
    for item in env_list("MISTO_RATE_LIMITS"):
        scope, _sep, rate = item.partition("=")
        if not _sep:
            raise ImproperlyConfigured(
                f"MISTO_RATE_LIMITS: {item!r} must be scope=rate, e.g. reports.submit=20/10m")
        rates[scope.strip()] = rate.strip()
    return rates


# Rates per client address (".client") or per API key (".key"); see docs/configuration.md.
MISTO_RATE_LIMITS = rate_limits({
    "reports.submit": "20/10m",
    "reports.follow": "30/10m",
    "open311.client": "60/10m",
    "open311.key": "600/h",
    "directory.correction": "10/10m",
})
# How many reverse proxies of ours stand in front (their X-Forwarded-For hops are trusted).
MISTO_PROXY_COUNT = env_int("MISTO_PROXY_COUNT", 0)
# Photo decoding: at most this many images are decoded at once per process (each may take
# width x height x 4 bytes while it is), and no photo may have more pixels than this.
MISTO_PHOTO_DECODERS = env_int("MISTO_PHOTO_DECODERS", 2)
MISTO_PHOTO_MAX_PIXELS = env_int("MISTO_PHOTO_MAX_PIXELS", 24000000)
# Serve static files from the apps' folders outside production, so that no collectstatic
# step stands between a fresh checkout and a working page.
WHITENOISE_USE_FINDERS = not PRODUCTION

# Debian 12 ships GDAL 3.6, which cannot block file/network access inside spatial reference
# definitions. Misto only parses spatial references from files that staff import, never
# from anonymous requests (docs/operations.md), so the warning is acknowledged here.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# WhiteNoise hands Django a synchronous file iterator; under ASGI Django warns on every
# static file. The files are small and served once per client, so the warning is noise.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous")
