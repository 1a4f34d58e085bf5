"""The host's bearer-token check: django-scim2 leaves authentication to the host.

A request whose ``Authorization`` header carries the token gets an authenticated
``request.user``; any other gets none, and django-scim2's own ``SCIMAuthCheckMiddleware``
(applied by its views) answers it with its 401.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ServiceAccount:
    """The provisioning client: authenticated, and nothing else."""

    is_authenticated = True
    is_anonymous = False


class BearerTokenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.expected = f"Bearer {os.environ['DJANGO_SCIM_TOKEN']}".encode()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("Authorization", "").encode()
        if hmac.compare_digest(given, self.expected):
            request.user = ServiceAccount()  # type: ignore[assignment]
        return self.get_response(request)
