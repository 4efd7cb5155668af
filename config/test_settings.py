"""Settings for the test suite: the production settings with a test key and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# Throttling is tested with its own rates (tests/test_project/test_login_abuse.py); elsewhere it
# must not get in the way of suites that send many requests.
os.environ.setdefault("THROTTLE_ANON", "1000000/minute")
os.environ.setdefault("THROTTLE_TOKEN", "1000000/minute")
# django-axes needs the request in every authenticate() call, which client.login() does not pass;
# the lockout tests turn it on with override_settings.
os.environ.setdefault("AXES_ENABLED", "0")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A process-local cache: the shared database cache would add its queries to the query counts tested.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # nothing is collected in tests; WhiteNoise serves from the finders
# The read replica as a test mirror of the primary: the router tests (tests/test_project/test_db_router.py)
# install config.db_router with override_settings; elsewhere nothing routes to it.
if "replica" not in DATABASES:  # noqa: F405
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
