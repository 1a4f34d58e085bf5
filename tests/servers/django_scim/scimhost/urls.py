"""django-scim2's urls under the ``scim`` namespace, as its README asks."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import include, path


def base_location(request: HttpRequest | None = None, *args: object, **kwargs: object) -> str:
    """The base of meta.location: the address the request came to."""
    if request is None:
        return "http://localhost"
    return f"{request.scheme}://{request.get_host()}"


urlpatterns = [path("scim/v2/", include("django_scim.urls"))]
