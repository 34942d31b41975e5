"""Test settings: the same stack, made quick and observable.

DATABASE_URL and CELERY_BROKER_URL still come from the environment, so CI runs the suite on
PostgreSQL with Redis while a laptop runs it on SQLite.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("DEBUG", "false")

from .settings import *  # noqa: F403
from .settings import DATABASES, STORAGES

ALLOWED_HOSTS = ["*"]
DEMO_DATA_ALLOWED = True
# Staff sign in with a password alone here, so tests may force_login them; tests/test_sign_in.py turns
# two-step sign-in on where it is the subject. Failed sign-ins still lock out (django-axes stays on).
REQUIRE_STAFF_TOTP = False
SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; S303 not in prod
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Unstyled pages in browser tests otherwise: the manifest needs collectstatic.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests run tasks in-process; tests marked `worker` start a real worker on this broker instead.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = False
WHITENOISE_AUTOREFRESH = True  # serve from finders; no collectstatic in tests

# Uploaded files go to a throwaway folder, never into the working tree.
import tempfile  # noqa: E402

MEDIA_ROOT = tempfile.mkdtemp(prefix="smeqa-test-media-")
DATABASES["default"]["CONN_MAX_AGE"] = 0  # tests open and close their own connections
