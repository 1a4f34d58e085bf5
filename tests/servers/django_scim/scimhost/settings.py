"""Settings of the django-scim2 host: the library's README set-up, SQLite in a temp dir.

The README (https://github.com/15five/django-scim2, "Installation") asks for ``django_scim``
in INSTALLED_APPS, its urls under the mandatory ``scim`` namespace and a
``SCIM_SERVICE_PROVIDER`` with ``NETLOC`` and ``AUTHENTICATION_SCHEMES``. The models follow
the library's own test project (tests/models.py): a user with ``AbstractSCIMUserMixin`` on
Django's ``AbstractUser`` and a group with ``AbstractSCIMGroupMixin``.
"""

from __future__ import annotations

import os

SECRET_KEY = "provisim-django-scim2-test-host"  # only a loopback test server uses it
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django_scim",
    "scimhost",
]

# django-scim2 leaves authentication to the host (README: "request.user.is_anonymous() is
# checked"); BearerTokenMiddleware is that host part and nothing more. The library's own
# SCIMAuthCheckMiddleware, which answers 401, is applied by its views.
MIDDLEWARE = ["scimhost.auth.BearerTokenMiddleware"]

ROOT_URLCONF = "scimhost.urls"
AUTH_USER_MODEL = "scimhost.ScimUser"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # test server: fast

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["DJANGO_SCIM_DB"],
    }
}

SCIM_SERVICE_PROVIDER = {
    "NETLOC": "localhost",
    "SCHEME": "http",
    # meta.location from the request's own host and port (the server listens on a free port).
    "BASE_LOCATION_GETTER": "scimhost.urls.base_location",
    "GROUP_MODEL": "scimhost.models.ScimGroup",
    "USER_FILTER_PARSER": "scimhost.filters.UserFilterQuery",
    "GROUP_FILTER_PARSER": "scimhost.filters.GroupFilterQuery",
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication scheme using the OAuth Bearer Token Standard",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
        },
    ],
}

LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
