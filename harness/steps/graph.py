"""Automating the tutorial with Microsoft Graph: the same steps, as Graph calls.

Each action is one call (or the few a script makes) on Fake Entra's Graph face, served
in-process over the scenario's tenant, so the cycles it starts reach the same SCIM target
through the same recorder as the portal steps. Every response is checked against the JSON
Schema written from its Graph reference page (``harness/schemas/graph/``); the last
response stays for the Then steps. Scenarios tagged ``@graph`` use these steps.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from pytest_bdd import then

from harness.steps.wording import action, pattern, quoted, rows

if TYPE_CHECKING:
    import httpx

    from fake_entra.engine import ProvisioningJob
    from harness.world import World

#: The static bearer token of the in-process Graph face.
GRAPH_TOKEN = "provisim-graph-token"
GRAPH_ROOT = "https://graph.microsoft.com"
DEFAULT_ACCESS_ROLE_ID = "00000000-0000-0000-0000-000000000000"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "graph: the tutorial driven through Microsoft Graph.")


@dataclass
class GraphSession:
    """The scenario's Graph client and what its calls returned."""

    world: World
    client: httpx.Client
    ids: dict[str, str] = field(default_factory=dict)
    last: httpx.Response | None = None
    on_demand: dict[str, Any] | None = None

    def call(
        self, method: str, path: str, schema: str | None, body: Any = None, **params: str
    ) -> httpx.Response:
        from harness.schemas.graph import collection_violations, graph_violations

        response = self.client.request(method, path, json=body, params=params or None)
        self.last = response
        if response.status_code >= 400:
            problems = graph_violations("odata-error", response.json())
        elif schema is None or response.status_code == 204:
            problems = []
        elif schema.startswith("["):
            problems = collection_violations(schema.strip("[]"), response.json())
        else:
            problems = graph_violations(schema, response.json())
        if problems:
            raise AssertionError(
                f"{method} {path} answered a body that breaks its Graph schema: {problems}"
            )
        return response

    def ok(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code >= 400:
            raise AssertionError(
                f"Graph refused {response.request.method} {response.request.url.path}: "
                f"{response.status_code} {response.json()['error']}"
            )
        body: dict[str, Any] = response.json() if response.content else {}
        return body

    def need(self, key: str, what: str) -> str:
        if key not in self.ids:
            raise AssertionError(f"{what} first.")
        return self.ids[key]

    @property
    def sp(self) -> str:
        return "/servicePrincipals/" + self.need("sp", 'Add "LinkedIn Elevate" through Graph')

    @property
    def job(self) -> str:
        job_id = self.need("job", "Set Provisioning Mode to Automatic through Graph")
        return f"{self.sp}/synchronization/jobs/{job_id}"


@pytest.fixture
def graph(world: World) -> Iterator[GraphSession]:
    """Fake Entra's Graph face over the scenario's tenant, with an httpx client."""
    import httpx

    from fake_entra.graph import GraphService, GraphSettings, create_app
    from harness.transport import AsgiTransport

    service = GraphService(world.tenant, GraphSettings(token=GRAPH_TOKEN))

    def follow(job: ProvisioningJob) -> None:
        # A job created through Graph is the scenario's job: its cycles join the timeline.
        world.recorder.watch(job)
        world.jobs[job.application.object_id] = job
        world.app = job.application

    service.synchronization.job_listeners.append(follow)
    client = httpx.Client(
        transport=AsgiTransport(create_app(service)),
        base_url=f"{GRAPH_ROOT}/v1.0",
        headers={"Authorization": f"Bearer {GRAPH_TOKEN}"},
    )
    with client:
        yield GraphSession(world, client)


# -- the gallery, users and assignments -------------------------------------------------------


@action('the admin adds "{name}" from the gallery through Graph')
def add_from_gallery(graph: GraphSession, name: str) -> None:
    """``GET /applicationTemplates?$filter=displayName eq '…'``, then ``instantiate``."""
    templates = graph.ok(
        graph.call(
            "GET",
            "/applicationTemplates",
            "[application-template]",
            **{"$filter": f"displayName eq '{name}'"},
        )
    )["value"]
    if len(templates) != 1:
        raise AssertionError(f'The gallery has {len(templates)} templates named "{name}".')
    created = graph.ok(
        graph.call(
            "POST",
            f"/applicationTemplates/{templates[0]['id']}/instantiate",
            "application-service-principal",
            {"displayName": name},
        )
    )
    principal = created["servicePrincipal"]
    graph.ids["sp"] = principal["id"]
    for role in principal["appRoles"]:
        graph.ids[f"role:{role['displayName']}"] = role["id"]
    graph.ids["role:Default Access"] = DEFAULT_ACCESS_ROLE_ID
    graph.world.app = graph.world.tenant.enterprise_applications.get(principal["id"])


@action("the admin creates the users {names} through Graph")
def create_users(graph: GraphSession, names: str) -> None:
    """``POST /users`` for each, with the user principal names the portal steps use."""
    for person in quoted(names):
        _create_user(graph, person)


def _create_user(graph: GraphSession, person: str) -> None:
    world = graph.world
    given, _, surname = person.partition(" ")
    local = "".join(c if c.isalnum() else "." for c in person.lower()).strip(".")
    upn = f"{world.prefix}{local}@{world.tenant.directory.default_domain}"
    user = graph.ok(
        graph.call(
            "POST",
            "/users",
            "user",
            {
                "accountEnabled": True,
                "displayName": person,
                "givenName": given,
                "surname": surname or None,
                "mail": upn,
                "mailNickname": local,
                "userPrincipalName": upn,
                "passwordProfile": {"password": "provisim-Passw0rd!"},
            },
        )
    )
    world.users[person] = user["id"]
    world.user_principal_names[person] = upn


@action('the admin assigns the user "{name}" with the role "{role}" through Graph')
def assign(graph: GraphSession, name: str, role: str) -> None:
    """``POST /servicePrincipals/{id}/appRoleAssignedTo``; "Default Access" is the zero GUID."""
    role_id = graph.need(f"role:{role}", f'A role "{role}" (add the application through Graph)')
    graph.call(
        "POST",
        f"{graph.sp}/appRoleAssignedTo",
        "app-role-assignment",
        {
            "principalId": graph.world.users[name],
            "resourceId": graph.ids["sp"],
            "appRoleId": role_id,
        },
    )


# -- the Provisioning page ------------------------------------------------------------------


@action("the admin sets Provisioning Mode to Automatic through Graph")
def automatic(graph: GraphSession) -> None:
    """``GET …/synchronization/templates``, then ``POST …/synchronization/jobs`` from it."""
    templates = graph.ok(
        graph.call("GET", f"{graph.sp}/synchronization/templates", "[synchronization-template]")
    )["value"]
    job = graph.ok(
        graph.call(
            "POST",
            f"{graph.sp}/synchronization/jobs",
            "synchronization-job",
            {"templateId": templates[0]["id"]},
        )
    )
    graph.ids["job"] = job["id"]


def _credentials(graph: GraphSession, token: str | None = None) -> list[dict[str, str]]:
    world = graph.world
    secret = token if token is not None else world.target_token()
    world.recorder.add_secret(secret)
    return [
        {"key": "BaseAddress", "value": world.tenant_url()},
        {"key": "SecretToken", "value": secret},
    ]


@action("the admin clicks Test Connection through Graph")
def test_connection(graph: GraphSession) -> None:
    """``POST …/jobs/{id}/validateCredentials`` with the Tenant URL and the Secret Token."""
    graph.call(
        "POST",
        f"{graph.job}/validateCredentials",
        None,
        {"useSavedCredentials": False, "credentials": _credentials(graph)},
    )


@action('the admin clicks Test Connection with the Secret Token "{token}" through Graph')
def test_connection_with(graph: GraphSession, token: str) -> None:
    """Test Connection with another Secret Token (the saved one stays as it was)."""
    graph.call(
        "POST",
        f"{graph.job}/validateCredentials",
        None,
        {"useSavedCredentials": False, "credentials": _credentials(graph, token)},
    )


@action('the admin saves the Admin Credentials and the Notification Email "{email}" through Graph')
def save(graph: GraphSession, email: str) -> None:
    """``PUT …/synchronization/secrets``: every key at once, as there is no PATCH."""
    notification = json.dumps({"Enabled": True, "Recipients": email})
    graph.call(
        "PUT",
        f"{graph.sp}/synchronization/secrets",
        None,
        {
            "value": [
                *_credentials(graph),
                {"key": "SyncNotificationSettings", "value": notification},
            ]
        },
    )


@action("the admin sets Provisioning Status to {switch:OnOff} through Graph")
def provisioning_status(graph: GraphSession, switch: str) -> None:
    """On: ``POST …/jobs/{id}/start``; Off: ``POST …/jobs/{id}/pause``."""
    verb = "start" if switch.lower() == "on" else "pause"
    graph.ok(graph.call("POST", f"{graph.job}/{verb}", None))


@action("the admin restarts provisioning through Graph")
def restart_as_the_portal_does(graph: GraphSession) -> None:
    """The portal's Restart provisioning: ``POST …/jobs/{id}/restart`` with no criteria
    (reference A.2 #12: QuarantineState, Watermark and Escrows)."""
    graph.ok(graph.call("POST", f"{graph.job}/restart", None))


@action('the admin restarts provisioning through Graph with the reset scope "{scope}"')
def restart(graph: GraphSession, scope: str) -> None:
    """``POST …/jobs/{id}/restart`` with ``criteria.resetScope``."""
    graph.ok(graph.call("POST", f"{graph.job}/restart", None, {"criteria": {"resetScope": scope}}))


@action('the admin provisions "{name}" on demand through Graph')
def on_demand(graph: GraphSession, name: str) -> None:
    """``POST …/jobs/{id}/provisionOnDemand`` with the rule id from the job's schema."""
    schema = graph.ok(graph.call("GET", f"{graph.job}/schema", "synchronization-schema"))
    rule_id = schema["synchronizationRules"][0]["id"]
    subject = {"objectId": graph.world.users[name], "objectTypeName": "User"}
    pair = graph.ok(
        graph.call(
            "POST",
            f"{graph.job}/provisionOnDemand",
            "string-key-string-value-pair",
            {"parameters": [{"ruleId": rule_id, "subjects": [subject]}]},
        )
    )
    graph.on_demand = {"key": json.loads(pair["key"]), "value": json.loads(pair["value"])}


@action("{minutes:d} minutes pass on the provisim clock endpoint")
def clock_endpoint(graph: GraphSession, minutes: int) -> None:
    """``POST /_provisim/clock/advance`` (outside Graph): cycles that fall due run."""
    response = graph.client.post(
        f"{GRAPH_ROOT}/_provisim/clock/advance", json={"duration": f"PT{minutes}M"}
    )
    graph.ok(response)


# -- outcomes ---------------------------------------------------------------------------------


@then(pattern("Graph answers {status:d}"))
def answers(graph: GraphSession, status: int) -> None:
    """The HTTP status of the last Graph call (204 for a call with no body)."""
    last = graph.last
    if last is None:
        raise AssertionError("No Graph call was made.")
    if last.status_code != status:
        raise AssertionError(f"Graph answered {last.status_code}, not {status}: {last.text}")


@then(pattern('Graph answers {status:d} with the error code "{code}"'))
def answers_error(graph: GraphSession, status: int, code: str) -> None:
    """The last Graph call failed with this status and OData ``error.code``."""
    answers(graph, status)
    assert graph.last is not None
    found = graph.last.json()["error"]["code"]
    if found != code:
        raise AssertionError(f'The error code is "{found}", not "{code}".')


@then(pattern('the job\'s status through Graph is "{code}"'))
def job_status(graph: GraphSession, code: str) -> None:
    """``GET …/jobs/{id}``: ``status.code``."""
    job = graph.ok(graph.call("GET", graph.job, "synchronization-job"))
    if job["status"]["code"] != code:
        raise AssertionError(f'The job\'s status is "{job["status"]["code"]}", not "{code}".')


@then(pattern('the job\'s schedule through Graph is "{state}" every "{interval}"'))
def job_schedule(graph: GraphSession, state: str, interval: str) -> None:
    """``GET …/jobs/{id}``: ``schedule.state`` and ``schedule.interval`` (ISO 8601)."""
    schedule = graph.ok(graph.call("GET", graph.job, "synchronization-job"))["schedule"]
    if (schedule["state"], schedule["interval"]) != (state, interval):
        raise AssertionError(f"The schedule is {schedule}, not {state} every {interval}.")


@then(
    pattern(
        'the provisioning logs through Graph show "{name}" with the action "{action}" and '
        'the status "{status}"'
    )
)
def logs_show(graph: GraphSession, name: str, action: str, status: str) -> None:
    """``GET /auditLogs/provisioning?$filter=…``, in Graph's own (lower-case) values."""
    user_id = graph.world.principal_id(name)
    found = graph.ok(
        graph.call(
            "GET",
            "/auditLogs/provisioning",
            "[provisioning-object-summary]",
            **{
                "$filter": f"sourceIdentity/id eq '{user_id}' and provisioningAction eq "
                f"'{action}' and provisioningStatusInfo/status eq '{status}'"
            },
        )
    )["value"]
    if not found:
        raise AssertionError(
            f'No provisioning log entry for "{name}" with the action "{action}" and the '
            f'status "{status}".'
        )


@then(pattern('provisioning on demand through Graph reports "{result}" with the action "{action}"'))
def on_demand_reports(graph: GraphSession, result: str, action: str) -> None:
    """The ``key``'s ``result`` and the ``value``'s ``action`` of provisionOnDemand."""
    if graph.on_demand is None:
        raise AssertionError("No provision on demand was made through Graph.")
    found = (graph.on_demand["key"]["result"], graph.on_demand["value"].get("action"))
    if found != (result, action):
        raise AssertionError(f"Provision on demand reported {found}, not {(result, action)}.")


@then("the audit log through Graph shows, newest first:")
def audit_log_shows(graph: GraphSession, datatable: list[list[str]]) -> None:
    """``GET /auditLogs/directoryAudits?$filter=targetResources/any(…)``: the application's
    audit entries, newest first, as ``| activity | initiated by |`` rows (the initiating
    user's principal name, or the initiating app's display name). Every entry is the
    Account Provisioning service's, in the category ProvisioningManagement."""
    wanted = [(row["activity"], row["initiated by"]) for row in rows(datatable)]
    entries = graph.ok(
        graph.call(
            "GET",
            "/auditLogs/directoryAudits",
            "[directory-audit]",
            **{"$filter": f"targetResources/any(t:t/id eq '{graph.ids.get('sp', '')}')"},
        )
    )["value"]
    shown = []
    for entry in entries:
        if (entry["loggedByService"], entry["category"]) != (
            "Account Provisioning",
            "ProvisioningManagement",
        ):
            raise AssertionError(
                f"{entry['activityDisplayName']} is logged by {entry['loggedByService']} "
                f"in {entry['category']}, not by Account Provisioning in ProvisioningManagement."
            )
        initiator = entry["initiatedBy"]
        by = (
            initiator["user"]["userPrincipalName"]
            if initiator["user"] is not None
            else initiator["app"]["displayName"]
        )
        shown.append((entry["activityDisplayName"], by))
    if shown != wanted:
        raise AssertionError(f"The audit log through Graph shows {shown}.")
