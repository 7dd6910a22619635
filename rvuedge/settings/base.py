"""Settings for every environment. What differs between machines comes from the environment.

Embedded default: with no DATABASE_URL the site runs on SQLite, and with no REDIS_URL the cache
is local memory and Celery tasks run in-process. Production sets DJANGO_DEBUG=false, which makes
DJANGO_SECRET_KEY and ALLOWED_HOSTS required and turns on HTTPS-only cookies and HSTS.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-never-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
else:
    try:
        SECRET_KEY = env("DJANGO_SECRET_KEY")
        ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(
            f"{exc}. Production (DJANGO_DEBUG=false) needs DJANGO_SECRET_KEY and ALLOWED_HOSTS; "
            "for a local trial set DJANGO_DEBUG=true or use `make run`."
        ) from None

SITE_URL = env("SITE_URL", default="http://localhost:8000")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "accounts.apps.StaffAdminConfig",  # the admin, entered through allauth's sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "accounts",
    "ncci",
    "codes",
    "benchmarks",
    "tracking",
    "contracts",
    "statements",
    "blog",
    "resources",
    "support",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Anonymous pages served from the edge cache before sessions, auth or the database; a stored
    # page keeps the headers the middleware below added.
    "rvuedge.edge_cache.EdgeCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "rvuedge.middleware.permissions_policy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rvuedge.middleware.RejectNulBytesMiddleware",
    "rvuedge.db_router.ReplicaPinMiddleware",  # before sessions: they read where the request does
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "rvuedge.middleware.RetryLostConnectionMiddleware",
]

ROOT_URLCONF = "rvuedge.urls"
WSGI_APPLICATION = "rvuedge.wsgi.application"
# Widgets render with the site's templates, so templates/django/forms/ may replace one of
# Django's (the select writes its options inline).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rvuedge.context_processors.site",
            ],
            # {% load form_fields %}: how every form field is rendered (includes/field.html).
            "libraries": {"form_fields": "rvuedge.form_fields"},
            # {% url %}, each reversal made once a process (rvuedge/url_tag.py).
            "builtins": ["rvuedge.url_tag"],
        },
    },
]

# Database: SQLite unless DATABASE_URL names another (postgres://user@host:5432/name); an empty
# DATABASE_URL counts as unset, as an empty REDIS_URL does.
DATABASES = {
    "default": env.db_url_config(
        env("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if USING_POSTGRES:
    # Django's backend, waiting up to CONNECT_RETRY_SECONDS for a restarting server instead of
    # failing the request (rvuedge/postgres/base.py).
    DATABASES["default"]["ENGINE"] = "rvuedge.postgres"
    DATABASES["default"]["CONNECT_RETRY_SECONDS"] = env.float(
        "DATABASE_CONNECT_RETRY_SECONDS", default=5.0
    )
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A read replica (streaming replication of default), empty for none: requests that only read send
# their queries to it, except for a signed-in user who wrote in the last REPLICA_PIN_SECONDS
# (read-your-writes; rvuedge.db_router). Tasks, commands and migrations use default only.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)
if DATABASE_REPLICA_URL:
    _replica = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"] = {
        **_replica,
        # The same connection options as default; the URL's own options (sslmode...) win.
        **{k: DATABASES["default"][k]
           for k in ("ENGINE", "CONNECT_RETRY_SECONDS", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS")
           if k in DATABASES["default"]},
        "OPTIONS": {**DATABASES["default"].get("OPTIONS", {}), **_replica.get("OPTIONS", {})},
        # Tests run against the test database itself: no replica database is created for them.
        "TEST": {"MIRROR": "default"},
    }  # fmt: skip
    del _replica
    DATABASE_ROUTERS = ["rvuedge.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and Celery: Redis when REDIS_URL is set; otherwise local memory and in-process tasks.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis, answering as a miss while Redis is unreachable (pages still render).
            "BACKEND": "rvuedge.cache_backend.ResilientRedisCache",
            # A separate Redis database keeps cache.clear() away from the Celery queues.
            "LOCATION": env("REDIS_CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="rvuedge"),
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 1.0,
                "serializer": "rvuedge.cache_backend.CompressingSerializer",
            },
        }
    }
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None

# The edge cache (rvuedge/edge_cache.py): how long nginx or a CDN keeps an anonymous page, nginx's
# proxy_cache_path to empty when content changes (empty: no nginx), the pages kept per process.
EDGE_CACHE_SECONDS = env.int("EDGE_CACHE_SECONDS", default=600)
EDGE_CACHE_DIR = env("EDGE_CACHE_DIR", default="")
# A file replaced whenever the content version changes, on a folder every web and worker process
# shares: a process reads the version from the cache again only when the file changed (empty:
# read it for every request that may be shared).
EDGE_VERSION_STAMP = env("EDGE_VERSION_STAMP", default="")
EDGE_CACHE_LOCAL_ENTRIES = env.int("EDGE_CACHE_LOCAL_ENTRIES", default=256)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {}  # each app adds its periodic tasks in its AppConfig.ready()
# Two queues: user work (imports, restores, statements, emails: someone waits on it) on the
# default queue, and the long scheduled or staff-started data loads on `refresh`, so a fee
# schedule import never keeps a user's job waiting. A worker started without -Q consumes both
# (the queues are listed here); production splits them (docker-compose: worker, worker-refresh).
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Each queue its own routing key: sharing the default one would copy every message into both.
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in ("celery", "refresh")]
CELERY_TASK_ROUTES = {
    "codes.tasks.refresh_fee_schedules": {"queue": "refresh"},
    "codes.tasks.import_release_task": {"queue": "refresh"},
    "codes.tasks.warm_code_pages": {"queue": "refresh"},
    "ncci.tasks.refresh_ncci_edits": {"queue": "refresh"},
    "ncci.tasks.import_edit_files": {"queue": "refresh"},
    "tracking.tasks.purge_submission_keys": {"queue": "refresh"},
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "home"
LOGIN_URL = "account_login"

# django-allauth: email is the login; verification is mandatory.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# The link confirms on its first click and signs in the browser that signed up (allauth does
# so only where the sign-up's session is, so a forwarded or scanned link signs no one in);
# the new account then lands on its stage's start (tracking.views.start).
ACCOUNT_CONFIRM_EMAIL_ON_GET = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SIGNUP_REDIRECT_URL = "tracking:start"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
# Sessions are read from the cache (written through to the database, read from it when the cache
# has lost them or is down): a signed-in request skips a query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[RVU Edge] "
ACCOUNT_FORMS = {
    "signup": "accounts.forms.SignupForm",
    # Both offer to revoke the user's API tokens with the new password.
    "change_password": "accounts.forms.ChangePasswordForm",
    "reset_password_from_key": "accounts.forms.ResetPasswordKeyForm",
}
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Failed sign-ins (accounts.adapter): a client the account has not signed in on counts per
# address (10 a minute) and per account and address (5 in 5 minutes), with a ceiling per
# account across all addresses; a browser that has signed in to the account before counts
# against itself only, so no one else's failures lock its owner out.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("LOGIN_FAILED_RATE_LIMIT", default="10/m/ip,5/5m/key"),
    "login_failed_account": env("LOGIN_FAILED_ACCOUNT_RATE_LIMIT", default="30/h/key"),
    "login_failed_known_device": env("LOGIN_FAILED_DEVICE_RATE_LIMIT", default="5/5m/key"),
}
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "RVU Edge"

# Email: console in development, SMTP when EMAIL_URL says so (smtp+tls://user:pass@host:587).
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="RVU Edge <no-reply@rvuedge.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SUPPORT_EMAIL = env("SUPPORT_EMAIL", default="support@rvuedge.local")
SUPPORT_CONTACT_LIMIT = env.int("SUPPORT_CONTACT_LIMIT", default=5)  # messages per window
SUPPORT_CONTACT_WINDOW = env.int("SUPPORT_CONTACT_WINDOW", default=3600)  # seconds
# How many proxies in front of the web processes set X-Forwarded-For: rate limits (sign-in,
# contact form) then key on the client's address, not the proxy's.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous caller gets 401 with WWW-Authenticate, not 403.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "rvuedge.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rvuedge.api_schema.StrictPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"anon": env("API_ANON_RATE", default="120/min"), "user": "1200/min"},
}
# API tokens for mobile clients: several per user, named, listed and revoked in settings.
KNOX_TOKEN_MODEL = "accounts.ApiToken"
# knox's own migrations create its default token table even when the model is swapped out.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {"TOKEN_TTL": None, "AUTO_REFRESH": False, "TOKEN_LIMIT_PER_USER": 20}

SPECTACULAR_SETTINGS = {
    "TITLE": "RVU Edge API",
    "DESCRIPTION": "CPT/HCPCS codes, Medicare payment and wRVU credit from CMS fee schedules.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "rvuedge.api_schema.document_errors",
    ],
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="America/New_York")
# One language: no translation machinery on every label and figure a page shows (a tenth of a
# long page's time). The formats are English's: grouped thousands for intcomma.
USE_I18N = False
NUMBER_GROUPING = 3
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "rvuedge.static_storage.StaticStorage"
        )
    },
}

# HTTPS behind a proxy that terminates TLS and sets X-Forwarded-Proto. SITE_HTTPS=false is for
# a production stack tried on one machine over plain http (`make prod`): cookies are then not
# marked Secure, and neither redirect nor HSTS is sent.
SITE_HTTPS = env.bool("SITE_HTTPS", default=not DEBUG)
if SITE_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # load balancers probe over plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy (django-csp): scripts, styles, fonts and requests only from this
# site, no inline script or event handler (page data goes in json_script / JSON-LD blocks,
# which are not run). Style attributes stay allowed (bars and progress widths are set in
# them); <style> elements do not. Images may come from https (images by URL in articles).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", "https:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features no page uses, turned off (rvuedge.middleware.permissions_policy). Passkeys
# (publickey-credentials-*) stay allowed, for allauth's WebAuthn should two-factor offer it.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "screen-wake-lock", "serial", "usb",
        "xr-spatial-tracking", "browsing-topics",
    )
)  # fmt: skip
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Product settings.
SHOW_AMA_DESCRIPTORS = env.bool("SHOW_AMA_DESCRIPTORS", default=True)
CMS_DATA_DIR = env.path("CMS_DATA_DIR", default=str(BASE_DIR / "data" / "cms"))
NCCI_DATA_DIR = env.path("NCCI_DATA_DIR", default=str(BASE_DIR / "data" / "ncci"))
# Where NCCI files uploaded in the admin wait for the worker (a folder both processes see).
NCCI_UPLOAD_DIR = env.path("NCCI_UPLOAD_DIR", default=str(Path(MEDIA_ROOT) / "ncci-uploads"))
# Where the daily refresh looks for each kind of NCCI edit file (CMS's download pages).
NCCI_PAGE_URLS = {
    "mue": env(
        "NCCI_MUE_PAGE_URL",
        default="https://www.cms.gov/medicare/coding-billing/national-correct-coding-initiative-ncci-edits/medicare-ncci-medically-unlikely-edits",
    ),
    "aoc": env(
        "NCCI_AOC_PAGE_URL",
        default="https://www.cms.gov/medicare/coding-billing/national-correct-coding-initiative-ncci-edits/medicare-ncci-add-code-edits",
    ),
    "ptp": env(
        "NCCI_PTP_PAGE_URL",
        default="https://www.cms.gov/medicare/coding-billing/national-correct-coding-initiative-ncci-edits/medicare-ncci-procedure-procedure-ptp-edits",
    ),
}

# Fee schedule refresh: where CMS lists the PFS relative value zips, and download limits.
CMS_PFS_PAGE_URL = env(
    "CMS_PFS_PAGE_URL",
    default="https://www.cms.gov/medicare/payment/fee-schedules/physician/pfs-relative-value-files",
)
CMS_DOWNLOAD_MAX_BYTES = env.int("CMS_DOWNLOAD_MAX_BYTES", default=100 * 1024 * 1024)
CMS_DOWNLOAD_TIMEOUT = env.float("CMS_DOWNLOAD_TIMEOUT", default=60.0)  # seconds per read
