"""Settings of the throwaway simplejwt server the tests start (test/servers/django.mjs).

Everything that varies per run comes from the environment the harness sets:
TK_DB (sqlite file in a temp dir), TK_ACCESS_SECONDS, TK_REFRESH_SECONDS.
"""
import os
from datetime import timedelta

SECRET_KEY = os.environ.get("TK_SECRET", "tokenkeeper-test-only-not-a-secret-0123456789abcdef")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "tkserver.urls"
WSGI_APPLICATION = None
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
]

MIDDLEWARE = [
    "tkserver.stats.CountRequests",
    "django.middleware.common.CommonMiddleware",
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["TK_DB"],
        # Threaded server: wait on SQLite's write lock instead of failing at once.
        "OPTIONS": {"timeout": 20},
    }
}

# Fast hashing: the tests log in a few times; PBKDF2's default cost would take seconds.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=int(os.environ.get("TK_ACCESS_SECONDS", "3"))),
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=int(os.environ.get("TK_REFRESH_SECONDS", "3600"))),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "LEEWAY": 0,
}

LOGGING = {"version": 1, "disable_existing_loggers": True}
