"""Tongzhou settings, read from the environment.

Embedded default (nothing set): DEBUG on, SQLite file in the project folder, Celery eager,
email to the console. Real mode: DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS ... (see
README "Production settings"). A bad value fails loudly at start-up (ImproperlyConfigured).
"""

from decimal import Decimal, InvalidOperation
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)
TESTING = env.bool("TONGZHOU_TESTING", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-tongzhou-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Order matters: it is the one-way dependency order (ARCHITECTURE.md), and seed_demo runs
    # each app's demo data in this order.
    "core",
    "registry",
    "alerts",
    "coordination",
    "preparedness",
    "procurement",
    "donations",
    "volunteers",
    "liaison",
    "community",
    "compensation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "core.middleware.RejectNullBytesMiddleware",
    # Anonymous public reads from the cache by data version (core.public_cache): before the
    # session, locale and CSRF middleware, so that a hit costs no SQL at all.
    "core.public_cache.PublicCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LocaleMiddleware",
    "core.middleware.QueryStringLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

if not DEBUG:
    # Static files from STATIC_ROOT, served by the app itself (gunicorn has no /static/); with
    # DEBUG on, runserver serves them from the apps' folders and STATIC_ROOT may not exist.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'tongzhou.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("TEST", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent readers/writers (dev server + eager tasks) need a little patience on SQLite.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's default random_page_cost (4.0) models spinning disks: with the platform's
    # data in RAM or on SSD it made the planner hash-join every lot (a sequential scan that
    # grows with the ledger) to attach 50 entries' sources, on every ledger page read
    # (docs/public-reads.md, "Planner costs"). Set per connection; empty leaves the server's.
    _page_cost = env.str("TONGZHOU_PG_RANDOM_PAGE_COST", default="1.1")
    if _page_cost:
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options["options"] = (
            f"{_options.get('options', '')} -c random_page_cost={float(_page_cost)}".strip()
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Every login (page, admin, API token) is limited inside authenticate(): core.auth, core.ratelimit.
AUTHENTICATION_BACKENDS = ["core.auth.RateLimitedModelBackend"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:dashboard"

# --- Language and time -------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# DEBUG off (production, docker compose): WhiteNoise serves what `collectstatic` gathered (the
# Dockerfile runs it), names hashed and gzip/brotli-compressed, cached for a year. DEBUG on (the
# embedded mode and the tests): plain storage, files found in place by the staticfiles finders.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploads (certificates, evidence photos) are private: stored outside the static root and
# served only through views that check permission. Nothing under MEDIA_ROOT is public.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "private_media"))
# Never routed: uploads are served only by permission-checking views. (Django's test live
# server insists on a non-empty prefix.)
MEDIA_URL = "/_private_media_is_not_served/"
FILE_UPLOAD_MAX_BYTES = env.int("FILE_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# The files of one sealed bid's proposal (procurement.services.bids): each at most this many
# bytes, at most this many files a bid.
PROCUREMENT_BID_FILE_MAX_BYTES = env.int("PROCUREMENT_BID_FILE_MAX_BYTES", default=20 * 1024 * 1024)
PROCUREMENT_BID_FILES_MAX = env.int("PROCUREMENT_BID_FILES_MAX", default=10)

# --- Email ------------------------------------------------------------------------------------
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Tongzhou <noreply@tongzhou.local>")

# --- Celery -----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing from a request must not hang on a dead broker: connect within 2 s, do not retry
# (the alerts outbox keeps the rows pending and the beat sweep publishes them later).
CELERY_BROKER_CONNECTION_TIMEOUT = 2.0
CELERY_TASK_PUBLISH_RETRY = False
# Each app adds its periodic jobs in its section below.
CELERY_BEAT_SCHEDULE: dict = {}

# --- Cache ------------------------------------------------------------------------------------
# Redis is a cache, not the system of record: while it is unreachable the cache falls back to
# local memory and logs the degradation (core.cache). Short socket timeouts keep a dead Redis
# from holding requests.
TONGZHOU_REDIS_SOCKET_TIMEOUT = env.float("TONGZHOU_REDIS_SOCKET_TIMEOUT", default=1.0)
TONGZHOU_CACHE_RETRY_SECONDS = env.float("TONGZHOU_CACHE_RETRY_SECONDS", default=5.0)
TONGZHOU_CACHE_LOG_INTERVAL = env.float("TONGZHOU_CACHE_LOG_INTERVAL", default=60.0)
# The warm path (core.public_cache, docs/public-reads.md): anonymous GET/HEAD of the public
# routes the apps declare are served from the cache, keyed by data versions (core.versions).
# The TTL only bounds memory: versions make entries unreachable at the next committed write.
TONGZHOU_PUBLIC_CACHE = env.bool("TONGZHOU_PUBLIC_CACHE", default=True)
TONGZHOU_PUBLIC_CACHE_TTL = env.int("TONGZHOU_PUBLIC_CACHE_TTL", default=300)
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "core.api.PageNumberPagination",
    # core.parsers.JSONParser: a JSON body is an object, at most 64 levels deep, valid Unicode.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["core.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Rate limits of the public API (hardening); per IP for the public, per user when logged in.
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.AnonRateThrottle",
        "core.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("TONGZHOU_THROTTLE_ANON", default="600/min"),
        "user": env.str("TONGZHOU_THROTTLE_USER", default="2000/min"),
        "register": env.str("TONGZHOU_THROTTLE_REGISTER", default="20/hour"),
        # Questions on ledger entries: anyone may ask, no CAPTCHA; per client IP.
        "questions": env.str("TONGZHOU_THROTTLE_QUESTIONS", default="10/hour"),
        # Volunteers' SMS codes asked for and tried on a call's page, per client IP.
        "volunteer_codes": env.str("TONGZHOU_THROTTLE_VOLUNTEER_CODES", default="20/hour"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Tongzhou (同舟) API",
    "DESCRIPTION": "Emergency bureaus and social organizations working a disaster together.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # OpenAPI links (create -> detail and actions, page -> detail): core.schema.add_links.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.add_links",
    ],
    # One name per choice set shared across apps (fields called "kind"/"category" collide).
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "registry.choices.OrganizationKind",
        "IncidentKindEnum": "coordination.models.IncidentKind",
        "NeedCategoryEnum": "coordination.models.NeedCategory",
        "ProcurementCategoryEnum": "procurement.models.Category",
        "CriterionKindEnum": "procurement.models.CriterionKind",
        "LedgerEntryKindEnum": "donations.models.LedgerEntry.Kind",
        "AlertLevelEnum": "alerts.models.Level",
        "RegionLevelEnum": "core.models.Region.Level",
        "RoleEnum": "core.roles.Role",
        "DeliveryStatusEnum": "alerts.models.Delivery.Status",
    },
}

# --- Security (production) --------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# img-src blob: lets static/js/photo-input.js preview the photos a person picked
# (URL.createObjectURL, local to the page) before they are uploaded.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Tongzhou: core ---------------------------------------------------------------------------
# Failed logins (every login form, the admin's and the token endpoint): core.ratelimit. Growing
# delays per (username, IP) after the free failures, a budget per IP; never an account lock.
TONGZHOU_LOGIN_FREE_FAILURES = env.int("TONGZHOU_LOGIN_FREE_FAILURES", default=5)
TONGZHOU_LOGIN_MAX_DELAY_SECONDS = env.int("TONGZHOU_LOGIN_MAX_DELAY_SECONDS", default=15 * 60)
TONGZHOU_LOGIN_MAX_FAILURES_PER_IP = env.int("TONGZHOU_LOGIN_MAX_FAILURES_PER_IP", default=30)
TONGZHOU_LOGIN_WINDOW_SECONDS = env.int("TONGZHOU_LOGIN_WINDOW_SECONDS", default=15 * 60)
# The client IP (login limits, throttles, audit trail): REMOTE_ADDR unless the reverse proxy's
# header is named here (e.g. X-Forwarded-For), with the number of proxies that append to it.
TONGZHOU_TRUSTED_PROXY_HEADER = env.str("TONGZHOU_TRUSTED_PROXY_HEADER", default="")
TONGZHOU_TRUSTED_PROXY_COUNT = env.int("TONGZHOU_TRUSTED_PROXY_COUNT", default=1)
if TONGZHOU_TRUSTED_PROXY_COUNT < 1:
    raise ImproperlyConfigured("TONGZHOU_TRUSTED_PROXY_COUNT must be at least 1.")

# The public identifier of this platform (CAP `sender`, OCDS publisher).
TONGZHOU_PLATFORM_ID = env.str("TONGZHOU_PLATFORM_ID", default="tongzhou.example.cn")
TONGZHOU_PUBLIC_URL = env.str("TONGZHOU_PUBLIC_URL", default="http://127.0.0.1:8000")
# Official schemas (CAP 1.2 XSD, OCDS 1.1.5) vendored in the repository; only tests read them.
TONGZHOU_STANDARDS_DIR = env.str("TONGZHOU_STANDARDS_DIR", default=str(BASE_DIR / "standards"))

# --- Tongzhou: maps (core.geo, coordination.maps, static/js/tz-map.js) --------------------------
# A tile server's URL template ({z}/{x}/{y}, {s} for a subdomain), e.g. 天地图 with the
# bureau's key or a city's own server. Unset (the default): no tile layer at all; the maps draw
# the shipped boundaries (static/geo/) and work on a closed network.
TONGZHOU_MAP_TILES = env.str("TONGZHOU_MAP_TILES", default="")
TONGZHOU_MAP_TILES_ATTRIBUTION = env.str("TONGZHOU_MAP_TILES_ATTRIBUTION", default="")
TONGZHOU_MAP_TILES_SUBDOMAINS = env.str("TONGZHOU_MAP_TILES_SUBDOMAINS", default="01234567")
# The tiles' datum: wgs84 (天地图, CGCS2000) or gcj02 (Amap-derived servers); core.geo.
TONGZHOU_MAP_TILES_DATUM = env.str("TONGZHOU_MAP_TILES_DATUM", default="wgs84")
if TONGZHOU_MAP_TILES_DATUM not in ("wgs84", "gcj02"):
    raise ImproperlyConfigured("TONGZHOU_MAP_TILES_DATUM must be 'wgs84' or 'gcj02'.")
if TONGZHOU_MAP_TILES:
    from urllib.parse import urlsplit

    _tiles = urlsplit(TONGZHOU_MAP_TILES)
    if _tiles.scheme not in ("http", "https") or not _tiles.hostname:
        raise ImproperlyConfigured("TONGZHOU_MAP_TILES must be an http(s) URL template.")
    # The only other origin a page may load from: the tiles (a {s} label becomes a wildcard).
    _host = ".".join("*" if "{s}" in label else label for label in _tiles.netloc.split("."))
    CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
        "img-src 'self' data:", f"img-src 'self' data: {_tiles.scheme}://{_host}"
    )

# --- Tongzhou: registry -----------------------------------------------------------------------
# How long an assessment (测评) stays valid; the measures leave it to the provinces.
TONGZHOU_ASSESSMENT_VALID_DAYS = env.int("TONGZHOU_ASSESSMENT_VALID_DAYS", default=3 * 365)
# Prefecture-level cities to which their province has delegated assessment (测评); provincial
# officials may always assess in their province.
TONGZHOU_ASSESSMENT_DELEGATED_CITIES = env.list(
    "TONGZHOU_ASSESSMENT_DELEGATED_CITIES", default=["511800"]
)

# --- Tongzhou: alerts -------------------------------------------------------------------------
# Tests may allow webhooks to loopback addresses; production refuses them (SSRF guard).
TONGZHOU_WEBHOOK_ALLOW_PRIVATE = env.bool("TONGZHOU_WEBHOOK_ALLOW_PRIVATE", default=DEBUG)
TONGZHOU_WEBHOOK_TIMEOUT = env.float("TONGZHOU_WEBHOOK_TIMEOUT", default=5.0)
# Delivery: attempts before `failed`, first retry delay (doubles each time), how long a row may
# sit in `sending` before the sweep decides its worker died, and how long a due `pending` row
# waits before the sweep re-queues it (its broker message may be lost).
TONGZHOU_ALERTS_MAX_ATTEMPTS = env.int("TONGZHOU_ALERTS_MAX_ATTEMPTS", default=5)
TONGZHOU_ALERTS_RETRY_BASE_SECONDS = env.float("TONGZHOU_ALERTS_RETRY_BASE_SECONDS", default=30.0)
TONGZHOU_ALERTS_VISIBILITY_TIMEOUT = env.float("TONGZHOU_ALERTS_VISIBILITY_TIMEOUT", default=300.0)
TONGZHOU_ALERTS_REQUEUE_AFTER = env.float("TONGZHOU_ALERTS_REQUEUE_AFTER", default=60.0)
# Fan-out: deliveries per worker task (one claim UPDATE ... RETURNING per batch), and the
# keep-alive connections a worker process holds (and uses at once) per receiving host.
TONGZHOU_ALERTS_BATCH_SIZE = env.int("TONGZHOU_ALERTS_BATCH_SIZE", default=100)
TONGZHOU_HTTP_PER_HOST = env.int("TONGZHOU_HTTP_PER_HOST", default=4)
# SMS gateway: "console" (log), "http" (POST JSON to TONGZHOU_SMS_URL with a bearer key),
# "aliyun" (Alibaba Cloud SendSms) or "tencent" (Tencent Cloud SendSms): docs/alerts.md.
TONGZHOU_SMS_BACKEND = env.str("TONGZHOU_SMS_BACKEND", default="console")
if TONGZHOU_SMS_BACKEND not in ("console", "http", "aliyun", "tencent"):
    raise ImproperlyConfigured(
        "TONGZHOU_SMS_BACKEND must be 'console', 'http', 'aliyun' or 'tencent'."
    )
TONGZHOU_SMS_ALIYUN_ACCESS_KEY_ID = env.str("TONGZHOU_SMS_ALIYUN_ACCESS_KEY_ID", default="")
TONGZHOU_SMS_ALIYUN_ACCESS_KEY_SECRET = env.str("TONGZHOU_SMS_ALIYUN_ACCESS_KEY_SECRET", default="")
TONGZHOU_SMS_ALIYUN_ENDPOINT = env.str(
    "TONGZHOU_SMS_ALIYUN_ENDPOINT", default="https://dysmsapi.aliyuncs.com/"
)
TONGZHOU_SMS_ALIYUN_REGION = env.str("TONGZHOU_SMS_ALIYUN_REGION", default="cn-hangzhou")
TONGZHOU_SMS_TENCENT_SECRET_ID = env.str("TONGZHOU_SMS_TENCENT_SECRET_ID", default="")
TONGZHOU_SMS_TENCENT_SECRET_KEY = env.str("TONGZHOU_SMS_TENCENT_SECRET_KEY", default="")
TONGZHOU_SMS_TENCENT_SDK_APP_ID = env.str("TONGZHOU_SMS_TENCENT_SDK_APP_ID", default="")
TONGZHOU_SMS_TENCENT_ENDPOINT = env.str(
    "TONGZHOU_SMS_TENCENT_ENDPOINT", default="https://sms.tencentcloudapi.com/"
)
TONGZHOU_SMS_TENCENT_REGION = env.str("TONGZHOU_SMS_TENCENT_REGION", default="ap-guangzhou")
if TONGZHOU_SMS_BACKEND == "aliyun" and not (
    TONGZHOU_SMS_ALIYUN_ACCESS_KEY_ID and TONGZHOU_SMS_ALIYUN_ACCESS_KEY_SECRET
):
    raise ImproperlyConfigured("Alibaba Cloud SMS needs TONGZHOU_SMS_ALIYUN_ACCESS_KEY_ID/_SECRET.")
if TONGZHOU_SMS_BACKEND == "tencent" and not (
    TONGZHOU_SMS_TENCENT_SECRET_ID
    and TONGZHOU_SMS_TENCENT_SECRET_KEY
    and TONGZHOU_SMS_TENCENT_SDK_APP_ID
):
    raise ImproperlyConfigured(
        "Tencent Cloud SMS needs TONGZHOU_SMS_TENCENT_SECRET_ID, _SECRET_KEY and _SDK_APP_ID."
    )
# Delivery receipts (status callbacks) are accepted at /alerts/sms/receipts/<provider>/<secret>/
# only when this secret is set (at least 16 characters); docs/alerts.md.
TONGZHOU_SMS_RECEIPT_SECRET = env.str("TONGZHOU_SMS_RECEIPT_SECRET", default="")
if TONGZHOU_SMS_RECEIPT_SECRET and len(TONGZHOU_SMS_RECEIPT_SECRET) < 16:
    raise ImproperlyConfigured("TONGZHOU_SMS_RECEIPT_SECRET needs at least 16 characters.")
TONGZHOU_SMS_URL = env.str("TONGZHOU_SMS_URL", default="")
TONGZHOU_SMS_KEY = env.str("TONGZHOU_SMS_KEY", default="")
if TONGZHOU_SMS_BACKEND == "http" and not (TONGZHOU_SMS_URL and TONGZHOU_SMS_KEY):
    raise ImproperlyConfigured(
        "TONGZHOU_SMS_URL and TONGZHOU_SMS_KEY are needed for SMS over HTTP."
    )
TONGZHOU_SMS_TIMEOUT = env.float("TONGZHOU_SMS_TIMEOUT", default=5.0)
TONGZHOU_SMS_SIGNATURE = env.str("TONGZHOU_SMS_SIGNATURE", default="【同舟】")
# Minutes a volunteer's SMS phone code stays valid (volunteers.services).
TONGZHOU_VOLUNTEER_CODE_MINUTES = env.int("TONGZHOU_VOLUNTEER_CODE_MINUTES", default=10)
if not 1 <= TONGZHOU_VOLUNTEER_CODE_MINUTES <= 60:
    raise ImproperlyConfigured("TONGZHOU_VOLUNTEER_CODE_MINUTES must be 1 to 60.")
TONGZHOU_SMS_MAX_SEGMENTS = env.int("TONGZHOU_SMS_MAX_SEGMENTS", default=3)
# CAP circle radius (km) around the incident point, by incident grade (platform convention).
TONGZHOU_CAP_RADIUS_KM = {1: 150, 2: 80, 3: 30, 4: 10}
CELERY_TASK_ROUTES = {"alerts.*": {"queue": "alerts"}}
CELERY_BEAT_SCHEDULE["alerts-requeue-stuck"] = {"task": "alerts.requeue_stuck", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["alerts-hourly-digest"] = {"task": "alerts.send_digests", "schedule": 300.0}
# Escalation of unread mobilizations and assignments (alerts.escalation): SMS to the person after
# N minutes unread, the organization's other members after M minutes.
TONGZHOU_ESCALATE_SMS_AFTER_MINUTES = env.int("TONGZHOU_ESCALATE_SMS_AFTER_MINUTES", default=15)
TONGZHOU_ESCALATE_MEMBERS_AFTER_MINUTES = env.int(
    "TONGZHOU_ESCALATE_MEMBERS_AFTER_MINUTES", default=45
)
CELERY_BEAT_SCHEDULE["alerts-escalate"] = {"task": "alerts.escalate", "schedule": 60.0}

# --- Tongzhou: coordination -------------------------------------------------------------------
TONGZHOU_CLAIM_WINDOW_HOURS = env.int("TONGZHOU_CLAIM_WINDOW_HOURS", default=6)
TONGZHOU_PERSONAL_DATA_RETENTION_DAYS = env.int("TONGZHOU_PERSONAL_DATA_RETENTION_DAYS", default=90)
# Graded mobilization (platform convention): a grade I incident's opening alert goes to the
# province and these neighbouring provinces (GB/T 2260 province codes).
TONGZHOU_NEIGHBOURING_PROVINCES = {
    "110000": ["120000", "130000"],
    "120000": ["110000", "130000"],
    "130000": ["110000", "120000", "140000", "150000", "210000", "370000", "410000"],
    "140000": ["130000", "150000", "410000", "610000"],
    "150000": ["130000", "140000", "210000", "220000", "230000", "610000", "620000", "640000"],
    "210000": ["130000", "150000", "220000"],
    "220000": ["150000", "210000", "230000"],
    "230000": ["150000", "220000"],
    "310000": ["320000", "330000"],
    "320000": ["310000", "330000", "340000", "370000"],
    "330000": ["310000", "320000", "340000", "350000", "360000"],
    "340000": ["320000", "330000", "360000", "370000", "410000", "420000"],
    "350000": ["330000", "360000", "440000"],
    "360000": ["330000", "340000", "350000", "420000", "430000", "440000"],
    "370000": ["130000", "320000", "340000", "410000"],
    "410000": ["130000", "140000", "340000", "370000", "420000", "610000"],
    "420000": ["340000", "360000", "410000", "430000", "500000", "610000"],
    "430000": ["360000", "420000", "440000", "450000", "500000", "520000"],
    "440000": ["350000", "360000", "430000", "450000", "460000", "810000", "820000"],
    "450000": ["430000", "440000", "520000", "530000"],
    "460000": ["440000"],
    "500000": ["420000", "430000", "510000", "520000", "610000"],
    "510000": ["500000", "520000", "530000", "540000", "610000", "620000", "630000"],
    "520000": ["430000", "450000", "500000", "510000", "530000"],
    "530000": ["450000", "510000", "520000", "540000"],
    "540000": ["510000", "530000", "630000", "650000"],
    "610000": ["140000", "150000", "410000", "420000", "500000", "510000", "620000", "640000"],
    "620000": ["150000", "510000", "610000", "630000", "640000", "650000"],
    "630000": ["510000", "540000", "620000", "650000"],
    "640000": ["150000", "610000", "620000"],
    "650000": ["540000", "620000", "630000"],
}
# Stable OpenAPI names for this app's choice sets (drf-spectacular).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "IncidentStatusEnum": "coordination.models.Incident.Status",
        "DeploymentStatusEnum": "coordination.models.Deployment.Status",
        "TaskStatusEnum": "coordination.models.Task.Status",
        "PriorityEnum": "coordination.models.Priority",
        "SpecialtyEnum": "registry.choices.Specialty",
        "HubLinkStatusEnum": "registry.models.HubLink.Status",
        "VolunteerCallStatusEnum": "volunteers.models.VolunteerCall.Status",
        "SignUpStatusEnum": "volunteers.models.SignUp.Status",
    }
)
# Choice sets that a list serializer and its detail serializer (with ``actions``) share.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "ProjectStatusEnum": "procurement.models.Project.Status",
        "MilestoneStatusEnum": "procurement.models.Milestone.Status",
        "OrganizationStatusEnum": "registry.models.Organization.Status",
    }
)
CELERY_BEAT_SCHEDULE["coordination-expire-claims"] = {
    "task": "coordination.tasks.expire_claims",
    "schedule": 15 * 60,
}
CELERY_BEAT_SCHEDULE["coordination-purge-personal-data"] = {
    "task": "coordination.tasks.purge_personal_data",
    "schedule": 24 * 60 * 60,
}

# --- Tongzhou: preparedness (drills, joint meetings, follow-up items) ----------------------------
# An open follow-up item's owner is reminded once when it is due within this many days.
TONGZHOU_FOLLOWUP_REMINDER_DAYS = env.int("TONGZHOU_FOLLOWUP_REMINDER_DAYS", default=3)
if TONGZHOU_FOLLOWUP_REMINDER_DAYS < 0:
    raise ImproperlyConfigured("TONGZHOU_FOLLOWUP_REMINDER_DAYS must be 0 or more.")
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "DrillStatusEnum": "preparedness.models.Drill.Status",
        "InjectStatusEnum": "preparedness.models.Inject.Status",
        "MeetingStatusEnum": "preparedness.models.Meeting.Status",
        "FollowUpStatusEnum": "preparedness.models.FollowUp.Status",
    }
)
CELERY_BEAT_SCHEDULE["preparedness-deliver-injects"] = {
    "task": "preparedness.tasks.deliver_injects",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["preparedness-remind-followups"] = {
    "task": "preparedness.tasks.remind_followups",
    "schedule": 3600.0,
}
# Specialties (registry.choices.Specialty codes) whose filings need accident cover for everyone
# on the roster; without it the approving official must give a reason (coordination.rosters).
TONGZHOU_HIGH_RISK_SPECIALTIES = env.list(
    "TONGZHOU_HIGH_RISK_SPECIALTIES",
    default=["water_rescue", "building_collapse", "mountain_rescue", "diving_rescue"],
)

# --- Tongzhou: procurement --------------------------------------------------------------------
TONGZHOU_OCID_PREFIX = env.str("TONGZHOU_OCID_PREFIX", default="ocds-tz0000")
# Working-day calendar for tender periods and the stand-still (pluggable; holidays as ISO dates).
TONGZHOU_PROCUREMENT_CALENDAR = "procurement.calendar.WeekdayCalendar"
TONGZHOU_PROCUREMENT_HOLIDAYS = env.list("TONGZHOU_PROCUREMENT_HOLIDAYS", default=[])
# 竞争性磋商 allows 2 valid bids for some services; the platform default keeps 3.
TONGZHOU_PROCUREMENT_CONSULTATION_MIN_BIDS = env.int(
    "TONGZHOU_PROCUREMENT_CONSULTATION_MIN_BIDS", default=3
)
TONGZHOU_PROCUREMENT_STANDSTILL_WORKING_DAYS = 7
TONGZHOU_PROCUREMENT_CLAWBACK_DAYS = 30
# Debarment (procurement.debarment): a termination for falsification bars bids this many years.
TONGZHOU_DEBARMENT_YEARS = env.int("TONGZHOU_DEBARMENT_YEARS", default=3)
# The small-value route: below this budget (yuan) the plan proposes competitive negotiation or
# consultation; at or above it, open tender unless a legal ground is chosen and written down.
try:
    TONGZHOU_SMALL_PURCHASE_THRESHOLD = Decimal(
        env.str("TONGZHOU_SMALL_PURCHASE_THRESHOLD", default="100000")
    )
except InvalidOperation:
    raise ImproperlyConfigured("TONGZHOU_SMALL_PURCHASE_THRESHOLD must be a CNY amount.") from None
if TONGZHOU_DEBARMENT_YEARS < 0 or TONGZHOU_SMALL_PURCHASE_THRESHOLD <= 0:
    raise ImproperlyConfigured("Debarment years must be >= 0 and the threshold positive.")
CELERY_BEAT_SCHEDULE["procurement-overdue-clawbacks"] = {
    "task": "procurement.tasks.flag_overdue_clawbacks",
    "schedule": 24 * 60 * 60,
}
# Sampled service recipients confirm through a one-time link valid this long (hours); an
# indicator verified by sampling is met only when at least this share of answers confirm.
TONGZHOU_PROCUREMENT_CONFIRMATION_HOURS = env.int(
    "TONGZHOU_PROCUREMENT_CONFIRMATION_HOURS", default=72
)
TONGZHOU_PROCUREMENT_CONFIRMED_SHARE = env.float(
    "TONGZHOU_PROCUREMENT_CONFIRMED_SHARE", default=0.8
)
CELERY_BEAT_SCHEDULE["procurement-close-tenders"] = {
    "task": "procurement.tasks.close_due_tenders",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["procurement-overdue-milestones"] = {
    "task": "procurement.tasks.alert_overdue_milestones",
    "schedule": 3600.0,
}

# --- Tongzhou: donations ----------------------------------------------------------------------
TONGZHOU_STUCK_GOODS_DAYS = env.int("TONGZHOU_STUCK_GOODS_DAYS", default=7)
# Disclosure cadence (慈善法): during a response at least every 5 days; otherwise 3 months.
TONGZHOU_RESPONSE_DISCLOSURE_DAYS = env.int("TONGZHOU_RESPONSE_DISCLOSURE_DAYS", default=5)
TONGZHOU_ORDINARY_DISCLOSURE_DAYS = env.int("TONGZHOU_ORDINARY_DISCLOSURE_DAYS", default=90)
# Organization kinds that may hold donations on the ledger (verified ones only).
TONGZHOU_RECEIVING_KINDS = ["foundation", "social_group", "social_service", "volunteer_team"]
CELERY_BEAT_SCHEDULE["donations-disclosure-and-stuck-goods"] = {
    "task": "donations.tasks.check_disclosure_and_stuck_goods",
    "schedule": 6 * 60 * 60,
}
# Private receipt details (donor, handler, commitment salts): TONGZHOU_PERSONAL_DATA_RETENTION_DAYS
# after the incident closed (or after recording, without an incident).
CELERY_BEAT_SCHEDULE["donations-purge-private-data"] = {
    "task": "donations.tasks.purge_private_data",
    "schedule": 24 * 60 * 60,
}
# Supervision and end receivers (docs/DOMAIN.md): questions are answered within N working days;
# disbursements above the threshold (CNY) need evidence; one-time sign-for links expire.
TONGZHOU_QUESTION_ANSWER_DAYS = env.int("TONGZHOU_QUESTION_ANSWER_DAYS", default=5)
try:
    TONGZHOU_EVIDENCE_THRESHOLD = Decimal(env.str("TONGZHOU_EVIDENCE_THRESHOLD", default="10000"))
except InvalidOperation:
    raise ImproperlyConfigured("TONGZHOU_EVIDENCE_THRESHOLD must be an amount in CNY.") from None
TONGZHOU_RECEIVER_LINK_DAYS = env.int("TONGZHOU_RECEIVER_LINK_DAYS", default=7)
if TONGZHOU_QUESTION_ANSWER_DAYS < 1 or TONGZHOU_RECEIVER_LINK_DAYS < 1:
    raise ImproperlyConfigured("Answer days and receiver link days must be at least 1.")
CELERY_BEAT_SCHEDULE["donations-overdue-questions"] = {
    "task": "donations.tasks.alert_overdue_questions",
    "schedule": 60 * 60,
}
# Sequencing after commit (issue 16, docs/ledger-chain.md): entries are written unsequenced and
# the sequencer gives them seq and hash after commit ("after_commit", real mode) or at once in
# the writing transaction ("inline", the default without REDIS_URL: embedded mode and tests).
TONGZHOU_LEDGER_SEQUENCING = env.str(
    "TONGZHOU_LEDGER_SEQUENCING", default="after_commit" if REDIS_URL else "inline"
)
if TONGZHOU_LEDGER_SEQUENCING not in ("inline", "after_commit"):
    raise ImproperlyConfigured('TONGZHOU_LEDGER_SEQUENCING must be "inline" or "after_commit".')
# Maximum merge delay (seconds): an entry unsequenced for longer alerts the platform admins.
TONGZHOU_LEDGER_MAX_MERGE_DELAY = env.int("TONGZHOU_LEDGER_MAX_MERGE_DELAY", default=5)
if TONGZHOU_LEDGER_MAX_MERGE_DELAY < 1:
    raise ImproperlyConfigured("TONGZHOU_LEDGER_MAX_MERGE_DELAY must be at least 1 second.")
CELERY_BEAT_SCHEDULE["donations-sequence-ledger"] = {
    "task": "donations.tasks.sequence_ledger",
    "schedule": 2.0,
}
CELERY_BEAT_SCHEDULE["donations-check-merge-delay"] = {
    "task": "donations.tasks.check_merge_delay",
    "schedule": 5.0,
}
# Transparency log (docs/ledger-chain.md, "Merkle tree and signed heads"): the Ed25519 seed
# (32 bytes, base64 or hex) that signs tree heads; without it a development key is derived from
# SECRET_KEY and the key page says so. A new head at most every N seconds while entries arrive.
TONGZHOU_LEDGER_SIGNING_KEY = env.str("TONGZHOU_LEDGER_SIGNING_KEY", default="")
TONGZHOU_LEDGER_HEAD_MIN_SECONDS = env.float("TONGZHOU_LEDGER_HEAD_MIN_SECONDS", default=5.0)
CELERY_BEAT_SCHEDULE["donations-ledger-tree-head"] = {
    "task": "donations.tasks.sign_tree_head",
    "schedule": 10,
}

if DEBUG:
    INTERNAL_IPS = ["127.0.0.1"]

# --- Tongzhou: liaison (docs/liaison.md) --------------------------------------------------------
# Minutes the responsible agency has to acknowledge a field report, by urgency, before it
# escalates one level up the region tree.
TONGZHOU_REPORT_ACK_MINUTES = {
    "critical": env.int("TONGZHOU_REPORT_ACK_MINUTES_CRITICAL", default=30),
    "high": env.int("TONGZHOU_REPORT_ACK_MINUTES_HIGH", default=120),
    "normal": env.int("TONGZHOU_REPORT_ACK_MINUTES_NORMAL", default=12 * 60),
}
if min(TONGZHOU_REPORT_ACK_MINUTES.values()) < 1:
    raise ImproperlyConfigured("TONGZHOU_REPORT_ACK_MINUTES_* must be at least 1 minute.")
# Hours between safety check-ins of a deployed team; one more missed alerts the bureau once.
TONGZHOU_SAFETY_CHECK_IN_HOURS = env.int("TONGZHOU_SAFETY_CHECK_IN_HOURS", default=6)
if TONGZHOU_SAFETY_CHECK_IN_HOURS < 1:
    raise ImproperlyConfigured("TONGZHOU_SAFETY_CHECK_IN_HOURS must be at least 1.")
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "FieldReportCategoryEnum": "liaison.models.Category",
        "FieldReportUrgencyEnum": "liaison.models.Urgency",
        "FieldReportStatusEnum": "liaison.models.FieldReport.Status",
        "NoticeKindEnum": "liaison.models.Notice.Kind",
    }
)
CELERY_BEAT_SCHEDULE["liaison-escalate-reports"] = {
    "task": "liaison.tasks.escalate_reports",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["liaison-missed-check-ins"] = {
    "task": "liaison.tasks.missed_check_ins",
    "schedule": 5 * 60.0,
}
CELERY_BEAT_SCHEDULE["liaison-notice-reminders"] = {
    "task": "liaison.tasks.notice_reminders",
    "schedule": 15 * 60.0,
}
# --- Tongzhou: compensation -------------------------------------------------------------------
# The donation-ledger purpose of the compensation fund (补偿基金): receipts restricted to it and
# the disbursements paying claims carry exactly this text (compensation.services.pay_claim).
TONGZHOU_COMPENSATION_PURPOSE = env.str(
    "TONGZHOU_COMPENSATION_PURPOSE", default="应急救援损失补偿基金"
)
# The bureau decides a claim within this many working days of its filing; reminded once after.
TONGZHOU_COMPENSATION_REVIEW_WORKING_DAYS = env.int(
    "TONGZHOU_COMPENSATION_REVIEW_WORKING_DAYS", default=15
)
if TONGZHOU_COMPENSATION_REVIEW_WORKING_DAYS < 1:
    raise ImproperlyConfigured("TONGZHOU_COMPENSATION_REVIEW_WORKING_DAYS must be at least 1.")
if not TONGZHOU_COMPENSATION_PURPOSE.strip():
    raise ImproperlyConfigured("TONGZHOU_COMPENSATION_PURPOSE must not be empty.")
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "ClaimKindEnum": "compensation.models.Claim.Kind",
        "ClaimStatusEnum": "compensation.models.Claim.Status",
        "PersonnelFunctionEnum": "registry.choices.PersonnelFunction",
    }
)
CELERY_BEAT_SCHEDULE["compensation-remind-overdue"] = {
    "task": "compensation.tasks.remind_overdue",
    "schedule": 24 * 60 * 60,
}
