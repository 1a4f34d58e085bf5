"""LinkedIn Account Center in a browser: Admin > Admin Settings > Advanced Integrations >
SCIM Setup, the licence pools and the users, as a client of the Account Center admin API
(:mod:`fake_elevate.web.account_center_api`) over its public HTTP interface; plus the fault
profiles of Fake Elevate as simulator controls (not part of LinkedIn).

``create_account_center_portal(AccountCenterClient(admin_key, app=elevate_app))``.
"""

from fake_elevate.portal.app import PORTAL_PREFIX, create_account_center_portal
from fake_elevate.portal.client import AccountCenterCallError, AccountCenterClient
from fake_elevate.portal.faults import SwitchableFaults

__all__ = [
    "PORTAL_PREFIX",
    "AccountCenterCallError",
    "AccountCenterClient",
    "SwitchableFaults",
    "create_account_center_portal",
]
