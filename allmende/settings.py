"""allmende settings: one module, every deployment knob read from an environment variable.

Development defaults are safe to run on a laptop (SQLite under var/, mails as files under var/mail/).
With DEBUG off the settings refuse to start without SECRET_KEY. See docs/configuration.md.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ALLMENDE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (SECRET_KEY muss gesetzt sein, wenn DEBUG aus ist)."
        )
    SECRET_KEY = "development-only-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "allmende.accounts",
    "allmende.pages",
    "allmende.rounds",
    "allmende.proposals",
    "allmende.notifications",
    "allmende.comments",
    "allmende.moderation",
    "allmende.accountability",
    "allmende.ops",  # no models: keep it off the end (accounts.roles syncs on the last app's post_migrate)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.forms",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "django_htmx",
    "django_tasks_db",
]

MIDDLEWARE = [
    "allmende.ops.middleware.RequestLogMiddleware",  # outermost: request id, one log line per request
    "allmende.ops.middleware.DatabaseUnavailableMiddleware",  # 503 + Retry-After while the DB restarts
    "allmende.ops.pagecache.RequestVersions",  # content versions read once per request
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "allmende.ops.middleware.LocaleMiddleware",  # Django's, without a language prefix in the paths
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "allmende.accounts.middleware.AuthenticationMiddleware",  # request.user: the person, once read
    "allmende.ops.middleware.MessageMiddleware",  # Django's, the storage made at its first use
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allmende.ops.middleware.ContentSecurityPolicyMiddleware",  # Django's, each policy written once
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "allmende.urls"
WSGI_APPLICATION = "allmende.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "allmende" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "allmende.pages.context_processors.site",
            ],
            "builtins": ["allmende.pages.templatetags.markup"],
        },
    },
]
# Every form renders through one accessible template (labels, hints and errors tied to the field).
FORM_RENDERER = "allmende.forms.AccessibleFormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file, not shared-cache memory, so that parallel requests wait for each other's
    # transactions (busy timeout) as they do on a real server instead of failing with "table is locked".
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"allmende-test-{os.getpid()}.sqlite3")
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that polls the socket instead of sending `SELECT 1`.
    DATABASES["default"]["ENGINE"] = "allmende.ops.postgresql"
if DATABASES["default"]["ENGINE"] == "allmende.ops.postgresql" and env_bool("DB_PREPARED_STATEMENTS", True):
    # Parameters bound on the server, and a statement run five times on a connection is prepared there:
    # PostgreSQL then parses and plans each hot query once per connection instead of every time (the
    # proposal page's queries cost it half the CPU). Off for a pooler that cannot keep prepared
    # statements (PgBouncer in transaction mode before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "allmende.ops.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Several sites (a city's staging and production) may share one Redis database this way.
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", ""),
        }
    }
    # Sessions are read from Redis and written through to the database: a signed-in request saves the
    # session query, and a Redis restart loses no one's login.
    SESSION_ENGINE = "allmende.accounts.sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The parts of every page's layout that are the same for every reader of a language and kind (header,
# menu, footer: base.html's `{% cache ... using="layout" %}`), kept in each process: they depend on the
# translations, the settings and the static files only, which change with a restart.
CACHES["layout"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "layout",
    "OPTIONS": {"MAX_ENTRIES": 1000},
}

# Public pages for anonymous readers are kept this many seconds in the cache (allmende/ops/microcache.py).
MICROCACHE_SECONDS = int(os.environ.get("MICROCACHE_SECONDS", "10"))
# A proposal's page for anonymous readers is kept until what it shows changes, at most this many seconds
# (allmende/ops/pagecache.py). Needs a cache every process shares, so it is on by default with Redis only.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "86400" if REDIS_URL else "0"))
# Every process that writes renews the versions those pages depend on, whether or not it serves pages.
PAGE_CACHE_TRACK_WRITES = bool(REDIS_URL) or PAGE_CACHE_SECONDS > 0

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [  # Django's and allauth's, with a person lookup compiled once per process
    "allmende.accounts.backends.ModelBackend",
    "allmende.accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"

# django-allauth: e-mail, public username and password; double opt-in; login by e-mail or username.
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
# Registration names a taken e-mail address in a clear field error. A city that would rather not reveal
# whether an address has an account sets PREVENT_ACCOUNT_ENUMERATION=true: the form then always looks
# successful and the owner of the address gets a mail instead.
ACCOUNT_PREVENT_ENUMERATION = env_bool("PREVENT_ACCOUNT_ENUMERATION", False)
ACCOUNT_PRESERVE_USERNAME_CASING = True
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_SIGNUP_FORM_CLASS = "allmende.accounts.signup.SignupExtraForm"
ACCOUNT_ADAPTER = "allmende.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "allmende.accounts.forms.SignupForm", "login": "allmende.accounts.forms.LoginForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Throttling lives in the cache, so with REDIS_URL it holds across all app servers.
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key"),
    "signup": os.environ.get("RATE_LIMIT_SIGNUP", "20/m/ip"),
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
}

# Rate limits per person ("count/seconds"), counted in the cache (shared across servers with REDIS_URL).
RATE_LIMITS = {
    "propose": os.environ.get("RATE_LIMIT_PROPOSE", "5/3600"),
    "rate": os.environ.get("RATE_LIMIT_RATE", "120/60"),
    "comment": os.environ.get("RATE_LIMIT_COMMENT", "10/60"),
    "report": os.environ.get("RATE_LIMIT_REPORT", "20/3600"),
}

SITE_ID = 1
CITY_NAME = os.environ.get("CITY_NAME", "Musterstadt")

LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
# Our catalogue first; then formal-address ("Sie") overrides of django-allauth's German texts.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "allmende" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail: SMTP where EMAIL_HOST is set; otherwise one file per message under var/mail/.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "beteiligung@example.org")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(Path(os.environ.get("EMAIL_FILE_PATH", VAR_DIR / "mail")))},
        }
    }
ACCESSIBILITY_FEEDBACK_EMAIL = os.environ.get("ACCESSIBILITY_FEEDBACK_EMAIL", DEFAULT_FROM_EMAIL)

# Content Security Policy: our own origin only, no inline scripts or styles, no third-party requests.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    # The browser preload list is hard to leave and binds the whole registrable domain: the city's
    # decision, not ours. Off by default, so Django's reminder to consider it (security.W021) is silenced.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Load balancers and monitoring may ask /healthz over plain HTTP on the internal network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Logs go to stdout (systemd's journal in production): one JSON object per line with DEBUG off,
# readable lines in development; LOG_FORMAT=json or text overrides. One line per request comes from
# allmende.ops.middleware; see docs/deployment.md for the fields.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "allmende.ops.logformat.JsonFormatter"},
        "text": {"()": "allmende.ops.logformat.TextFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # The request line above replaces the development server's own access line.
        "django.server": {"level": "WARNING"},
    },
}
