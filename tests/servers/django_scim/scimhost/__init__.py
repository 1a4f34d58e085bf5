"""A minimal Django project serving SCIM 2.0 through django-scim2, for provisim's
conformance tests (tests/test_conformance_django_scim2.py). Started by ``serve.py``."""
