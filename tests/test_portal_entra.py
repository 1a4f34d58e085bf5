"""Fake Entra's admin center (fake_entra/portal) over real HTTP, as a browser without
JavaScript uses it: forms posted, pages read. Every action is checked against Graph, the
portal's only way into the tenant; bad input shows the portal's message beside its field and
changes nothing.

The browser walk of the whole tutorial is features/ui_tutorial.feature (@ui).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from fake_entra.portal.feed import MASK, ExchangeFeed, FeedTransport
from harness.serving import Simulation, serve_in_thread

GRAPH_TOKEN = "portal-test-graph-token"
ADMIN_KEY = "portal-test-admin-key"


@dataclass
class PortalDriver:
    """The portal's pages driven with httpx, and Graph and the admin API beside them."""

    simulation: Simulation
    entra: str
    elevate: str
    browser: httpx.Client
    graph: httpx.Client
    admin: httpx.Client
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def scim_base(self) -> str:
        return f"{self.elevate}/scim/v2"

    def page(self, method: str, path: str, **form: Any) -> httpx.Response:
        if method == "GET":
            return self.browser.get(path, params=form or None)
        return self.browser.request(method, path, data=form or None)

    def sign_in(self) -> None:
        made = self.page(
            "POST", "/signin", account="admin@contoso.com", role="Cloud Application Administrator"
        )
        assert made.status_code == 200 and "Microsoft Entra admin center" in made.text

    def token(self) -> str:
        config = self.admin.post("/account-center/scim-configurations", json={"name": "Entra ID"})
        assert config.status_code == 201
        made = self.admin.post(f"/account-center/scim-configurations/{config.json()['id']}/token")
        return str(made.json()["accessToken"])

    def add_linkedin_elevate(self) -> str:
        gallery = self.page("GET", "/enterpriseApps/gallery", q="LinkedIn Elevate")
        template = re.search(
            r'/enterpriseApps/gallery/([0-9a-f-]+)">LinkedIn Elevate<', gallery.text
        )
        assert template is not None, gallery.text
        added = self.page(
            "POST", f"/enterpriseApps/gallery/{template.group(1)}", name="LinkedIn Elevate"
        )
        assert added.status_code == 200 and "Application added" in added.text
        sp = re.search(r'href="/apps/([0-9a-f-]+)/users"', added.text)
        assert sp is not None
        self.ids["sp"] = sp.group(1)
        return sp.group(1)

    def assign(self, name: str, role: str) -> httpx.Response:
        form = self.page("GET", f"/apps/{self.ids['sp']}/users/add")
        user = re.search(rf'value="([0-9a-f-]+)"> {name} <', form.text)
        role_id = re.search(rf'name="role" value="([0-9a-f-]+)"[^>]*> {role}<', form.text)
        assert user is not None and role_id is not None, form.text
        return self.browser.post(
            f"/apps/{self.ids['sp']}/users/add",
            data={"principal": user.group(1), "role": role_id.group(1)},
        )

    def provisioning(self, **form: Any) -> httpx.Response:
        return self.page("POST", f"/apps/{self.ids['sp']}/provisioning", **form)

    def credentials(self, token: str, **more: Any) -> dict[str, Any]:
        return {
            "provisioning_mode": "Automatic",
            "tenant_url": self.scim_base,
            "secret_token": token,
            "notification_email": "admin@contoso.com",
            "send_email": "on",
            "prevent_deletions": "on",
            "threshold": "500",
            "scope": "assigned",
            "provisioning_status": "Off",
            **more,
        }

    def graph_json(self, path: str, version: str = "v1.0") -> Any:
        response = self.graph.get(f"/{version}{path}")
        assert response.status_code == 200, response.text
        return response.json()

    def job(self) -> dict[str, Any]:
        jobs = self.graph_json(f"/servicePrincipals/{self.ids['sp']}/synchronization/jobs")
        assert jobs["value"], "no job"
        result: dict[str, Any] = jobs["value"][0]
        return result

    def secrets(self) -> list[dict[str, str]]:
        body = self.graph_json(
            f"/servicePrincipals/{self.ids['sp']}/synchronization/secrets", "beta"
        )
        result: list[dict[str, str]] = body["value"]
        return result


@pytest.fixture
def portal() -> Iterator[PortalDriver]:
    links: dict[str, str] = {}
    simulation = Simulation(seed=5, graph_token=GRAPH_TOKEN, admin_key=ADMIN_KEY, links=links)
    with ExitStack() as stack:
        entra = stack.enter_context(serve_in_thread(simulation.entra_app))
        elevate = stack.enter_context(serve_in_thread(simulation.elevate_app))
        browser = stack.enter_context(
            httpx.Client(base_url=entra, follow_redirects=True, timeout=60)
        )
        graph = stack.enter_context(
            httpx.Client(
                base_url=entra, headers={"Authorization": f"Bearer {GRAPH_TOKEN}"}, timeout=60
            )
        )
        admin = stack.enter_context(
            httpx.Client(
                base_url=elevate, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=60
            )
        )
        driver = PortalDriver(simulation, entra, elevate, browser, graph, admin)
        yield driver


def field_message(html: str, name: str) -> str:
    """The message the page shows beside a field: the element its aria-describedby names."""
    control = re.search(rf'<(?:input|textarea|select)[^>]*\bid="{name}"[^>]*>', html)
    assert control is not None, f"no field {name}"
    assert 'aria-invalid="true"' in control.group(0), control.group(0)
    described = re.search(r'aria-describedby="([^"]+)"', control.group(0))
    assert described is not None
    message = re.search(rf'id="{described.group(1)}"[^>]*>([^<]*)<', html)
    assert message is not None
    return message.group(1)


def test_the_pages_need_a_signed_in_admin(portal: PortalDriver) -> None:
    response = portal.browser.get("/enterpriseApps", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/signin"
    refused = portal.page("POST", "/signin", account="", role="Global Administrator")
    assert refused.status_code == 400 and "Enter your account." in refused.text


def test_the_tutorial_through_the_portal_provisions_britta_over_http(portal: PortalDriver) -> None:
    token = portal.token()
    portal.sign_in()
    portal.add_linkedin_elevate()
    assigned = portal.assign("Britta Simon", "User")
    assert "Assignment succeeded" in assigned.text
    assert portal.provisioning(provisioning_mode="Automatic", action="mode").status_code == 200
    assert portal.job()["status"]["code"] == "NotConfigured"
    tested = portal.provisioning(action="test", **portal.credentials(token))
    assert "The supplied credentials are authorized to enable provisioning" in tested.text
    # The Secret Token typed is never sent back in a page.
    assert token not in tested.text
    saved = portal.provisioning(action="save", **portal.credentials("", provisioning_status="On"))
    assert "Your changes have been saved." in saved.text, saved.text
    job = portal.job()
    assert job["status"]["code"] == "Active"
    assert job["status"]["lastExecution"]["state"] == "Succeeded"
    secrets = {item["key"]: item["value"] for item in portal.secrets()}
    assert secrets["BaseAddress"] == portal.scim_base
    assert '"Recipients": "admin@contoso.com"' in secrets["SyncNotificationSettings"]
    overview = portal.page("GET", f"/apps/{portal.ids['sp']}/provisioning/overview")
    assert 'aria-valuenow="100"' in overview.text and "Initial cycle completed." in overview.text
    logs = portal.page("GET", f"/apps/{portal.ids['sp']}/provisioning/logs", action="create")
    assert re.search(r"<td>Britta Simon</td>\s*<td>Create</td>", logs.text), logs.text
    users = portal.simulation.elevate.account_center.users()
    assert [(u.user_name, u.state) for u in users] == [("britta.simon@contoso.com", "Licensed")]
    # The exchange stream saw the traffic, the token masked by value.
    feed = portal.simulation.feed
    seen = feed.since(0)
    assert any(x.method == "POST" and x.status == 201 for x in seen)
    assert all(token not in x.url + x.request_body + x.response_body for x in seen)


def set_up_to_credentials(portal: PortalDriver) -> str:
    token = portal.token()
    portal.sign_in()
    portal.add_linkedin_elevate()
    portal.assign("Britta Simon", "User")
    portal.provisioning(provisioning_mode="Automatic", action="mode")
    return token


def test_a_tenant_url_that_is_not_https_is_refused_beside_the_field(portal: PortalDriver) -> None:
    token = set_up_to_credentials(portal)
    before = (portal.job(), portal.secrets())
    answer = portal.provisioning(
        action="test", **portal.credentials(token, tenant_url="http://example.com/scim")
    )
    assert answer.status_code == 400
    assert "must use https" in field_message(answer.text, "tenant_url")
    assert (portal.job(), portal.secrets()) == before
    saved = portal.provisioning(
        action="save", **portal.credentials(token, tenant_url="http://example.com/scim")
    )
    assert "must use https" in field_message(saved.text, "tenant_url")
    assert (portal.job(), portal.secrets()) == before


def test_an_empty_secret_token_is_refused_beside_the_field(portal: PortalDriver) -> None:
    set_up_to_credentials(portal)
    before = (portal.job(), portal.secrets())
    answer = portal.provisioning(action="save", **portal.credentials(""))
    assert answer.status_code == 400
    assert "Secret Token" in field_message(answer.text, "secret_token")
    assert (portal.job(), portal.secrets()) == before
    assert portal.job()["status"]["code"] == "NotConfigured"


def test_a_bad_notification_email_is_refused_beside_the_field(portal: PortalDriver) -> None:
    token = set_up_to_credentials(portal)
    before = (portal.job(), portal.secrets())
    answer = portal.provisioning(
        action="save", **portal.credentials(token, notification_email="not-an-email")
    )
    assert "not a valid email address" in field_message(answer.text, "notification_email")
    assert (portal.job(), portal.secrets()) == before


def test_a_bad_expression_is_refused_beside_the_field_and_a_good_one_is_saved(
    portal: PortalDriver,
) -> None:
    set_up_to_credentials(portal)
    sp, job = portal.ids["sp"], portal.job()["id"]
    schema_path = f"/servicePrincipals/{sp}/synchronization/jobs/{job}/schema"
    before = portal.graph_json(schema_path)
    path = f"/apps/{sp}/provisioning/mappings/0"
    bad = portal.page("POST", path, action="save", target="displayName", expression="Join(")
    assert bad.status_code == 400 and field_message(bad.text, "expression")
    assert portal.graph_json(schema_path) == before
    tested = portal.page(
        "POST",
        path,
        action="test",
        target="displayName",
        expression="ToUpper([displayName])",
        test_value="Britta",
    )
    assert "Result: BRITTA" in tested.text
    assert portal.graph_json(schema_path) == before
    saved = portal.page(
        "POST", path, action="save", target="displayName", expression="ToUpper([displayName])"
    )
    assert "Your changes have been saved." in saved.text
    after = portal.graph_json(schema_path)
    mappings = after["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
    assert [
        m["source"]["expression"] for m in mappings if m["targetAttributeName"] == "displayName"
    ] == ["ToUpper([displayName])"]
    restored = portal.page("POST", path, action="restore")
    assert "The default mappings are restored." in restored.text
    rules = portal.graph_json(schema_path)["synchronizationRules"]
    assert rules == before["synchronizationRules"]


def test_the_assignment_form_needs_a_user_and_a_role(portal: PortalDriver) -> None:
    portal.sign_in()
    sp = portal.add_linkedin_elevate()
    refused = portal.browser.post(f"/apps/{sp}/users/add", data={})
    assert refused.status_code == 400 and "Select at least one user or group." in refused.text
    assert portal.graph_json(f"/servicePrincipals/{sp}/appRoleAssignedTo")["value"] == []


def test_start_stop_restart_and_the_clock(portal: PortalDriver) -> None:
    token = set_up_to_credentials(portal)
    portal.provisioning(action="save", **portal.credentials(token, provisioning_status="On"))
    overview = f"/apps/{portal.ids['sp']}/provisioning/overview"
    assert "Stop provisioning" in portal.page("POST", overview, command="stop").text
    assert portal.job()["schedule"]["state"] == "Paused"
    portal.page("POST", overview, command="start")
    assert portal.job()["schedule"]["state"] == "Active"
    began = portal.job()["status"]["lastExecution"]["timeBegan"]
    moved = portal.page("POST", "/simulator/clock", step="next-cycle")
    assert "Virtual clock moved" in moved.text
    assert portal.job()["status"]["lastExecution"]["timeBegan"] > began
    portal.page("POST", overview, command="restart")
    assert portal.job()["status"]["code"] == "Active"


def test_provision_on_demand_shows_the_steps(portal: PortalDriver) -> None:
    token = set_up_to_credentials(portal)
    portal.provisioning(action="save", **portal.credentials(token))
    page = f"/apps/{portal.ids['sp']}/provisioning/on-demand"
    found = portal.page("GET", page, q="Britta")
    user = re.search(r'name="object_id" value="([0-9a-f-]+)"', found.text)
    assert user is not None
    result = portal.page("POST", page, object_id=user.group(1), object_type="User")
    assert "Result: Success" in result.text, result.text
    assert result.text.count("<summary>") >= 4
    assert (
        portal.simulation.elevate.account_center.users()[0].user_name == "britta.simon@contoso.com"
    )


def test_log_details_tabs_and_the_json_download(portal: PortalDriver) -> None:
    token = set_up_to_credentials(portal)
    portal.provisioning(action="save", **portal.credentials(token, provisioning_status="On"))
    sp = portal.ids["sp"]
    download = portal.page("GET", f"/apps/{sp}/provisioning/logs.json")
    entries = download.json()
    assert download.headers["content-disposition"].startswith("attachment")
    assert entries == portal.graph_json("/auditLogs/provisioning")["value"]
    archive = portal.page("GET", f"/apps/{sp}/provisioning/logs.zip")
    with zipfile.ZipFile(io.BytesIO(archive.content)) as files:
        assert sorted(files.namelist()) == [
            "ProvisioningLogs.csv",
            "ProvisioningLogs_ModifiedProperties.csv",
            "ProvisioningLogs_ProvisioningSteps.csv",
        ]
        summary = files.read("ProvisioningLogs.csv").decode()
    assert entries[0]["changeId"] in summary and "Britta Simon" in summary
    only_kai = portal.page("GET", f"/apps/{sp}/provisioning/logs", identity="Kai")
    assert "No provisioning logs yet." in only_kai.text
    only_britta = portal.page("GET", f"/apps/{sp}/provisioning/logs", identity="Britta")
    assert "<td>Britta Simon</td>" in only_britta.text
    entry = entries[0]["id"]
    for tab, text in (
        ("Steps", "EntryImport"),
        ("Troubleshooting & Recommendations", "No troubleshooting is needed"),
        ("Modified Properties", "userName"),
        ("Summary", "Change ID"),
    ):
        shown = portal.browser.get(f"/apps/{sp}/provisioning/logs/{entry}", params={"tab": tab})
        assert text in shown.text, tab


def test_the_exchange_feed_masks_the_bearer_token_wherever_it_appears() -> None:
    feed = ExchangeFeed()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"echo": request.headers["authorization"]})

    with httpx.Client(transport=FeedTransport(httpx.MockTransport(answer), feed)) as client:
        client.get(
            "https://scim.example/Users?token=s3cret-token",
            headers={"Authorization": "Bearer s3cret-token"},
        )
    (item,) = feed.since(0)
    assert "s3cret-token" not in item.url + item.response_body
    assert MASK in item.url and MASK in item.response_body


def test_the_simulator_streams_scim_exchanges_as_server_sent_events(portal: PortalDriver) -> None:
    token = set_up_to_credentials(portal)
    portal.provisioning(action="test", **portal.credentials(token))
    page = portal.page("GET", "/simulator")
    assert "not part of Microsoft Entra" in page.text and "SCIM exchanges" in page.text
    with portal.browser.stream("GET", "/simulator/exchanges") as events:
        assert events.headers["content-type"].startswith("text/event-stream")
        lines = events.iter_lines()
        for line in lines:
            if line.startswith("data: "):
                break
    assert '"method": "GET"' in line and "/scim/v2/Users" in line
    assert token not in line


def test_provision_on_demand_picks_up_to_five_members_of_a_group(portal: PortalDriver) -> None:
    token = set_up_to_credentials(portal)
    portal.provisioning(action="save", **portal.credentials(token, scope="all"))
    page = f"/apps/{portal.ids['sp']}/provisioning/on-demand"
    found = portal.page("GET", page, q="LinkedIn")
    group = re.search(r"\?group=([0-9a-f-]+)", found.text)
    assert group is not None, found.text
    picker = portal.page("GET", page, group=group.group(1))
    members = re.findall(r'name="member" value="([0-9a-f-]+)"', picker.text)
    assert len(members) == 3 and "up to 5" in picker.text
    refused = portal.browser.post(page, data={"object_id": group.group(1), "object_type": "Group"})
    assert refused.status_code == 400 and "Select between 1 and 5 members." in refused.text
    result = portal.browser.post(
        page,
        data={"object_id": group.group(1), "object_type": "Group", "member": members[:2]},
    )
    assert result.status_code == 200 and "Result: " in result.text, result.text


def test_discard_forgets_what_was_typed(portal: PortalDriver) -> None:
    token = set_up_to_credentials(portal)
    typed = portal.provisioning(
        action="test", **portal.credentials(token, notification_email="typed@contoso.com")
    )
    assert 'value="typed@contoso.com"' in typed.text
    assert (
        'value="typed@contoso.com"'
        in portal.page("GET", f"/apps/{portal.ids['sp']}/provisioning").text
    )
    discarded = portal.page("GET", f"/apps/{portal.ids['sp']}/provisioning", discard="true")
    assert "typed@contoso.com" not in discarded.text
    assert "Entered (leave empty to keep it)" not in discarded.text
