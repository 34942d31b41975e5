"""Settings, read from the environment (12-factor). Every variable is documented in .env.example."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-only" if DEBUG else None)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Demo accounts (seed_demo) are allowed only where this is true; never in production.
DEMO_DATA_ALLOWED = env.bool("DEMO_DATA_ALLOWED", default=DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "hiring",
    "assessments",
    "certificates",
    "smeqa",  # wiring only: connects the sign-in signal (smeqa/apps.py)
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the rest, so it logs every 403 and 404 (CSRF failures and unknown paths included).
    "smeqa.denials.DenialLogMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): signed in with a second factor
    # Deny by default: every view needs a signed-in user unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "smeqa.middleware.NoStoreWhenSignedInMiddleware",
    # After MessageMiddleware: signs out idle or 12-hour-old sessions and says why.
    "smeqa.middleware.SessionTimeoutMiddleware",
    # After LoginRequiredMiddleware: staff who owe a second factor reach only the code pages.
    "smeqa.middleware.StaffTwoFactorMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smeqa.urls"
WSGI_APPLICATION = "smeqa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "smeqa.context_processors.navigation",
            ],
        },
    },
]
# Form markup is written once: templates/django/forms/* and the renderer's BoundField.
FORM_RENDERER = "smeqa.forms.UswdsFormRenderer"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Reusing connections saves 15-25 ms a request on PostgreSQL (bench/resume_review.py); health checks
# drop a connection the database closed.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a task writes; busy timeout avoids "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20}
    )
elif "postgresql" in DATABASES["default"]["ENGINE"]:
    # Random reads cost about what sequential ones do on SSDs; with the default 4.0 the planner counts
    # an action's applicants with a sequential scan (22 ms at 50,000) instead of the covering index it
    # has (6 ms). PostgreSQL's docs suggest lowering it for solid-state storage (docs/performance.md).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (_options.get("options", "") + " -c random_page_cost=1.1").strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "hiring.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sign-in hardening (docs/adr/0013-sign-in-hardening.md). django-axes's backend goes first: it refuses a
# locked-out person before any password is checked. Anything calling authenticate() must pass request.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Sign in with Login.gov (OpenID Connect; below). Answers only on its own callback, and only when
    # configured; otherwise it returns None and the password backends decide.
    "smeqa.oidc.LoginGovBackend",
]
# NIST SP 800-53 AC-7: 5 failed sign-ins in a row for one email address from one address lock that pair
# for 30 minutes. Counting per pair, not per account, keeps a stranger from locking someone out of
# their own account (ASVS 5.0 V6.1.1); 5 is well under NIST SP 800-63B's cap of 100.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # "consecutive" failures: a good sign-in starts the count again
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the time the lockout page gives holds
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form's field (our users sign in by email)
AXES_USERNAME_CALLABLE = "smeqa.signin.username_of"
AXES_CLIENT_IP_CALLABLE = "smeqa.signin.client_ip"
AXES_LOCKOUT_CALLABLE = "smeqa.signin.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Proxies in front of the app that append to X-Forwarded-For (a load balancer: 1). 0 trusts only the
# connection's own address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Shown on the lockout and code pages as the address to ask for help; empty shows none.
SIGN_IN_HELP_EMAIL = env("SIGN_IN_HELP_EMAIL", default="")
# IA-2(1): staff (anyone with an agency, and admin users) sign in with a code from an authenticator app
# too. On wherever demo accounts are not allowed (production); off for `make run` unless set.
REQUIRE_STAFF_TOTP = env.bool("REQUIRE_STAFF_TOTP", default=not DEMO_DATA_ALLOWED)
OTP_TOTP_ISSUER = "SMEQA Hiring"
OTP_TOTP_THROTTLE_FACTOR = 1  # each wrong code doubles the wait: 1 s, 2 s, 4 s, ...
# --- Sign in with Login.gov (OpenID Connect through mozilla-django-oidc) ---------------------------
# docs/adr/0014-login-gov-oidc.md. Off unless the client id and the provider's endpoints are all set;
# then the sign-in page offers "Sign in with Login.gov". Login.gov's developer guide
# (https://developers.login.gov/oidc/): sandbox https://idp.int.identitysandbox.gov, production
# https://secure.login.gov; authorize at /openid_connect/authorize, token /api/openid_connect/token,
# user info /api/openid_connect/userinfo, keys /api/openid_connect/certs, logout /openid_connect/logout.
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", default="")  # the id_token's `iss` must equal it
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_ENABLED = all(
    [
        OIDC_RP_CLIENT_ID,
        OIDC_OP_ISSUER,
        OIDC_OP_AUTHORIZATION_ENDPOINT,
        OIDC_OP_TOKEN_ENDPOINT,
        OIDC_OP_USER_ENDPOINT,
        OIDC_OP_JWKS_ENDPOINT,
    ]
)
# Client authentication at the token endpoint. Login.gov takes private_key_jwt (web apps: a JWT signed
# with our RSA key, whose certificate is registered with Login.gov) or PKCE. With a private key
# (PEM text in OIDC_RP_PRIVATE_KEY, "\n" for line breaks, or a file in OIDC_RP_PRIVATE_KEY_FILE) we use
# private_key_jwt; without one, PKCE (RFC 7636, S256).
_oidc_key_file = env("OIDC_RP_PRIVATE_KEY_FILE", default="")
OIDC_RP_PRIVATE_KEY = (
    Path(_oidc_key_file).read_text()
    if _oidc_key_file
    else env("OIDC_RP_PRIVATE_KEY", default="").replace("\\n", "\n")
)
OIDC_RP_CLIENT_SECRET = None  # Login.gov issues no client secrets
OIDC_USE_PKCE = env.bool("OIDC_USE_PKCE", default=not OIDC_RP_PRIVATE_KEY)
OIDC_RP_SIGN_ALGO = "RS256"  # Login.gov signs id_tokens RS256; keys come from OIDC_OP_JWKS_ENDPOINT
OIDC_RP_SCOPES = "openid email"  # email and email_verified; nothing else is needed to find the account
# acr_values: a service level is required. auth-only = email, password and MFA, no identity proofing
# (Login.gov: NIST SP 800-63-3 AAL2 when the integration asks for it). Append
# "http://idmanagement.gov/ns/assurance/aal/2" (or "...aal/2?phishing_resistant=true") for stronger MFA.
OIDC_ACR_VALUES = env("OIDC_ACR_VALUES", default="urn:acr.login.gov:auth-only")
# Login.gov requires prompt=select_account on every authorization request.
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": OIDC_ACR_VALUES, "prompt": "select_account"}
OIDC_TIMEOUT = 10  # seconds per call to the provider
OIDC_CREATE_USER = True  # first sign-in creates a candidate account (smeqa.oidc.LoginGovBackend)
# Sign-out through /oidc/logout/ also ends the Login.gov session when OIDC_OP_LOGOUT_ENDPOINT is set.
OIDC_OP_LOGOUT_URL_METHOD = "smeqa.oidc.provider_logout_url"
# axes keeps the query string of a failed sign-in; a Login.gov callback's code and state stay out of it.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "state"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        # Our user has no username or first/last name (Django's default list): compare with these.
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["email", "full_name"]},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "smeqa.signin.ContextWordsValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
# Where emails link to (interview scheduling links): the address people reach the app at.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")


# --- Email -------------------------------------------------------------------------------------
# EMAIL_URL (django-environ syntax: smtp://, smtp+tls://, smtps://, consolemail://, filemail://...)
# becomes Django 6.1's MAILERS setting.
def _mailer_from_url(url: str) -> dict:
    parsed = environ.Env.email_url_config(url)
    options = {
        "host": parsed.get("EMAIL_HOST"),
        "port": parsed.get("EMAIL_PORT"),
        "username": parsed.get("EMAIL_HOST_USER"),
        "password": parsed.get("EMAIL_HOST_PASSWORD"),
        "use_tls": parsed.get("EMAIL_USE_TLS"),
        "use_ssl": parsed.get("EMAIL_USE_SSL"),
        "file_path": parsed.get("EMAIL_FILE_PATH"),
    }
    if parsed["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
        options["timeout"] = env.int("EMAIL_TIMEOUT", default=10)
    return {
        "BACKEND": parsed["EMAIL_BACKEND"],
        "OPTIONS": {k: v for k, v in options.items() if v not in (None, "")},
    }


MAILERS = {"default": _mailer_from_url(env("EMAIL_URL", default="consolemail://"))}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="SMEQA Hiring <no-reply@smeqa.example.gov>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ------------------------------------------------------------------------------------
# No broker configured: tasks run eagerly in-process (make run needs no services).
BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default=""))
CELERY_BROKER_URL = BROKER_URL or "memory://localhost/"  # unused while eager; a host keeps kombu quiet
CELERY_TASK_ALWAYS_EAGER = not BROKER_URL
# In-process mode must not turn a mail outage into a failed page; the notice stays in the outbox and
# the resend sweep picks it up.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker waits out a Redis outage of any length rather than exiting after 100 tries (about 50 min).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A task whose worker dies unacknowledged comes back after an hour; the resend sweep gets there first.
# A Redis host that does not answer fails a page's queueing in seconds, not the OS's two minutes.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 5}
CELERY_BEAT_SCHEDULE = {
    # The notice outbox's sweep: lost tasks, notices written while Redis was down, retries due
    # (hiring.services.notices: RESEND_AFTER 2 minutes, backoff from 1 minute).
    "resend-unsent-notices": {
        "task": "hiring.tasks.notices_resend_unsent",
        "schedule": crontab(),  # every minute
    },
    # Certificates whose PDF task was lost or never queued (Redis down at issue).
    "render-pending-certificate-pdfs": {
        "task": "certificates.tasks.certificate_pdfs_render_pending",
        "schedule": crontab(minute="*/5"),
    },
    "interview-reminders": {
        "task": "assessments.tasks.interview_reminders_send",
        "schedule": crontab(minute="*/15"),
    },
    # Candidates with no notice for 14 days are told where they stand (hiring.services.updates). Daily
    # at 14:30 UTC (beat's clock is UTC: 9:30 or 10:30 Eastern); a second run finds nobody due.
    "candidate-status-updates": {
        "task": "hiring.tasks.status_updates_send",
        "schedule": crontab(hour=14, minute=30),
    },
}

# --- Security ----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# NIST SP 800-63B AAL2 reauthentication (ASVS 5.0 V7.3): 12 hours after signing in however active
# (fixed at sign-in by smeqa.signin.stamp_session), and 30 minutes without a request
# (smeqa.middleware.SessionTimeoutMiddleware, which rewrites its stamp at most once a minute).
SESSION_COOKIE_AGE = int(timedelta(hours=12).total_seconds())
# A password reset link works once and for an hour (smeqa/passwords.py; docs/security.md): long enough to
# open the email, short enough that an old email in a mailbox is no key to the account.
PASSWORD_RESET_TIMEOUT = int(timedelta(hours=1).total_seconds())
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ACTIVITY_WRITE_INTERVAL = timedelta(minutes=1)
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(timedelta(days=365).total_seconds())
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},  # one line per task drowns the dev server log
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
