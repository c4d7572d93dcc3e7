"""Django settings, read only from the environment (documented in README)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from supportdesk.environment import (
    email_settings,
    env_bool,
    env_int,
    env_list,
    env_str,
    proxy_ssl_header,
)

# Lets admin.ModelAdmin[Model] and friends be subscripted at run time, as the stubs type them.
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent
#: Where the embedded database, uploads and generated secrets live.
DATA_DIR = Path(env_str("SUPPORTDESK_DATA_DIR", str(Path.cwd() / "var")))

DEFAULT_SECRET_KEY = "insecure-default-key-for-development-only"
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", DEFAULT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the built-in default, which is public; with DEBUG off supportdesk "
        "refuses to start on it. Set SECRET_KEY to a long random value (./run serve "
        "generates one in var/secret_key), or set DEBUG=1 for local development."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from local static files, not a CDN
    "supportdesk.accounts",
    "supportdesk.policies",
    "supportdesk.cases",
    "supportdesk.escalations",
    "supportdesk.notifications",
    "supportdesk.oncall",
    "supportdesk.intake",
    "supportdesk.knowledge",
    "supportdesk.answers",
    "supportdesk.satisfaction",
    "supportdesk.console",
    "supportdesk.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "supportdesk.body_limit.BodyLimitMiddleware",
    "supportdesk.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the browser's (Accept-Language) or the switcher's cookie, then
    # (below, once the person is known) their profile's choice (docs/translations.md).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "supportdesk.web.language.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "supportdesk.urls"
WSGI_APPLICATION = "supportdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "supportdesk.web.notices.unread_notices",
            ]
        },
    }
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'supportdesk.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the in-process worker writes; IMMEDIATE
    # transactions take the write lock up front instead of failing on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend subclassed (supportdesk/backends/postgresql says why).
        DATABASES["default"]["ENGINE"] = "supportdesk.backends.postgresql"
    if env_bool("DATABASE_PREPARED_STATEMENTS", True):
        # Parameters bound on the server and statements run twice on a connection
        # prepared, so PostgreSQL parses and plans each of them once per connection
        # instead of on every run (half its CPU per new case). Turn off behind a pooler
        # that shares server connections between transactions (PgBouncer in
        # transaction mode before 1.21).
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 2}
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Hashes stored before Argon2 still verify, and are rehashed at the next sign-in.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
#: How long a password-reset or first-sign-in link stays valid (it also ends once used).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)

REDIS_URL = env_str("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CACHES = (
    {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    if REDIS_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)

globals().update(email_settings(env_str("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "supportdesk@localhost")

#: The site's language when neither the person nor the browser names a shipped one.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
#: The shipped translations (docs/translations.md: adding one is a catalogue and a line here).
LANGUAGES = [("en", "English"), ("sv", "Svenska")]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}")
#: The compiled catalogues are committed: serving needs no gettext.
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
#: Dates and numbers in each language's own formats (Django's locale formats: 5,5 and
#: 5 december 2026 in Swedish), with no thousands separator in ids and URLs.
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]  # the site's own CSS and JS (no CDN)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = True
#: Case attachments: the largest upload in bytes, and the accepted content types.
CASE_ATTACHMENT_MAX_BYTES = int(env_str("CASE_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
CASE_ATTACHMENT_TYPES = env_list(
    "CASE_ATTACHMENT_TYPES",
    # The most common first: the portal lists them in this order ("PDF, PNG, JPEG, ...").
    "application/pdf,image/png,image/jpeg,application/zip,message/rfc822,"
    "image/gif,image/webp,text/plain,text/csv,application/json,"
    # The Office documents and screen recordings customers attach (docs/email.md).
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
    "application/vnd.openxmlformats-officedocument.presentationml.presentation,"
    "video/mp4,video/quicktime",
)

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True

# Failed sign-ins (web login and admin), counted per account and address: after
# LOGIN_FREE_FAILURES, each further failure doubles the wait before the next try, from
# LOGIN_DELAY_SECONDS up to LOGIN_MAX_DELAY_SECONDS. One address may fail at most
# LOGIN_ADDRESS_MAX_FAILURES times across all accounts. Failures older than
# LOGIN_FAILURE_WINDOW_SECONDS are forgotten. A stranger elsewhere never delays the owner.
LOGIN_FREE_FAILURES = env_int("LOGIN_FREE_FAILURES", 3)
LOGIN_DELAY_SECONDS = env_int("LOGIN_DELAY_SECONDS", 5)
LOGIN_MAX_DELAY_SECONDS = env_int("LOGIN_MAX_DELAY_SECONDS", 15 * 60)
LOGIN_ADDRESS_MAX_FAILURES = env_int("LOGIN_ADDRESS_MAX_FAILURES", 100)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 3600)
#: The request header a trusted reverse proxy puts the client's address in (its last
#: entry is the one the proxy saw); empty means the connection's own address.
CLIENT_ADDRESS_HEADER = env_str("CLIENT_ADDRESS_HEADER", "")

#: API requests per token per window (429 with Retry-After beyond); 0 turns it off.
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 1200)
API_RATE_WINDOW_SECONDS = env_int("API_RATE_WINDOW_SECONDS", 60)

# Behind TLS (README, "Deployment"): HTTPS=1 turns on secure cookies, the redirect to
# https and a year of HSTS; each can still be set on its own. Off for the quick start
# on http://127.0.0.1.
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes on the plain port
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
#: ``HTTP_X_FORWARDED_PROTO,https``: the header and value by which the TLS-terminating
#: proxy says the request came over https. Only behind a proxy that always sets it.
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(env_str("SECURE_PROXY_SSL_HEADER", ""))
#: Sent on every response (supportdesk.security): scripts, styles and everything else from
#: this site only; ``data:`` images for the blank favicon and the API docs' icons.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

#: The public base URL, for links in mail and pages (acknowledge a page, open a case).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

#: The policy assigned to organisations without a support contract of their own.
DEFAULT_POLICY = env_str("DEFAULT_POLICY", "partner-services")

#: Full-text search stemming: ``english`` (words match their inflections: "crashes"
#: finds "crashed") or ``simple`` (exact words; for tenants writing in several
#: languages). Changing it needs ``supportdesk search reindex``.
SEARCH_LANGUAGE = env_str("SEARCH_LANGUAGE", "english")
if SEARCH_LANGUAGE not in ("english", "simple"):
    raise ImproperlyConfigured("SEARCH_LANGUAGE must be english or simple")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

#: The language switcher's cookie (for people not signed in; a signed-in person's
#: choice is on their profile): a year, sent like the session cookie (SameSite=Lax).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
