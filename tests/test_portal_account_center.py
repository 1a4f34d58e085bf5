"""LinkedIn Account Center's pages (fake_elevate/portal) over real HTTP: SCIM Setup, the
token shown once and revoked when regenerated, licence pools, users, and the fault profiles
(simulator controls). Each action reaches the account through the admin API only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from fake_elevate.elevate import FakeElevate
from fake_elevate.portal import (
    PORTAL_PREFIX,
    AccountCenterClient,
    SwitchableFaults,
    create_account_center_portal,
)
from harness.serving import Simulation, serve_in_thread

ADMIN_KEY = "account-center-test-key"


@dataclass
class Pages:
    elevate: FakeElevate
    base: str
    browser: httpx.Client

    def post(self, path: str, **form: str) -> httpx.Response:
        return self.browser.post(PORTAL_PREFIX + path, data=form)

    def get(self, path: str) -> httpx.Response:
        return self.browser.get(PORTAL_PREFIX + path)

    def scim_status(self, token: str) -> int:
        return httpx.get(
            f"{self.base}/scim/v2/Users", headers={"Authorization": f"Bearer {token}"}, timeout=30
        ).status_code


@pytest.fixture
def pages() -> Iterator[Pages]:
    simulation = Simulation(seed=2, admin_key=ADMIN_KEY, demo_directory=False)
    with (
        serve_in_thread(simulation.elevate_app) as base,
        httpx.Client(base_url=base, follow_redirects=True, timeout=30) as browser,
    ):
        signed = browser.post(f"{PORTAL_PREFIX}/signin", data={"email": "admin@contoso.com"})
        assert signed.status_code == 200 and "Account Center" in signed.text
        yield Pages(simulation.elevate, base, browser)


def add(pages: Pages, name: str = "Entra ID") -> str:
    added = pages.post(
        "/admin/settings/advanced-integrations",
        name=name,
        auto_assign="on",
        application_instance="LinkedIn Elevate",
        license_type="Elevate",
    )
    assert added.status_code == 200 and f"SCIM configuration “{name}” added" in added.text
    (config,) = [c for c in pages.elevate.account_center.scim_configurations() if c.name == name]
    return config.id


def shown_token(html: str) -> str:
    found = re.search(r'id="token-value" class="token" readonly value="([^"]+)"', html)
    assert found is not None, html
    return found.group(1)


def test_the_pages_need_a_signed_in_admin() -> None:
    simulation = Simulation(seed=2, admin_key=ADMIN_KEY, demo_directory=False)
    with serve_in_thread(simulation.elevate_app) as base:
        answer = httpx.get(f"{base}{PORTAL_PREFIX}/admin/settings", timeout=30)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"{PORTAL_PREFIX}/signin"
        refused = httpx.post(f"{base}{PORTAL_PREFIX}/signin", data={"email": "nobody"}, timeout=30)
        assert refused.status_code == 400 and "Enter the email address" in refused.text


def test_the_token_is_shown_once_and_regenerating_revokes_the_old_one(pages: Pages) -> None:
    config = add(pages)
    first = pages.post(f"/admin/settings/advanced-integrations/{config}/token")
    assert first.headers["cache-control"] == "no-store"
    token = shown_token(first.text)
    assert "shown only once" in first.text and 'data-copy="token-value"' in first.text
    assert pages.scim_status(token) == 200
    # Shown once: the page, opened again, has no token.
    again = pages.get("/admin/settings/advanced-integrations")
    assert token not in again.text and "Regenerate token" in again.text
    second = pages.post(f"/admin/settings/advanced-integrations/{config}/token")
    new = shown_token(second.text)
    assert new != token and "The previous token of this configuration is revoked." in second.text
    assert pages.scim_status(token) == 401
    assert pages.scim_status(new) == 200


def test_a_configuration_without_a_name_shows_the_message_beside_the_field(pages: Pages) -> None:
    answer = pages.post(
        "/admin/settings/advanced-integrations",
        name=" ",
        application_instance="LinkedIn Elevate",
        license_type="Elevate",
    )
    assert answer.status_code == 400
    assert 'id="name-error"' in answer.text and "Enter a name" in answer.text
    assert 'aria-describedby="name-error"' in answer.text
    assert pages.elevate.account_center.scim_configurations() == []


def test_licence_pools_and_users_show_seat_use_and_licence_state(pages: Pages) -> None:
    config = add(pages)
    token = shown_token(pages.post(f"/admin/settings/advanced-integrations/{config}/token").text)
    seats = pages.post(
        "/admin/licenses",
        application_instance="LinkedIn Elevate",
        license_type="Elevate",
        seats="1",
    )
    assert "Seats saved." in seats.text
    bad = pages.post(
        "/admin/licenses",
        application_instance="LinkedIn Elevate",
        license_type="Elevate",
        seats="many",
    )
    assert bad.status_code == 400 and "Enter a whole number of seats." in bad.text
    for name in ("britta", "kai"):
        created = httpx.post(
            f"{pages.base}/scim/v2/Users",
            headers={"Authorization": f"Bearer {token}"},
            json={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name},
            timeout=30,
        )
        assert created.status_code == 201
    pools = pages.get("/admin/licenses").text
    assert re.search(
        r"<td>LinkedIn Elevate</td><td>Elevate</td><td>1</td><td>1</td><td>0</td>", pools
    )
    users = pages.get("/admin/users").text
    assert re.search(r"<td>britta</td><td>IdP</td><td>Yes</td><td>Licensed</td>", users)
    assert re.search(r"<td>kai</td><td>IdP</td><td>Yes</td><td>NoLicenseAvailable</td>", users)


def test_fault_profiles_switch_while_served(pages: Pages) -> None:
    config = add(pages)
    token = shown_token(pages.post(f"/admin/settings/advanced-integrations/{config}/token").text)
    switched = pages.browser.post(
        f"{PORTAL_PREFIX}/simulator", data={"profile": ["empty-search-404"]}
    )
    assert "Fault profiles on: empty-search-404." in switched.text
    assert "not part of LinkedIn" in switched.text
    search = httpx.get(
        f"{pages.base}/scim/v2/Users",
        params={"filter": 'userName eq "nobody"'},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert search.status_code == 404
    refused = pages.browser.post(f"{PORTAL_PREFIX}/simulator", data={"profile": ["no-such"]})
    assert refused.status_code == 400 and "unknown fault profile" in refused.text
    pages.browser.post(f"{PORTAL_PREFIX}/simulator", data={})
    assert pages.scim_status(token) == 200


def test_switchable_faults_refuses_an_unknown_profile_and_keeps_the_old_ones() -> None:
    elevate = FakeElevate(seed=1)
    faults = SwitchableFaults(elevate.asgi_app())
    faults.switch(["slow"])
    with pytest.raises(ValueError, match="unknown fault profile"):
        faults.switch(["slow", "nope"])
    assert faults.active == ("slow",)


def test_the_pages_reach_the_account_only_through_the_admin_api() -> None:
    """The admin key guards the API, and so the pages: a wrong key is refused there."""
    elevate = FakeElevate(seed=1, admin_key=ADMIN_KEY)
    portal = create_account_center_portal(AccountCenterClient("wrong-key", app=elevate.asgi_app()))
    with (
        serve_in_thread(portal) as base,
        httpx.Client(base_url=base, follow_redirects=True, timeout=30) as browser,
    ):
        browser.cookies.set("account_center_admin", "admin")
        answer = browser.get("/admin/settings/advanced-integrations")
    assert answer.status_code == 401 and "admin key" in answer.text
