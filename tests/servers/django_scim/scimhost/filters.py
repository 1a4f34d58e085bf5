"""Filter maps: django-scim2's defaults, plus the attributes its models store.

django-scim2 translates a SCIM filter to SQL through an ``attr_map`` per resource type, and
ships ``GroupFilterQuery`` with an empty one for the host to fill. The user map is the
library's ``UserFilterQuery.attr_map`` plus ``externalId``; the group map names the columns
the library's adapter reads ``displayName`` and ``externalId`` from.
"""

from __future__ import annotations

from typing import ClassVar

from django_scim.filters import FilterQuery
from django_scim.filters import UserFilterQuery as LibraryUserFilterQuery
from django_scim.utils import get_group_model, get_user_model


class UserFilterQuery(FilterQuery):
    model_getter = get_user_model
    attr_map: ClassVar[dict[tuple[str | None, str | None, str | None], str]] = {
        **LibraryUserFilterQuery.attr_map,
        ("externalId", None, None): "scim_external_id",
    }


class GroupFilterQuery(FilterQuery):
    model_getter = get_group_model
    attr_map: ClassVar[dict[tuple[str | None, str | None, str | None], str]] = {
        ("displayName", None, None): "name",
        ("externalId", None, None): "scim_external_id",
    }
