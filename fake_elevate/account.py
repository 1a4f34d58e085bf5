"""ElevateAccount: what the web layer serves of one LinkedIn account, and its settings.

:class:`fake_elevate.elevate.FakeElevate` is the account; :mod:`fake_elevate.app` and
:mod:`fake_elevate.web` serve anything shaped like :class:`ElevateAccount`, so they depend
on this module and never on :mod:`fake_elevate.elevate`, which builds the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from .account_center import DEFAULT_TOKEN_LIFETIME, AccountCenter
from .store import ScimStore

#: RFC 7644 §3.12 / ServiceProviderConfig ``bulk.maxPayloadSize``: the largest
#: request body accepted; larger ones get 413.
DEFAULT_MAX_PAYLOAD_SIZE = 1_048_576
#: See ElevateSettings.max_patch_operations.
DEFAULT_MAX_PATCH_OPERATIONS = 1000


@dataclass(frozen=True)
class ElevateSettings:
    #: Base paths the SCIM service answers on. linkedin-scim.md §1: the
    #: tutorial's Tenant URL is the bare host, so the root serves SCIM too.
    base_paths: tuple[str, ...] = ("/scim/v2", "/scim", "")
    max_payload_size: int = DEFAULT_MAX_PAYLOAD_SIZE
    #: RFC 7644 §3.4.2.4: page size when the client sends no ``count``.
    default_page_size: int = 100
    token_lifetime: timedelta = DEFAULT_TOKEN_LIFETIME
    #: The most operations one PATCH may list; more is 400 invalidValue. Not a
    #: documented LinkedIn limit (a guess, README "Fake Elevate's limits"): it bounds
    #: the work one request can ask for, as ``bulk.maxOperations`` does for Bulk.
    max_patch_operations: int = DEFAULT_MAX_PATCH_OPERATIONS


class ElevateAccount(Protocol):
    """One LinkedIn account as its web layer sees it."""

    settings: ElevateSettings
    #: SCIM configurations, tokens and licence pools (the admin API's subject).
    account_center: AccountCenter
    #: Users and Groups (the SCIM service's subject).
    store: ScimStore
    #: When set, the Account Center admin API needs ``Authorization: Bearer <admin_key>``.
    admin_key: str | None
