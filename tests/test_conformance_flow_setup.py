"""The flow's setup (:mod:`harness.conformance.flow.setup`): the Tenant URL an admin
enters for each dialect."""

from __future__ import annotations

import pytest
from conformance_support import URL

from fake_entra.dialects import Dialect
from harness.conformance.flow import tenant_url_for


@pytest.mark.parametrize(
    ("url", "dialect", "expected"),
    [
        (URL, Dialect.DEFAULT, URL),
        (URL, Dialect.AAD_OPT_SCIM_062020, f"{URL}?aadOptscim062020"),
        (f"{URL}?aadOptSCIM062020=true", Dialect.DEFAULT, URL),
        (
            f"{URL}?tenant=a&AzureAdScimPatch2017",
            Dialect.AAD_OPT_SCIM_062020,
            f"{URL}?tenant=a&aadOptscim062020",
        ),
    ],
)
def test_the_tenant_url_carries_the_dialect_flag(url: str, dialect: Dialect, expected: str) -> None:
    assert tenant_url_for(url, dialect) == expected
