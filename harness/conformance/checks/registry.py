"""Every RFC check, in the order a run sends them, and how to find one by id.

The order matters: test resources are created on first use, so it decides which check
sends which request. The sweeps judge the whole run's exchanges and come last.
"""

from __future__ import annotations

from typing import Final

from harness.conformance.checks.auth import AUTH_MISSING, AUTH_WRONG
from harness.conformance.checks.context import Check
from harness.conformance.checks.discovery import RESOURCE_TYPES, SCHEMAS, SERVICE_PROVIDER_CONFIG
from harness.conformance.checks.entra_operations import (
    SERVER_ERRORS,
    THROUGHPUT,
    TIMEOUT,
    TOKEN_STABLE,
)
from harness.conformance.checks.entra_users import (
    INACTIVE_USER_RETURNED,
    PATCH_ADD_VALUE_PATH,
    PATCH_REPLACE_VALUE_PATH,
)
from harness.conformance.checks.queries import (
    COUNT,
    EMPTY_SEARCH,
    EXCLUDED_MEMBERS,
    FILTER_EXTERNALID,
    FILTER_GROUP_DISPLAYNAME,
    FILTER_USERNAME,
    FILTER_VALUE_PATH,
    START_INDEX,
    USERNAME_CASE_INSENSITIVE,
)
from harness.conformance.checks.responses import ERROR_BODIES, SCHEMA_VALIDATION
from harness.conformance.checks.semantics import (
    FILTER_ATTRIBUTE_CASE,
    NULL_IS_UNASSIGNED,
    USERNAME_UNIQUE_CASE,
)
from harness.conformance.checks.writes import CREATE_LOCATION, CREATE_USER, DELETE, UNIQUENESS

CHECKS: Final[tuple[Check, ...]] = (
    SERVICE_PROVIDER_CONFIG,
    SCHEMAS,
    RESOURCE_TYPES,
    AUTH_MISSING,
    AUTH_WRONG,
    EMPTY_SEARCH,
    CREATE_USER,
    CREATE_LOCATION,
    FILTER_USERNAME,
    USERNAME_CASE_INSENSITIVE,
    FILTER_ATTRIBUTE_CASE,
    FILTER_EXTERNALID,
    FILTER_VALUE_PATH,
    UNIQUENESS,
    USERNAME_UNIQUE_CASE,
    NULL_IS_UNASSIGNED,
    PATCH_ADD_VALUE_PATH,
    PATCH_REPLACE_VALUE_PATH,
    INACTIVE_USER_RETURNED,
    FILTER_GROUP_DISPLAYNAME,
    EXCLUDED_MEMBERS,
    COUNT,
    START_INDEX,
    DELETE,
    ERROR_BODIES,
    SCHEMA_VALIDATION,
    THROUGHPUT,
    SERVER_ERRORS,
    TIMEOUT,
    TOKEN_STABLE,
)


def check_by_id(check_id: str) -> Check:
    for check in CHECKS:
        if check.id == check_id:
            return check
    raise KeyError(check_id)


__all__ = ["CHECKS", "check_by_id"]
